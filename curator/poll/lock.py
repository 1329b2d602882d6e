"""One poller per database: an advisory lock file next to it (or in the cache dir).

Its own small module so that asking "is a poller running?" (the TUI does, on start) does not
import the poller and its HTTP and parsing stack. The `filelock` package does the locking, on
every platform; it also makes sure a process forked while the lock is held (a parse worker) does
not keep holding it after the poller dies, so a killed poll never blocks the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

from curator.errors import ConflictError


class PollerLock:
    """One poller per database: an advisory lock file next to it (or in the cache dir)."""

    def __init__(self, db_location: str, cache_dir: Path) -> None:
        if "://" in db_location or db_location == ":memory:":
            digest = hashlib.sha1(db_location.encode()).hexdigest()[:16]
            self.path = cache_dir / f"poller-{digest}.lock"
        else:
            self.path = Path(db_location + ".poller.lock")
        self._lock: Any = None  # a held filelock.FileLock
        self.took_over: int | None = None  # pid of a poller that died holding the lock

    @staticmethod
    def _file_lock(path: Path, **options: Any) -> Any:
        import filelock  # ~40 ms of imports: only when a poll starts or the TUI asks

        return filelock.FileLock(path, timeout=0, **options)

    def acquire(self) -> None:
        import filelock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            lock = self._file_lock(self.path, on_acquired=self._claim)
        except ValueError:  # a soft lock (no native locking here) has no descriptor to write to
            lock = self._file_lock(self.path)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise ConflictError(f"another curator poller is already running on this database "
                                f"(lock {self.path}); stop it or wait for it to finish") from None
        except OSError as exc:
            raise ConflictError(f"cannot take the poller lock {self.path}: "
                                f"{exc.strerror or exc}") from None
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):  # a clean end leaves no pid behind
                os.truncate(self.path, 0)
            self._lock.release()
            self._lock = None

    def _claim(self, fd: int) -> None:
        """Note a pid left in the file (its poller died without releasing), then write ours."""
        with contextlib.suppress(OSError, ValueError):
            os.lseek(fd, 0, os.SEEK_SET)
            left = int(os.read(fd, 32).decode("ascii").strip() or 0)
            if left and left != os.getpid() and not _running(left):
                self.took_over = left
        _write_pid(fd)

    def note(self) -> str | None:
        """One line for the user when this poller took over from one that died."""
        if self.took_over is None:
            return None
        return (f"note: the poller before this one (pid {self.took_over}) ended without "
                f"finishing; its lock {self.path.name} was taken over")

    def held_elsewhere(self) -> bool:
        """True when some poller (another process, or this one) holds the lock right now."""
        if not self.path.exists():
            return False
        import filelock

        probe = self._file_lock(self.path)
        try:
            probe.acquire()
        except filelock.Timeout:
            return True
        except OSError:
            return False
        probe.release()
        return False

    def __enter__(self) -> PollerLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _write_pid(fd: int) -> None:
    """Who holds the lock, for a person looking at the file."""
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"{os.getpid()}\n".encode())


def _running(pid: int) -> bool:
    """Whether a process exists (POSIX; on Windows signal 0 would end it, so assume yes)."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
