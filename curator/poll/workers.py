"""Worker processes fed straight from the poller's event loop, one pair of pipes each.

Why not `ProcessPoolExecutor`: every task crossed four threads on its way (the event loop, the
executor's manager thread, its queue feeder thread, the worker, the manager again, the event loop)
and each crossing is a GIL hand-off in the process that also fetches and stores. On a 2-core
machine that glue cost about half a second of CPU per 1000 feeds, more than the bodies' pickling.
Here the event loop writes each job to a worker's pipe and reads the answer from another, through
asyncio's pipe transports: no extra thread in the parent.

- A worker runs `fn(*args)` for each job and answers with its result (or the exception's text).
  Jobs are framed as multiprocessing's `Connection` frames, so the worker uses plain `recv_bytes`.
- Each worker has at most `DEPTH` jobs in flight, so it never waits for the next one; the rest
  wait in the parent. A worker that dies (memory cap, crash) fails the job it was working on with
  `WorkerCrashed`; its other job goes to a live worker. When none is left, `alive` turns False and
  the caller carries on without processes.
- `close()` stops and reaps the workers; jobs are disposable, so a worker still busy is killed.
  The pipes belong to the loop's transports once attached: `detach()` closes them from the loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

DEPTH = 2  # jobs in flight per worker: one being worked on, one waiting in its pipe
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_HEADER = struct.Struct("!i")  # multiprocessing.Connection's frame header (length, big-endian)


def _take_fd(conn: Connection) -> int:
    """The connection's pipe as a plain fd of our own (asyncio's transports want a file)."""
    fd = os.dup(conn.fileno())
    conn.close()
    return fd


def _shut(transport: asyncio.WriteTransport | asyncio.ReadTransport | None) -> None:
    """Close a pipe transport, dropping unsent jobs, unless it closed itself (a write pipe
    notices when its reader dies)."""
    if transport is None or transport.is_closing():
        return
    if isinstance(transport, asyncio.WriteTransport):
        transport.abort()
    else:
        transport.close()


class WorkerCrashed(Exception):
    """The worker process died while it held this job."""


def _die_with_parent(parent: int) -> None:
    """Never outlive the poller. On Linux the kernel kills this worker when its parent dies
    (SIGKILL, the OOM killer, a systemd stop), so no orphan lingers blocked on a pipe another
    worker inherited. Elsewhere workers are spawned, hold only their own pipes, and the
    parent's death shows as end-of-file."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if parent > 0 and os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(0)


def _worker_main(tasks: Connection, results: Connection, fn: Callable[..., Any],
                 initializer: Callable[..., None] | None, initargs: tuple[Any, ...],
                 parent: int) -> None:
    """A worker's loop: run each job, send back ("ok", result) or ("error", text)."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the run ends
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: `close` kills
    try:
        if initializer is not None:
            initializer(*initargs)
        while True:
            job_id, args = pickle.loads(tasks.recv_bytes())
            try:
                answer = pickle.dumps((job_id, "ok", fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - reported to the caller, never fatal here
                answer = pickle.dumps((job_id, "error", f"{type(exc).__name__}: {exc}"[:300]))
            results.send_bytes(answer)
    except (EOFError, OSError, MemoryError):
        pass  # the parent closed the pipes (or is gone), or the memory cap hit: just stop


@dataclass
class _Job:
    id: int
    args: tuple[Any, ...]  # pickled only when a worker takes it: a queued job holds no copy
    future: asyncio.Future[Any]


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process of the chosen context
    task_fd: int  # the parent's write end of the worker's job pipe
    result_fd: int  # the parent's read end of the worker's answer pipe
    inflight: collections.deque[_Job] = field(default_factory=collections.deque)
    writer: asyncio.WriteTransport | None = None
    reader: asyncio.ReadTransport | None = None
    attached: bool = False  # the fds now belong to the transports above
    alive: bool = True


class _Answers(asyncio.Protocol):
    """Reads one worker's answer frames and hands each to the pool."""

    def __init__(self, pool: ParsePool, worker: _Worker) -> None:
        self.pool, self.worker = pool, worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.buffer)
            if len(self.buffer) < _HEADER.size + size:
                return
            frame = bytes(self.buffer[_HEADER.size:_HEADER.size + size])
            del self.buffer[:_HEADER.size + size]
            self.pool._answered(self.worker, pickle.loads(frame))

    def eof_received(self) -> bool:
        self.pool._lost(self.worker)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.pool._lost(self.worker)


def _parent_pid(context: BaseContext) -> int:
    """The pid a worker's parent will have: this process, or the fork server that starts it."""
    if context.get_start_method() == "forkserver":
        return -1  # not known here; the fork server dies with this process anyway
    return os.getpid()


