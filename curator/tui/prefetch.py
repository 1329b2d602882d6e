"""The inbox's first page, read by a forked helper while the app process imports its UI.

Opening the TUI is two long chains of work: Textual (imports, then building the screen) and the
data layer (SQLAlchemy, SQLModel, pydantic and the models, about half a second of imports, then
the query). One interpreter runs them one after the other and threads cannot overlap them (one
interpreter lock), so the first screen waited for both. A child forked before either starts runs
the data chain on another core: it builds the facade, runs the inbox's own first load
(`inbox_page.first_page`, the code behind every keystroke) and its counts, and sends the plain
results back through a pipe; then it exits.

Where there is no `fork` (Windows, or a Python built without it) the helper is a spawned
interpreter instead (`python -m curator.tui.prefetch`, told what to open on its stdin, answering
on its stdout): it pays its own imports, but on the other core, so the overlap still holds.
Anything unusual (the child failing or being cancelled) and the inbox just makes its first load
itself, as it always did. Only the child opens the database until its first answer, so a new or
older database is created or migrated by one process.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from contextlib import suppress
from typing import TYPE_CHECKING

from curator.tui.inbox_page import InboxPage

if TYPE_CHECKING:
    from curator.config import Settings
    from curator.paths import Locations

_HEADER = struct.Struct("!Q")


class FirstPagePrefetch:
    """Parent's side: `page()` then `counts()` (blocking: call them from a worker thread)."""

    def __init__(self, pid: int, fd: int, process: subprocess.Popen[bytes] | None = None) -> None:
        self.pid, self._fd = pid, fd
        self._process = process  # the spawned helper (None: a forked one, reaped by pid)
        self._closing = threading.Lock()  # the inbox's worker and the app's exit may both close

    @classmethod
    def start(cls, locations: Locations, settings: Settings) -> FirstPagePrefetch | None:
        """Fork the helper where the platform has fork (Linux), else spawn one."""
        if sys.platform.startswith("linux") and hasattr(os, "fork"):
            return cls._fork(locations, settings)
        return cls._spawn(locations, settings)

    @classmethod
    def _fork(cls, locations: Locations, settings: Settings) -> FirstPagePrefetch | None:
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # the child never returns from here
            os.close(read_fd)
            _serve(write_fd, locations, settings)
        os.close(write_fd)
        return cls(pid, read_fd)

    @classmethod
    def _spawn(cls, locations: Locations, settings: Settings) -> FirstPagePrefetch | None:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "curator.tui.prefetch"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            return None
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(pickle.dumps((locations, settings)))
            process.stdin.close()
        except OSError:
            process.kill()
            process.wait()
            return None
        return cls(process.pid, os.dup(process.stdout.fileno()), process)

    def page(self) -> InboxPage | None:
        value = self._receive()
        return value if isinstance(value, InboxPage) else None

    def counts(self) -> tuple[dict[str, int], float] | None:
        value = self._receive()
        return value if isinstance(value, tuple) else None

    def close(self) -> None:
        """Stop listening and reap the helper (stopped if still at work: it only reads by then,
        or is inside a transaction that SQLite rolls back)."""
        with self._closing:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            if self._process is not None:
                if self._process.poll() is None:
                    self._process.terminate()
                self._process.wait()
                if self._process.stdout is not None:
                    self._process.stdout.close()
                self._process, self.pid = None, 0
            if self.pid:
                with suppress(ChildProcessError):
                    if os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                        with suppress(ProcessLookupError):
                            os.kill(self.pid, signal.SIGTERM)
                        os.waitpid(self.pid, 0)
                self.pid = 0

    def _receive(self) -> object:
        header = self._read(_HEADER.size)
        if header is None:
            return None
        body = self._read(_HEADER.unpack(header)[0])
        return pickle.loads(body) if body is not None else None  # noqa: S301 (our own child)

    def _read(self, size: int) -> bytes | None:
        chunks, left = [], size
        while left and self._fd >= 0:
            chunk = os.read(self._fd, min(left, 1 << 20))
            if not chunk:
                return None  # the helper exited early: the inbox loads by itself
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks) if not left else None


def _serve(fd: int, locations: Locations, settings: Settings) -> None:
    """In the child: load, send, exit. Never returns, never touches the terminal."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            if target != fd:
                os.dup2(devnull, target)
        from curator.launch.quiet import quiet_imports
        from curator.tui.inbox_page import count_page, first_page

        with quiet_imports():
            from curator.services import Curator

        curator = Curator(locations, settings)
        try:
            page = first_page(curator)
            _send(fd, page)
            _send(fd, count_page(curator, page))
        finally:
            curator.close()
    except BaseException:  # noqa: BLE001 (the parent falls back to its own load)
        code = 1
    finally:
        os._exit(code)


def _send(fd: int, value: object) -> None:
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(_HEADER.pack(len(body)) + body)
    while data:
        data = data[os.write(fd, data):]


def _spawned_main() -> None:
    """`python -m curator.tui.prefetch`: read what to open from stdin, answer on stdout."""
    try:
        locations, settings = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 (our parent)
        answer = os.dup(1)
    except BaseException:  # noqa: BLE001 (the parent falls back to its own load)
        os._exit(1)
    _serve(answer, locations, settings)


if __name__ == "__main__":
    _spawned_main()
