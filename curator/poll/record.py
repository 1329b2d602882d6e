"""Recording a batch of judged feeds: their entries stored and their new polling state, in one
write transaction (the pipeline only fetches and parses, poll.judge decides what each poll
means; this is where it lands).

Through the data layer (`record_batch`), or, when a poll over a database file brings a few new
posts and the stored classifier is current, with sqlite3 alone (`record_on_file`): an everyday
poll then never imports SQLAlchemy. Both store through `store_judged`, the same statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from curator.poll.judge import Judged, Recorded
from curator.store.ingest import BatchLookups, FeedOwner, StoreResult, Themer, store_entries

if TYPE_CHECKING:
    from curator.classify.decide import ThemeGuess, ThemeSnapshot
    from curator.store.engine import Tx
    from curator.store.ingest_rows import IngestStatements
    from curator.store.poll_file import PollFile


def store_judged(ops: IngestStatements, judged: list[Judged],
                 snapshot: ThemeSnapshot | None = None) -> list[Recorded]:
    """Store every judged arrival's entries (inside the caller's transaction). New posts take
    the workers' guesses, else (given `snapshot`) are themed here: only the new ones."""
    if all(j.parsed is None for j in judged):  # every feed unchanged or failing: no bulk work
        return [Recorded(j.outcome(), [], j.moved_to) for j in judged]
    recorded: list[Recorded] = []
    ops.begin_bulk()
    lookups = BatchLookups(ops, [(j.arrival.task.id, j.parsed.entries) for j in judged
                                 if j.parsed is not None])
    for item in judged:
        task, stored = item.arrival.task, StoreResult()
        if item.parsed is not None:
            stored = store_entries(ops, lookups, FeedOwner(task.id, task.person, task.org),
                                   item.parsed.entries, item.state["polled"],
                                   _themer(item, snapshot))
        recorded.append(Recorded(item.outcome(len(stored.new_post_ids), stored.updated),
                                 stored.unclassified_ids, item.moved_to))
    ops.end_bulk()
    return recorded


def _themer(item: Judged, snapshot: ThemeSnapshot | None) -> Themer | None:
    """How `store_entries` themes a feed's new posts: the workers' guesses when they came,
    else `snapshot` asked about the new entries alone. Classifier trouble only leaves them
    unthemed, as in a worker: the service classifies them after storing."""
    guesses, entries = item.arrival.guesses, item.parsed.entries if item.parsed else []
    if guesses is not None and len(guesses) == len(entries):
        return lambda chosen: [guesses[i] for i in chosen]
    if snapshot is None:
        return None
    facts = item.arrival.task.facts()

    def theme(chosen: list[int]) -> Sequence[ThemeGuess] | None:
        from curator.classify.decide import decide_entries

        try:
            return decide_entries(snapshot, facts, [entries[i] for i in chosen])
        except Exception:  # noqa: BLE001 - stored unthemed, classified after storing
            return None

    return theme


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
    """`record_batch` with sqlite3 alone: new posts are themed with `snapshot` as they are
    stored (an everyday poll brings few; None when the batch brings no entries), with the feeds'
    states, in one write transaction."""
    from curator.store.ingest_sqlite import SqliteStatements
    from curator.store.poll_file import write_host_pauses, write_poll_states

    with poll_file.writing() as cur:
        recorded = store_judged(SqliteStatements(cur), judged, snapshot)
        write_host_pauses(cur, dict(j.pause for j in judged if j.pause is not None))
        write_poll_states(cur, [j.state for j in judged])
    return recorded