class ParsePool:
    """`await pool.run(*args)` runs `fn(*args)` in one of `workers` processes."""

    def __init__(self, fn: Callable[..., Any], workers: int, context: BaseContext,
                 initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        self._workers: list[_Worker] = []
        self._pending: collections.deque[_Job] = collections.deque()
        self._next_id = 0
        self._attached = False
        try:
            for _ in range(max(1, workers)):
                task_read, task_write = context.Pipe(duplex=False)
                result_read, result_write = context.Pipe(duplex=False)
                process = context.Process(  # type: ignore[attr-defined]
                    target=_worker_main, name="curator-parse", daemon=True,
                    args=(task_read, result_write, fn, initializer, initargs, _parent_pid(context)))
                process.start()
                task_read.close()  # the worker's ends: only the worker may hold them, so its
                result_write.close()  # death shows here as end-of-file
                self._workers.append(_Worker(process, _take_fd(task_write), _take_fd(result_read)))
        except BaseException:
            self.close()
            raise

    @property
    def alive(self) -> bool:
        return any(w.alive for w in self._workers)

    async def attach(self) -> None:
        """Connect the pipes to the running loop: once, from the loop that will run the jobs,
        before the first `run`."""
        if self._attached:
            return
        self._attached = True
        loop = asyncio.get_running_loop()
        for worker in self._workers:
            worker.attached = True
            writer, _ = await loop.connect_write_pipe(
                asyncio.BaseProtocol, os.fdopen(worker.task_fd, "wb", buffering=0))
            worker.writer = writer  # type: ignore[assignment]
            reader, _ = await loop.connect_read_pipe(
                lambda w=worker: _Answers(self, w),  # type: ignore[misc]
                os.fdopen(worker.result_fd, "rb", buffering=0))
            worker.reader = reader  # type: ignore[assignment]

    async def run(self, *args: Any) -> Any:
        """The job's result; WorkerCrashed if its worker died on it, RuntimeError on its error."""
        if not self._attached:
            raise RuntimeError("ParsePool.attach() must run first")
        if not self.alive:
            raise WorkerCrashed("no parser process left")
        self._next_id += 1
        job = _Job(self._next_id, args, asyncio.get_running_loop().create_future())
        self._pending.append(job)
        self._pump()
        try:
            status, value = await job.future
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                self._pending.remove(job)
            raise
        if status == "error":
            raise RuntimeError(value)
        return value

    def _pump(self) -> None:
        """Give waiting jobs to the least busy live workers."""
        while self._pending:
            live = [w for w in self._workers if w.alive and len(w.inflight) < DEPTH]
            if not live:
                return
            worker = min(live, key=lambda w: len(w.inflight))
            job = self._pending.popleft()
            if job.future.done():  # its caller gave up meanwhile
                continue
            worker.inflight.append(job)
            payload = pickle.dumps((job.id, job.args), protocol=pickle.HIGHEST_PROTOCOL)
            assert worker.writer is not None
            worker.writer.write(_HEADER.pack(len(payload)))
            worker.writer.write(payload)

    def _answered(self, worker: _Worker, answer: tuple[int, str, Any]) -> None:
        job_id, status, value = answer
        job = worker.inflight.popleft()  # a worker answers its jobs in the order they went out
        if job.id == job_id and not job.future.done():  # its caller may have given up meanwhile
            job.future.set_result((status, value))
        self._pump()

    def _lost(self, worker: _Worker) -> None:
        """A worker's answer pipe closed: it died. Its current job fails, the next one moves."""
        if not worker.alive:
            return
        worker.alive = False
        _shut(worker.writer)
        worker.writer = None
        if worker.inflight:
            job = worker.inflight.popleft()
            if not job.future.done():
                job.future.set_exception(WorkerCrashed("the parser process died on this job"))
        self._pending.extendleft(reversed(worker.inflight))
        worker.inflight.clear()
        if not self.alive:
            while self._pending:
                job = self._pending.popleft()
                if not job.future.done():
                    job.future.set_exception(WorkerCrashed("no parser process left"))
        self._pump()

    def detach(self) -> None:
        """Close the pipe transports (from the loop, before it stops); the run is over."""
        for worker in self._workers:
            worker.alive = False
            _shut(worker.writer)
            _shut(worker.reader)
            worker.writer = worker.reader = None

    def close(self, timeout: float = 2.0) -> None:
        """Stop every worker (killing one still busy) and reap it; safe to call twice."""
        for worker in self._workers:
            if not worker.attached:  # never handed to a loop: the fds are still ours
                for fd in (worker.task_fd, worker.result_fd):
                    with contextlib.suppress(OSError):
                        os.close(fd)
            worker.alive = False
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout)
        self._workers.clear()
