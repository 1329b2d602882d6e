"""Polling for the CLI, the daemon and the TUI: one stream of per-feed outcomes.

`poll_iter` is a plain synchronous iterator so a click progress bar and a Textual thread worker
consume exactly the same thing. It holds the per-database poller lock for its whole life, so a
`poll --watch` daemon, a cron `poll` and the TUI never poll the same database at once.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from curator.errors import CuratorError, NotFoundError, OpmlError
from curator.poll.lock import PollerLock
from curator.poll.schedule import Policy
from curator.services.service_base import ServiceBase
from curator.store.tables import Feed, HostPause, PostSource
from curator.types import FeedInfo, FeedOutcome, PollSummary
from curator.urls import normalise_feed_url

if TYPE_CHECKING:  # the poller (httpx, feedparser, workers) loads when a poll starts
    from curator.classify.decide import ThemeSnapshot
    from curator.poll.pipeline import FeedTask, Recorded

FEED = Feed.__table__  # type: ignore[attr-defined]
PAUSE = HostPause.__table__  # type: ignore[attr-defined]


def _ignore(_message: str) -> None:
    pass


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
CLASSIFY_EVERY_POSTS = 2000  # new posts are classified in groups (one classifier call each)
CLASSIFY_EVERY_S = 2.0


class PollService(ServiceBase):
    """Polling operations for the CLI and the TUI."""

    def _policy(self) -> Policy:
        return Policy(interval=max(60.0, self.settings.poll_interval))

    def _poller_lock(self) -> PollerLock:
        return PollerLock(self.locations.db, self.locations.cache_dir)

    def poller_running(self) -> bool:
        """True while any poller (a `poll --watch` daemon, a cron run, the TUI) holds the lock."""
        return self._poller_lock().held_elsewhere()

    def _find_feed_id(self, feed_url: str) -> int:
        with self.db.read() as session:
            conn = session.connection()
            row = conn.execute(select(FEED.c.id).where(FEED.c.url == feed_url.strip())).first()
            if row is None:
                wanted = normalise_feed_url(feed_url)
                for fid, url in conn.execute(select(FEED.c.id, FEED.c.url)):
                    if normalise_feed_url(url) == wanted:
                        return int(fid)
                raise NotFoundError(f"no feed {feed_url!r} in the feed list "
                                    "(see `curator feeds list`)")
            return int(row[0])

    def due_feeds(self, force: bool = False, feed_url: str | None = None) -> list[FeedTask]:
        """The feeds one pass would poll: due ones, all with `force`, or the one named."""
        query = select(FEED.c.id, FEED.c.url, FEED.c.etag, FEED.c.last_modified,
                       FEED.c.error_count, FEED.c.person, FEED.c.org,
                       func.coalesce(FEED.c.title, FEED.c.feed_title), FEED.c.html_url,
                       FEED.c.theme_hint)
        if feed_url is not None:
            query = query.where(FEED.c.id == self._find_feed_id(feed_url))
        else:
            query = query.where(FEED.c.in_opml.is_(True), FEED.c.status != "gone")
            if not force:
                query = query.where(or_(FEED.c.next_due_at.is_(None),
                                        FEED.c.next_due_at <= datetime.now(UTC)))
        with self.db.read() as session:
            rows = session.connection().execute(query.order_by(FEED.c.id)).all()
        from curator.poll.pipeline import FeedTask

        return [FeedTask(*tuple(row)) for row in rows]

    def count_due(self, force: bool = False, feed_url: str | None = None) -> int:
        return len(self.due_feeds(force, feed_url))

    def poll_iter(self, force: bool = False, feed_url: str | None = None,
                  concurrency: int | None = None,
                  stop: threading.Event | None = None,
                  per_host: int | None = None,
                  on_note: Callable[[str], None] | None = None) -> Iterator[FeedOutcome]:
        """Poll due feeds (all with `force`, one with `feed_url`); yield each feed's outcome.

        `on_note` hears what the user should know but that stops nothing (the lock was taken
        over from a poller that died).

        An outcome is yielded only after its posts are committed. One bad feed never stops the
        run; setting `stop` (or closing the iterator) abandons in-flight fetches cleanly.
        """
        lock = self._poller_lock()
        lock.acquire()
        try:
            if on_note is not None and lock.note():
                on_note(lock.note() or "")
            yield from self._poll_locked(force, feed_url, concurrency, stop, per_host)
        finally:
            lock.release()

    def _limits(self, concurrency: int | None, per_host: int | None) -> tuple[int, int]:
        """Fetches at once overall and per host: the arguments, else config.toml's [poll]."""
        workers = concurrency or self.settings.poll_concurrency
        host = per_host or self.settings.poll_per_host
        if not 1 <= workers <= 200:
            raise CuratorError("--concurrency must be between 1 and 200")
        if host < 1:
            raise CuratorError("--per-host must be at least 1")
        return workers, min(host, workers)

    def _poll_locked(self, force: bool, feed_url: str | None, concurrency: int | None,
                     stop: threading.Event | None, per_host: int | None = None,
                     on_problem: Callable[[str], None] | None = None,
                     note: str | None = None) -> Iterator[FeedOutcome]:
        """`on_problem` given (the daemon): a feeds.opml that cannot be read is reported there
        and the pass polls the feed list as last read; otherwise it is the caller's error."""
        from curator.poll.pipeline import Pipeline, record_batch

        if note and on_problem is not None:
            on_problem(note)
        try:
            self.sync_opml_if_changed()  # type: ignore[attr-defined]  # feeds.opml rules
        except OpmlError as exc:
            if on_problem is None:
                raise
            on_problem(f"{exc}; polling the feed list as last read")
        tasks = self.due_feeds(force, feed_url)
        if not tasks:
            return
        workers, host_limit = self._limits(concurrency, per_host)
        policy, rng = self._policy(), random.Random()
        network = self.settings.network()
        network.ssl_context()  # a bad CA file is one clear error here, not one per feed
        pipeline = Pipeline(tasks, concurrency=workers, per_host=host_limit,
                            snapshot=self._snapshot(), network=network,
                            paused=self.host_pauses()).start()
        unclassified: list[int] = []
        last_classified = time.monotonic()
        settled = False  # True when the run ended normally or the caller stopped iterating
        try:
            for batch in pipeline.batches(stop):
                now = datetime.now(UTC)
                with self.db.write() as session:
                    recorded = record_batch(session.connection(), batch, policy, now, rng)
                unclassified.extend(pid for r in recorded for pid in r.unclassified_ids)
                if len(unclassified) >= CLASSIFY_EVERY_POSTS or (
                        unclassified and time.monotonic() - last_classified > CLASSIFY_EVERY_S):
                    self.classify_posts(unclassified)  # type: ignore[attr-defined]
                    unclassified, last_classified = [], time.monotonic()
                yield from self._after_commit(recorded)
            settled = True
        except GeneratorExit:
            settled = True
            raise
        finally:
            pipeline.close()
            if settled and unclassified:  # stored posts never stay unclassified
                self.classify_posts(unclassified)  # type: ignore[attr-defined]

    def host_pauses(self) -> dict[str, float]:
        """Hosts that asked us to wait (429/503) and are still waiting: host -> seconds left.
        Honoured by every poll, forced ones too (`--all`, the TUI's r)."""
        now = datetime.now(UTC)
        with self.db.read() as session:
            rows = session.connection().execute(
                select(PAUSE.c.host, PAUSE.c.until).where(PAUSE.c.until > now)).all()
        return {host: (_aware(until) - now).total_seconds() for host, until in rows}

    def _snapshot(self) -> ThemeSnapshot | None:
        """The classifier for the parse workers; without one, posts are classified after storing."""
        try:
            return self.theme_snapshot()  # type: ignore[attr-defined, no-any-return]
        except CuratorError:
            return None

    def _after_commit(self, recorded: list[Recorded]) -> Iterator[FeedOutcome]:
        for item in recorded:
            if item.moved_to:
                self._follow_move(item.outcome.url, item.moved_to)
            yield item.outcome

    def _follow_move(self, old: str, new: str) -> None:
        """A permanent redirect chain ended at a real feed: feeds.opml and the row move."""
        with contextlib.suppress(CuratorError):  # e.g. the OPML was edited meanwhile
            self.replace_feed_url(old, new)  # type: ignore[attr-defined]

    def poll(self, force: bool = False, feed_url: str | None = None,
             concurrency: int | None = None, stop: threading.Event | None = None,
             on_outcome: Callable[[FeedOutcome], None] | None = None,
             per_host: int | None = None) -> PollSummary:
        """One pass, summarised (the outcomes are kept in the summary too)."""
        summary = PollSummary()
        for outcome in self.poll_iter(force, feed_url, concurrency, stop, per_host):
            summary.add(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        return summary

    def watch(self, every_seconds: float, stop: threading.Event,
              on_pass: Callable[[PollSummary], None] | None = None,
              concurrency: int | None = None, per_host: int | None = None,
              on_problem: Callable[[str], None] | None = None) -> None:
        """Daemon loop: poll what is due, sleep `every_seconds`, repeat until `stop` is set.

        A daemon does not give up: a feeds.opml caught mid-edit (malformed for a moment) or a
        database that is briefly unavailable is reported through `on_problem`, and the pass
        goes on with the last good feed list (the database's) or is tried again next time.
        """
        if every_seconds < 1:
            raise CuratorError("--every must be at least one second")
        self._limits(concurrency, per_host)  # a bad limit fails now, not at the first due feed
        lock = self._poller_lock()
        lock.acquire()
        note = lock.note()
        try:
            while not stop.is_set():
                summary = PollSummary()
                try:
                    for outcome in self._poll_locked(False, None, concurrency, stop, per_host,
                                                     on_problem=on_problem or _ignore,
                                                     note=note):
                        summary.add(outcome)
                    note = None
                except CuratorError as exc:
                    if on_problem is not None:
                        on_problem(f"{exc}; trying again in {int(every_seconds)} s")
                else:
                    if on_pass is not None:
                        on_pass(summary)
                stop.wait(every_seconds)
        finally:
            lock.release()

    def feed_status(self) -> list[FeedInfo]:
        """Every feed's health: status, HTTP code, last error, counts and times."""
        counts = (select(PostSource.feed_id, func.count().label("n"))  # type: ignore[call-overload]
                  .group_by(PostSource.feed_id).subquery())
        query = (select(Feed, func.coalesce(counts.c.n, 0))
                 .outerjoin(counts, counts.c.feed_id == Feed.id)
                 .order_by(Feed.id))  # type: ignore[arg-type]
        with self.db.read() as session:
            rows = session.exec(query).all()  # type: ignore[call-overload]
        return [FeedInfo(url=f.url, title=f.title or f.feed_title, person=f.person, org=f.org,
                         category=f.category, theme=f.theme_hint, status=f.status,
                         html_url=f.html_url, id=f.id, http_status=f.http_status,
                         last_error=f.last_error, error_count=f.error_count,
                         last_polled_at=f.last_polled_at, last_success_at=f.last_success_at,
                         next_due_at=f.next_due_at, post_count=int(n))
                for f, n in rows if f.in_opml]
