"""Recording a batch of judged feeds through the data layer: their entries stored and their new
polling state, in the caller's one write transaction (the pipeline only fetches and parses,
poll.judge decides what each poll means; this is where it lands)."""

from __future__ import annotations

from curator.poll.judge import Judged, Recorded
from curator.store import feed_rows
from curator.store.engine import Tx
from curator.store.ingest import BatchLookups, FeedOwner, StoreResult, store_entries
from curator.store.ingest_ops import ops_for


def record_batch(tx: Tx, judged: list[Judged]) -> list[Recorded]:
    """Store every judged arrival's entries and the feed's new polling state (inside one
    transaction)."""
    recorded: list[Recorded] = []
    ops = ops_for(tx)
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
    feed_rows.pause_hosts(tx, dict(j.pause for j in judged if j.pause is not None))
    feed_rows.save_poll_state(tx, [j.state for j in judged])
    return recorded
