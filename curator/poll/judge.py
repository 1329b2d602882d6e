"""What one poll of a feed means for its row: the verdict, the new polling state, the outcome.

Pure (no database): `poll.record` stores a batch through the data layer, and a batch that
brings nothing to store but polling state (every feed unchanged or failing) is written straight
to the file (store.poll_file). Both judge each arrival here, so both write the same state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from curator.poll.schedule import Policy, Verdict, decide
from curator.types import FeedOutcome
from curator.urls import host_of

if TYPE_CHECKING:
    from curator.poll.parse import ParsedFeed
    from curator.poll.pipeline import Arrival


@dataclass
class Recorded:
    """One feed's committed result, plus follow-ups the service runs after the commit."""

    outcome: FeedOutcome
    unclassified_ids: list[int]  # new posts the workers could not classify
    moved_to: str | None = None  # an all-permanent redirect chain ending at a real feed


@dataclass
class Judged:
    """One arrival's verdict and the feed row's new polling state (`store.poll_file`'s keys)."""

    arrival: Arrival
    verdict: Verdict
    parsed: ParsedFeed | None  # the feed as read, when the fetch brought one
    moved_to: str | None  # an all-permanent redirect chain ending at a real feed
    state: dict[str, Any]
    pause: tuple[str, datetime] | None  # the host asked us to wait until then

    def outcome(self, new_posts: int = 0, updated_posts: int = 0) -> FeedOutcome:
        fetched = self.arrival.fetch
        return FeedOutcome(url=self.arrival.task.url, status=self.verdict.status,
                           new_posts=new_posts, updated_posts=updated_posts,
                           http_status=fetched.status,
                           error=None if self.verdict.success else self.state["last_error"],
                           new_url=self.moved_to, next_due_at=self.verdict.next_due_at)

    @property
    def only_state(self) -> bool:
        """Nothing to store but the row's polling state: no entries, no host pause, no move."""
        return self.parsed is None and self.pause is None and self.moved_to is None


def judge(arrival: Arrival, policy: Policy, now: datetime, rng: random.Random) -> Judged:
    """The verdict on one fetched (and maybe parsed) feed at `now`, and the row's new state."""
    task, fetched = arrival.task, arrival.fetch
    parsed = arrival.parsed.feed if arrival.parsed else None
    parse_error = arrival.parsed.error if arrival.parsed else None
    moved_to = fetched.permanent_target if parsed is not None else None
    verdict = decide(status=fetched.status, error=fetched.error, error_kind=fetched.error_kind,
                     headers=fetched.headers, error_count=task.error_count, now=now,
                     policy=policy, rng=rng, ttl_minutes=parsed.ttl_minutes if parsed else None,
                     parse_error=parse_error, redirected=moved_to is not None,
                     paused_for=fetched.paused_for)
    pause = None
    if verdict.pause_host_seconds:
        pause = (host_of(fetched.final_url), now + timedelta(seconds=verdict.pause_host_seconds))
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
    state = {
        "fid": task.id, "etag": etag, "lm": last_modified, "status": verdict.status,
        "http_status": fetched.status, "last_error": error, "error_count": verdict.error_count,
        "polled": now, "success": now if verdict.success else None,
        "next_due": verdict.next_due_at, "interval": verdict.interval_seconds,
        "feed_title": parsed.title if parsed is not None else None,
    }
    return Judged(arrival, verdict, parsed, moved_to, state, pause)
