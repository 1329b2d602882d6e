"""Recording a batch of judged feeds: their entries stored and their new polling state, in one
write transaction (the pipeline only fetches and parses, poll.judge decides what each poll
means; this is where it lands).

Through the data layer (`record_batch`), or, when a poll over a database file brings a few new
posts and the stored classifier is current, with sqlite3 alone (`record_on_file`): an everyday
poll then never imports SQLAlchemy. Both store through `store_judged`, the same statements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curator.poll.judge import Judged, Recorded
from curator.store.ingest import BatchLookups, FeedOwner, StoreResult, store_entries

if TYPE_CHECKING:
    from curator.classify.decide import ThemeSnapshot
    from curator.store.engine import Tx
    from curator.store.ingest_rows import IngestStatements
    from curator.store.poll_file import PollFile


def store_judged(ops: IngestStatements, judged: list[Judged]) -> list[Recorded]:
    """Store every judged arrival's entries (inside the caller's transaction)."""
    recorded: list[Recorded] = []
    ops.begin_bulk()
    lookups = BatchLookups(ops, [(j.arrival.task.id, j.parsed.entries) for j in judged
                                 if j.parsed is not None])
    for item in judged:
        task, stored = item.arrival.task, StoreResult()
        if item.parsed is not None:
            stored = store_entries(ops, lookups, FeedOwner(task.id, task.person, task.org),
                                   item.parsed.entries, item.state["polled"],
                                   item.arrival.guesses)
        recorded.append(Recorded(item.outcome(len(stored.new_post_ids), stored.updated),
                                 stored.unclassified_ids, item.moved_to))
    ops.end_bulk()
    return recorded


def record_batch(tx: Tx, judged: list[Judged]) -> list[Recorded]:
    """Store every judged arrival's entries and the feed's new polling state (inside one
    transaction)."""
    from curator.store import feed_rows
    from curator.store.ingest_ops import ops_for

    recorded = store_judged(ops_for(tx), judged)
    feed_rows.pause_hosts(tx, dict(j.pause for j in judged if j.pause is not None))
    feed_rows.save_poll_state(tx, [j.state for j in judged])
    return recorded


def record_on_file(poll_file: PollFile, judged: list[Judged],
                   snapshot: ThemeSnapshot | None) -> list[Recorded]:
    """`record_batch` with sqlite3 alone: new entries are themed here with `snapshot` (an
    everyday poll brings few; None when the batch brings none), then stored with the feeds'
    states in one write transaction.
    Classifier trouble only leaves posts unthemed (`Recorded.unclassified_ids`), as in a
    worker: the service themes them after storing."""
    from curator.classify.decide import decide_entries
    from curator.store.ingest_sqlite import SqliteStatements
    from curator.store.poll_file import write_host_pauses, write_poll_states

    for item in judged:
        arrival = item.arrival
        if (snapshot is not None and item.parsed is not None and item.parsed.entries
                and arrival.guesses is None):
            try:
                arrival.guesses = decide_entries(snapshot, arrival.task.facts(),
                                                 item.parsed.entries)
            except Exception:  # noqa: BLE001, S112 - stored unthemed, themed after storing
                continue
    with poll_file.writing() as cur:
        if any(j.parsed is not None for j in judged):
            recorded = store_judged(SqliteStatements(cur), judged)
        else:  # the everyday batch: every feed unchanged (or failing)
            recorded = [Recorded(j.outcome(), [], j.moved_to) for j in judged]
        write_host_pauses(cur, dict(j.pause for j in judged if j.pause is not None))
        write_poll_states(cur, [j.state for j in judged])
    return recorded
