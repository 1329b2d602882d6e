"""One poller per database: an advisory lock file next to it (or in the cache dir).

Its own small module so that asking "is a poller running?" (the TUI does, on start) does not
import the poller and its HTTP and parsing stack.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from pathlib import Path

from curator.errors import ConflictError


class PollerLock:
    """One poller per database: an advisory lock file next to it (or in the cache dir)."""

    def __init__(self, db_location: str, cache_dir: Path) -> None:
        if "://" in db_location or db_location == ":memory:":
            digest = hashlib.sha1(db_location.encode()).hexdigest()[:16]
            self.path = cache_dir / f"poller-{digest}.lock"
        else:
            self.path = Path(db_location + ".poller.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ConflictError(f"another curator poller is already running on this database "
                                f"(lock {self.path}); stop it or wait for it to finish") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def held_elsewhere(self) -> bool:
        """True when some poller (another process, or this one) holds the lock right now."""
        if not self.path.exists():
            return False
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
        return False

    def __enter__(self) -> PollerLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
