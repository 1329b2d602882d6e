"""Polling for the CLI, the daemon and the TUI: one stream of per-feed outcomes.

`poll_iter` is a plain synchronous iterator so a click progress bar and a Textual thread worker
consume exactly the same thing. On a SQLite file it holds the per-database poller lock for its
whole life, so a `poll --watch` daemon, a cron `poll` and the TUI never poll the same file at once.
On a server database any number of pollers run, each one a `FleetMember` that claims hosts (with
their due feeds) as it goes, so none is fetched twice and every host sees one poller at a time.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from curator.errors import CuratorError, NotFoundError, OpmlError
from curator.poll.lock import PollerLock
from curator.poll.schedule import Policy
from curator.services.poll_preload import StoreLoader
from curator.services.service_base import ServiceBase, ServiceContext
from curator.types import FeedInfo, FeedOutcome, PollSummary

if TYPE_CHECKING:  # the poller (httpx, feedparser, workers) loads when a poll starts, the data
    # layer when there is something to store beyond polling state
    from curator.classify.decide import ThemeSnapshot
    from curator.poll.judge import Judged, Recorded
    from curator.poll.pipeline import FeedTask, Pipeline
    from curator.services.feed_service import FeedService
    from curator.services.fleet_member import FleetMember
    from curator.services.poll_probe import FileRun
    from curator.services.theme_service import ThemeService

EVERYDAY_CHANGED = 0.1  # share of feeds a poll expects to bring a new body when every feed
# was polled before (the rest answer 304): forking parse workers for 30 feeds that answer 304
# took longer than the rest of the run
CLASSIFY_EVERY_POSTS = 2000  # new posts are classified in groups (one classifier call each)
CLASSIFY_EVERY_S = 2.0


def _ignore(_message: str) -> None:
    pass


def _passing_problem(exc: Exception) -> str | None:
    """What a daemon reports and outlives (a bad feed list, a database server restarting or
    out of reach for a while), in one line; None for a bug, which must stop it."""
    from curator.store.db_errors import database_message, is_database_error

    if isinstance(exc, CuratorError):
        return str(exc)
    if is_database_error(exc):
        return database_message(getattr(exc, "orig", None) or exc)
    return None


class PollService(ServiceBase):
    """Polling operations for the CLI and the TUI."""

    def __init__(self, context: ServiceContext, feeds: Callable[[], FeedService],
                 themes: Callable[[], ThemeService]) -> None:
        super().__init__(context)
        self._feeds, self._themes = feeds, themes  # asked for only when needed: see _poll_file

    @property
    def feeds(self) -> FeedService:
        """The OPML is synced before a pass; permanent moves rewrite it."""
        return self._feeds()

    @property
    def themes(self) -> ThemeService:
        """New posts are classified as they are stored."""
        return self._themes()

    def _policy(self) -> Policy:
        return Policy(interval=max(60.0, self.settings.poll_interval))

    def _poller_lock(self) -> PollerLock:
        return PollerLock(self.locations.db, self.locations.cache_dir)

    def poller_running(self) -> bool:
        """True while another poller (a `poll --watch` daemon, a cron run, the TUI) is at work:
        on a file, one that holds the lock; on a server, one registered and renewing, on any
        machine."""
        if self.context.shared:
            from curator.store import leases

            seen_since = datetime.now(UTC) - timedelta(seconds=self.settings.poll_lease)
            with self.db.read() as tx:
                return bool(leases.live_pollers(tx, seen_since))
        return self._poller_lock().held_elsewhere()

    def polls_stored(self) -> int:
        """A number that changes whenever any poller, on any machine, stores poll results:
        one indexed read, cheap enough for an open screen to ask every second."""
        from curator.store import feed_rows

        with self.db.read() as tx:
            return feed_rows.polls_stored(tx)

    @contextlib.contextmanager
    def _poller_slot(self, kind: str, on_note: Callable[[str], None] | None
                     ) -> Iterator[FleetMember | None]:
        """The right to poll: on a file the one-poller lock (yields None), on a server a place
        in the fleet. `on_note` hears that the lock was taken over from a poller that died."""
        if self.context.shared:
            from curator.services.fleet_member import FleetMember

            member = FleetMember(self.db, kind, self.settings.poll_lease).join()
            try:
                yield member
            finally:
                member.leave()
            return
        lock = self._poller_lock()
        lock.acquire()
        try:
            if on_note is not None and lock.note():
                on_note(lock.note() or "")
            yield None
        finally:
            lock.release()

    def due_feeds(self, force: bool = False, feed_url: str | None = None) -> list[FeedTask]:
        """The feeds one pass would poll: due ones, all with `force`, or the one named."""
        from curator.store import feed_rows

        with self.db.read() as tx:
            only = None
            if feed_url is not None:
                only = feed_rows.feed_id(tx, feed_url)
                if only is None:
                    raise NotFoundError(f"no feed {feed_url!r} in the feed list "
                                        "(see `curator feeds list`)")
            rows = feed_rows.due_rows(tx, force, only, datetime.now(UTC))
        from curator.poll.pipeline import FeedTask

        return [FeedTask(*row) for row in rows]

    def count_due(self, force: bool = False, feed_url: str | None = None) -> int:
        quick = self._poll_file(force, feed_url, themed=False)
        if quick is not None:
            quick.poll_file.close()
            return len(quick.tasks)
        return len(self.due_feeds(force, feed_url))

    def _poll_file(self, force: bool, feed_url: str | None,
                   themed: bool = True) -> FileRun | None:
        """The pass through the database file without the data layer (see poll_probe), for a
        plain or forced pass; one named feed goes the data layer's way."""
        if feed_url is not None:
            return None
        from curator.services.poll_probe import file_run

        return file_run(self.locations, force, themed)

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
        with self._poller_slot("poll", on_note) as member:
            yield from self._poll_locked(force, feed_url, concurrency, stop, per_host,
                                         member=member)

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
                     member: FleetMember | None = None) -> Iterator[FeedOutcome]:
        """`on_problem` given (the daemon): a feeds.opml that cannot be read is reported there
        and the pass polls the feed list as last read; otherwise it is the caller's error.
        `member` given (a server database): feeds are claimed from the fleet's due ones as the
        run goes (one named feed is simply polled); this machine's feeds.opml, if any, merges
        into the database's list (see FeedService)."""
        from curator.poll.pipeline import FeedTask, Pipeline

        quick = self._poll_file(force, feed_url) if member is None else None
        poll_file = quick.poll_file if quick is not None else None
        try:
            if quick is not None:
                tasks, paused = quick.tasks, quick.poll_file.host_pauses(datetime.now(UTC))
            else:
                try:
                    self.feeds.sync_opml_if_changed()  # feeds.opml rules (server: merges in)
                except OpmlError as exc:
                    if on_problem is None:
                        raise
                    on_problem(f"{exc}; polling the feed list as last read")
                tasks, paused = self.due_feeds(force, feed_url), self.host_pauses()
            expected, more = len(tasks), None
            if quick is not None and quick.snapshot is None:  # every feed was polled before
                expected = math.ceil(len(tasks) * EVERYDAY_CHANGED)
            if member is not None and feed_url is None:
                started = datetime.now(UTC)

                def claim() -> tuple[list[FeedTask], dict[str, float]]:
                    rows, pauses = member.claim(force, started)
                    return [FeedTask(*row) for row in rows], pauses

                tasks, paused = claim()
                more = claim
            if not tasks:
                return
            workers, host_limit = self._limits(concurrency, per_host)
            network = self.network()
            if network.uses_proxy or any(t.url.startswith("https:") for t in tasks):
                network.ssl_context()  # a bad CA file: one clear error here, not one per feed
            # read through the file, posts are themed as they are stored (they are few), and
            # what stores them loads from the first new body on, while fetching goes on
            snapshot = self._snapshot() if quick is None else quick.snapshot
            loader = (StoreLoader(quick.poll_file, lambda: self.themes.classifier(), snapshot)
                      if quick is not None else None)  # a lambda: `themes` loads the data layer
            pipeline = Pipeline(tasks, concurrency=workers, per_host=host_limit,
                                snapshot=snapshot, network=network, paused=paused,
                                more=more, expected=expected,
                                on_body=loader.start if loader else None).start()
            try:
                yield from self._record_batches(pipeline, stop, loader)
            finally:
                if loader is not None:
                    loader.join()
        finally:
            if poll_file is not None:
                poll_file.close()

    def _record_batches(self, pipeline: Pipeline, stop: threading.Event | None,
                        loader: StoreLoader | None) -> Iterator[FeedOutcome]:
        """Store each batch the pipeline hands over, then yield its outcomes. With `loader` (a
        poll over the file) batches go straight to the file: polling state alone, or posts
        themed by the stored classifier. When that is out of date, the data layer (loaded and
        retrained by then) stores the rest."""
        from curator.poll.judge import judge

        policy, rng = self._policy(), random.Random()
        unclassified: list[int] = []
        last_classified = time.monotonic()
        settled = False  # True when the run ended normally or the caller stopped iterating
        try:
            for batch in pipeline.batches(stop):
                now = datetime.now(UTC)
                judged = [judge(arrival, policy, now, rng) for arrival in batch]
                recorded = self._record_on_file(loader, judged) if loader is not None else None
                if recorded is None:
                    loader = None  # from here on, the data layer stores
                    recorded = self._store(judged)
                unclassified.extend(pid for r in recorded for pid in r.unclassified_ids)
                if len(unclassified) >= CLASSIFY_EVERY_POSTS or (
                        unclassified and time.monotonic() - last_classified > CLASSIFY_EVERY_S):
                    self.themes.classify_posts(unclassified)
                    unclassified, last_classified = [], time.monotonic()
                yield from self._after_commit(recorded)
            settled = True
        except GeneratorExit:
            settled = True
            raise
        finally:
            pipeline.close()
            if settled and unclassified:  # stored posts never stay unclassified
                self.themes.classify_posts(unclassified)

    @staticmethod
    def _record_on_file(loader: StoreLoader, judged: list[Judged]) -> list[Recorded] | None:
        """The batch stored through the file; None when its posts need the data layer."""
        from curator.poll.record import record_on_file

        snapshot = None
        if any(j.parsed is not None and j.parsed.entries for j in judged):
            snapshot = loader.snapshot()
            if snapshot is None:
                return None
        return record_on_file(loader.poll_file, judged, snapshot)

    def _store(self, judged: list[Judged]) -> list[Recorded]:
        from curator.poll.record import record_batch

        with self.db.write() as tx:
            return record_batch(tx, judged)

    def host_pauses(self) -> dict[str, float]:
        """Hosts that asked us to wait (429/503) and are still waiting: host -> seconds left.
        Honoured by every poll, forced ones too (`--all`, the TUI's r)."""
        from curator.store import feed_rows

        with self.db.read() as tx:
            return feed_rows.host_pauses(tx, datetime.now(UTC))

    def _snapshot(self) -> ThemeSnapshot | None:
        """The classifier for the parse workers; without one, posts are classified after storing."""
        try:
            return self.themes.theme_snapshot()
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
            self.feeds.replace_feed_url(old, new)

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
        with self._poller_slot("watch", on_problem) as member:
            while not stop.is_set():
                summary = PollSummary()
                if member is not None:
                    member.new_pass()
                try:
                    for outcome in self._poll_locked(False, None, concurrency, stop, per_host,
                                                     on_problem=on_problem or _ignore,
                                                     member=member):
                        summary.add(outcome)
                except Exception as exc:  # noqa: BLE001 - sorted below: bugs still raise
                    problem = _passing_problem(exc)
                    if problem is None:
                        raise
                    if on_problem is not None:
                        on_problem(f"{problem}; trying again in {int(every_seconds)} s")
                else:
                    if on_pass is not None:
                        on_pass(summary)
                stop.wait(every_seconds)

    def feed_status(self) -> list[FeedInfo]:
        """Every feed's health: status, HTTP code, last error, counts and times."""
        from curator.store import feed_rows

        with self.db.read() as tx:
            return sorted(feed_rows.feed_infos(tx, include_removed=False, counts=True,
                                               by_source=True), key=lambda f: f.id or 0)
