"""Recording a batch of fetched feeds: their entries stored and their new polling state, in the
caller's one write transaction (the pipeline only fetches and parses; this is where it lands)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from curator.poll.pipeline import Arrival
from curator.poll.schedule import Policy, decide
from curator.store import feed_rows
from curator.store.engine import Tx
from curator.store.ingest import BatchLookups, FeedOwner, StoreResult, store_entries
from curator.store.ingest_ops import ops_for
from curator.types import FeedOutcome
from curator.urls import host_of


@dataclass
class Recorded:
    """One feed's committed result, plus follow-ups the service runs after the commit."""

    outcome: FeedOutcome
    unclassified_ids: list[int]  # new posts the workers could not classify
    moved_to: str | None = None  # an all-permanent redirect chain ending at a real feed


def record_batch(tx: Tx, arrivals: list[Arrival], policy: Policy, now: datetime,
                 rng: random.Random) -> list[Recorded]:
    """Store every arrival's entries and the feed's new polling state (inside one transaction)."""
    recorded: list[Recorded] = []
    states: list[dict[str, object]] = []
    pauses: dict[str, datetime] = {}
    ops = ops_for(tx)
    ops.begin_bulk()
    lookups = BatchLookups(ops, [(a.task.id, a.parsed.feed.entries) for a in arrivals
                                 if a.parsed is not None and a.parsed.feed is not None])
    for arrival in arrivals:
        task, fetched = arrival.task, arrival.fetch
        parsed = arrival.parsed.feed if arrival.parsed else None
        parse_error = arrival.parsed.error if arrival.parsed else None
        moved_to = fetched.permanent_target if parsed is not None else None
        verdict = decide(status=fetched.status, error=fetched.error, error_kind=fetched.error_kind,
                         headers=fetched.headers, error_count=task.error_count, now=now,
                         policy=policy, rng=rng, ttl_minutes=parsed.ttl_minutes if parsed else None,
                         parse_error=parse_error, redirected=moved_to is not None,
                         paused_for=fetched.paused_for)
        if verdict.pause_host_seconds:
            pauses[host_of(fetched.final_url)] = now + timedelta(
                seconds=verdict.pause_host_seconds)
        stored = StoreResult()
        if parsed is not None:
            stored = store_entries(ops, lookups, FeedOwner(task.id, task.person, task.org),
                                   parsed.entries, now, arrival.guesses)
        etag, last_modified = task.etag, task.last_modified
        if parsed is not None and verdict.success:
            etag = fetched.headers.get("etag")
            last_modified = fetched.headers.get("last-modified")
        elif fetched.status == 304:
            etag = fetched.headers.get("etag") or etag
            last_modified = fetched.headers.get("last-modified") or last_modified
        error = verdict.error
        if verdict.success and parsed is not None and parsed.note:
            error = parsed.note
        states.append({
            "fid": task.id, "etag": etag, "lm": last_modified, "status": verdict.status,
            "http_status": fetched.status, "last_error": error, "error_count": verdict.error_count,
            "polled": now, "success": now if verdict.success else None,
            "next_due": verdict.next_due_at, "interval": verdict.interval_seconds,
            "feed_title": parsed.title if parsed is not None else None,
        })
        outcome = FeedOutcome(url=task.url, status=verdict.status,
                              new_posts=len(stored.new_post_ids), updated_posts=stored.updated,
                              http_status=fetched.status, error=error if not verdict.success
                              else None, new_url=moved_to, next_due_at=verdict.next_due_at)
        recorded.append(Recorded(outcome, stored.unclassified_ids, moved_to))
    ops.end_bulk()
    feed_rows.pause_hosts(tx, pauses)
    feed_rows.save_poll_state(tx, states)
    return recorded
