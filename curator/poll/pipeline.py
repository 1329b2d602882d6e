"""Orchestrating a poll pass: fetch concurrently, parse on every core, hand over in batches.

Shape of a run (the stages overlap, so network latency hides behind parsing and storing):

    background thread: asyncio loop ── Fetcher (one httpx client) ──▶ ParsePool ──▶ queue
    caller's thread:   queue ──▶ batch ──▶ poll.record, one write transaction ──▶ FeedOutcomes

Small runs parse in a thread (no process start-up cost); big runs use worker processes
(curator.poll.workers, driven from the fetch loop itself) so feedparser runs on every core.
Whatever the caller does with the iterator (stop early, Ctrl-C, a stop event), in-flight fetches
are cancelled and nothing half-written reaches the database: a batch is committed whole or not at
all, and an outcome is only yielded after its batch committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from curator.errors import CuratorError
from curator.poll.fetch import Fetcher, FetchRequest, FetchResult
from curator.poll.network import Network
from curator.poll.workers import ParsePool, WorkerCrashed

if TYPE_CHECKING:  # the parser and the classifier load with the first body to parse: a run
    # where every feed is unchanged needs neither (workers import them themselves)
    from curator.classify.decide import FeedFacts, ThemeGuess, ThemeSnapshot
    from curator.poll.parse import ParseOutcome

PROCESS_THRESHOLD = 12  # feeds a run parses before parsing moves to worker processes
PARSER_HEADROOM = 1536 * 1024 * 1024  # address space a parse worker may add to its start size
BATCH_FEEDS = 500  # feeds a batch stores in one transaction: unchanged feeds are one row each, and
# each commit rewrites the pages of the next-due index that the batch touched (100: 3.5 ms a commit)
BATCH_ENTRIES = 1500  # entries a batch holds in memory (and stores in one transaction)
AHEAD = 128  # feeds being fetched, parsed or waiting to be stored (at least twice the fetch
# concurrency): fetching outpaces parsing on a fast network, and parsing can outpace storing
BODIES_AHEAD = 16  # fetched bodies waiting for a parser, beyond the fetches in flight: when
# parsing is the bottleneck, more waiting bodies only cost memory (55 KB each, 7 MB at AHEAD)
TAKE_EVERY = 16  # feeds taken off the queue before their slots go back to the fetching at once
BATCH_WAIT = 0.5  # seconds a batch may wait to fill: fewer, larger write transactions (each
# commit flushes a search-index segment, and many small segments cost merges)


@dataclass(frozen=True)
class FeedTask:
    """The poller's snapshot of one feed row (never a live ORM object across threads)."""

    id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    error_count: int = 0
    person: str | None = None
    org: str | None = None
    title: str | None = None
    html_url: str | None = None
    theme_hint: str | None = None

    def facts(self) -> FeedFacts:
        from curator.classify.decide import FeedFacts

        return FeedFacts(feed_id=self.id, url=self.url, title=self.title, html_url=self.html_url,
                         theme_hint=self.theme_hint, person=self.person)


@dataclass
class Arrival:
    task: FeedTask
    fetch: FetchResult
    parsed: ParseOutcome | None = None
    guesses: list[ThemeGuess] | None = None  # one per parsed entry, when classifying worked


_SNAPSHOT: ThemeSnapshot | None = None  # a parse worker process's copy of the classifier


def _init_worker(snapshot: ThemeSnapshot | None) -> None:
    """Worker initializer: cap memory, keep the run's classifier for every feed it parses."""
    global _SNAPSHOT
    _SNAPSHOT = snapshot
    _limit_memory()


def parse_and_classify(body: bytes, headers: dict[str, str], url: str, facts: FeedFacts,
                       snapshot: ThemeSnapshot | None = None
                       ) -> tuple[ParseOutcome, list[ThemeGuess] | None]:
    """Parse one body and theme its entries (in a worker: both cores, no database round trip).

    Never raises. Classification trouble only costs speed: the entries come back without guesses
    and the service classifies them after storing.
    """
    from curator.poll.parse import parse_safely

    outcome = parse_safely(body, headers, url)
    snapshot = snapshot or _SNAPSHOT
    if outcome.feed is None or snapshot is None or not outcome.feed.entries:
        return outcome, None
    try:
        from curator.classify.decide import decide_entries

        return outcome, decide_entries(snapshot, facts, outcome.feed.entries)
    except Exception:  # noqa: BLE001 - the service classifies these posts after storing them
        return outcome, None


def _limit_memory() -> None:
    """Worker initializer: cap a parser process's address space (hostile feeds).

    The cap is the worker's present size plus PARSER_HEADROOM. Its size comes from /proc where
    there is one (Linux: exact), else from the peak resident size plus room for the mappings
    that residency does not count. Windows has no such limit (no `resource` module): there the
    10 MiB body cap and the refusal of entity expansion bound a parser.
    """
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        limit = _current_size() + PARSER_HEADROOM
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):
        pass


def _current_size() -> int:
    """The process's address-space size in bytes (an estimate where /proc is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak *= 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
        return int(peak) + 512 * 1024 * 1024


def _start_method(alone: bool) -> str:
    """fork where it is safe (no other threads: instant start), else a fork server, else
    spawn (Windows, macOS): each is slower to start but every platform gets both cores."""
    methods = multiprocessing.get_all_start_methods()
    if alone and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def make_parse_pool(n_feeds: int, snapshot: ThemeSnapshot | None = None) -> ParsePool | None:
    """Worker processes for big runs (every core), None for small ones (a thread parses).

    None on Windows too: its pipes are message pipes, not the byte streams that the pool's
    framing and asyncio's pipe transports need, and each spawned worker costs most of a second.
    """
    workers = os.cpu_count() or 1
    if n_feeds < PROCESS_THRESHOLD or workers < 2 or sys.platform == "win32":
        return None
    if snapshot is not None:  # a run that classifies expects bodies: forked workers share the
        # parser loaded once here (else each worker loads it with its first body)
        import curator.poll.parse  # noqa: F401
    # fork is instant, but forking a process that already runs other threads (the TUI) can
    # copy a held lock into the child: use a fork server (or spawn) there instead
    method = _start_method(threading.active_count() == 1)
    try:
        return ParsePool(parse_and_classify, workers, multiprocessing.get_context(method),
                         initializer=_init_worker, initargs=(snapshot,))
    except (OSError, ValueError):
        return None


MoreTasks = Callable[[], tuple[list[FeedTask], dict[str, float]]]


class Pipeline:
    """Fetch and parse `tasks` in a background thread; hand finished feeds over in batches."""

    _DONE = object()

    def __init__(self, tasks: list[FeedTask], concurrency: int, per_host: int,
                 snapshot: ThemeSnapshot | None = None, network: Network | None = None,
                 paused: dict[str, float] | None = None, more: MoreTasks | None = None,
                 expected: int | None = None, on_body: Callable[[], None] | None = None) -> None:
        """`paused`: host -> seconds it asked us to wait (stored pauses from earlier runs).
        `more` (a poller of a fleet): called, in a thread, whenever the work in hand runs low,
        for further tasks and their hosts' pauses; ([], {}) ends the run once the rest is done.
        `expected`: about how many feeds the run will parse (`tasks` may be only the first,
        and most feeds of an everyday poll answer 304): from PROCESS_THRESHOLD on, workers.
        `on_body`: called once, in the fetching thread, when the first new body arrives (so a
        run that began with nothing to store can get ready to store while fetching goes on);
        it must return at once."""
        self.tasks = tasks
        self._on_body = on_body
        self.more = more
        self.network = network
        self.paused = paused or {}
        self.snapshot = snapshot
        self.concurrency = concurrency
        self.per_host = per_host
        self._queue: queue.Queue[object] = queue.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="curator-fetch", daemon=True)
        self._pool = make_parse_pool(expected or len(tasks), snapshot)  # forked before the thread
        self._threads: ThreadPoolExecutor | None = None  # small runs, or every worker died
        self._ahead: asyncio.Semaphore  # made in the loop's thread (_amain)
        self._bodies: asyncio.Semaphore  # fetches in flight plus bodies not parsed yet

    def start(self) -> Pipeline:
        self._thread.start()
        self._ready.wait()
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._amain())
        except BaseException:  # noqa: BLE001 - cancelled or broken: the consumer sees _DONE
            pass
        finally:
            self._queue.put(self._DONE)

    async def _amain(self) -> None:
        self._ahead = asyncio.Semaphore(max(AHEAD, 2 * self.concurrency))
        self._bodies = asyncio.Semaphore(self.concurrency + BODIES_AHEAD)
        self._loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        self._ready.set()
        try:
            if self._pool is not None:
                try:
                    await self._pool.attach()
                except OSError:  # no pipe transports here: a thread parses instead
                    self._pool.close()
                    self._pool = None
            async with Fetcher(concurrency=self.concurrency, per_host=self.per_host,
                               network=self.network) as fetcher:
                for host, seconds in self.paused.items():
                    fetcher.pause_host(host, seconds)
                if self.more is None:
                    await asyncio.gather(*(self._one(fetcher, t) for t in self.tasks))
                else:
                    await self._fetch_and_claim(fetcher, self.more)
        finally:
            if self._pool is not None:
                self._pool.detach()

    async def _fetch_and_claim(self, fetcher: Fetcher, more: MoreTasks) -> None:
        """Fetch the tasks in hand; claim more whenever fewer than a few rounds of fetches are
        left, so a fleet's pollers share the work as it goes rather than split it up front."""
        loop = asyncio.get_running_loop()
        low = max(2 * self.concurrency, 16)
        pending = {asyncio.ensure_future(self._one(fetcher, t)) for t in self.tasks}
        try:
            while True:
                while len(pending) > low:
                    _done, pending = await asyncio.wait(pending,
                                                        return_when=asyncio.FIRST_COMPLETED)
                tasks, pauses = await loop.run_in_executor(None, more)
                if not tasks:
                    break
                for host, seconds in pauses.items():
                    fetcher.pause_host(host, seconds)
                pending |= {asyncio.ensure_future(self._one(fetcher, t)) for t in tasks}
            if pending:
                await asyncio.gather(*pending)
        finally:
            for future in pending:
                future.cancel()

    async def _one(self, fetcher: Fetcher, task: FeedTask) -> None:
        # At most `AHEAD` feeds are being fetched, parsed or waiting to be stored: the slot
        # is given back when the storing thread takes the feed (`_taken`), so a slow disk or
        # database holds the fetching back instead of letting parsed feeds pile up in memory.
        # Within that window, a body waits for a parser only while fewer than BODIES_AHEAD do.
        await self._ahead.acquire()
        try:
            async with self._bodies:
                result = await fetcher.fetch(FetchRequest(task.url, task.etag,
                                                          task.last_modified))
                arrival = Arrival(task, result)
                if result.status == 200 and result.body is not None:
                    if self._on_body is not None:
                        on_body, self._on_body = self._on_body, None
                        on_body()
                    arrival.parsed, arrival.guesses = await self._parse(task, result)
                    result.body = None  # free the memory early; the entries are what we keep
        except asyncio.CancelledError:
            self._ahead.release()
            raise
        except Exception as exc:  # noqa: BLE001 - one feed's bug must not end the run
            # a setting that cannot work (an unreadable CA file, met at an https redirect)
            # speaks for itself; anything else is a bug, named as one
            text = str(exc) if isinstance(exc, CuratorError) else \
                f"internal error: {type(exc).__name__}: {exc}"
            arrival = Arrival(task, FetchResult(url=task.url, final_url=task.url,
                                                error_kind="internal", error=text[:300]))
        self._queue.put(arrival)

    def _taken(self, count: int) -> None:
        """The storing thread took `count` feeds off the queue: their slots free up. One wake-up
        of the loop per batch, not per feed (each costs a write to the loop's self-pipe)."""
        if self._loop is not None and count:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._release, count)

    def _release(self, count: int) -> None:
        for _ in range(count):
            self._ahead.release()

    async def _parse(self, task: FeedTask, result: FetchResult
                     ) -> tuple[ParseOutcome, list[ThemeGuess] | None]:
        body = result.body or b""
        if self._pool is not None and self._pool.alive:
            # worker processes got the run's classifier when they started
            try:
                return await self._pool.run(body, result.headers, result.final_url,  # type: ignore[no-any-return]
                                            task.facts())
            except WorkerCrashed:
                from curator.poll.parse import ParseOutcome

                # a worker died (memory cap, crash): the others, or a thread, carry on
                return ParseOutcome(None, "the parser process crashed on this feed (too big or "
                                          "hostile?)"), None
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="curator-parse")
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, parse_and_classify, body, result.headers, result.final_url,
            task.facts(), self.snapshot)

    def batches(self, stop: threading.Event | None = None) -> Iterator[list[Arrival]]:
        """Yield finished feeds, grouping whatever is ready so writes stay few and short."""
        done = False
        while not done:
            if stop is not None and stop.is_set():
                return
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if item is self._DONE:
                return
            self._taken(1)  # at once: the fetching may wait on this very slot
            batch = [item]
            untaken = 0  # feeds in the batch whose slots are not given back yet
            entries = _count(item)  # type: ignore[arg-type]
            until = time.monotonic() + BATCH_WAIT
            while len(batch) < BATCH_FEEDS and entries < BATCH_ENTRIES:
                try:
                    item = self._queue.get(timeout=max(0.0, until - time.monotonic()))
                except queue.Empty:
                    break
                if item is self._DONE:
                    done = True
                    break
                batch.append(item)
                entries += _count(item)  # type: ignore[arg-type]
                untaken += 1
                if untaken >= TAKE_EVERY:
                    self._taken(untaken)
                    untaken = 0
            self._taken(untaken)
            yield batch  # type: ignore[misc]

    def close(self) -> None:
        """Cancel in-flight work and release threads and worker processes."""
        if self._loop is not None and self._main is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._main.cancel)
        self._thread.join(timeout=10)
        if self._pool is not None:
            self._pool.close()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)


def _count(arrival: Arrival) -> int:
    parsed = arrival.parsed
    return 1 + (len(parsed.feed.entries) if parsed and parsed.feed else 0)
