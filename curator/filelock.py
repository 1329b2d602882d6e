"""Atomic file replacement and a cross-process lock for read-modify-write of feeds.opml.

A crash mid-write must leave the old file byte-identical, so we write a temp file in the same folder,
fsync it, and rename it over the original (rename is atomic on POSIX and Windows). Two processes
editing the list (TUI + CLI, or the poller recording a redirect) take an exclusive lock on a sidecar
file first, so neither edit is lost.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from curator.errors import ConflictError, OpmlError

LOCK_TIMEOUT_S = 30.0
STALE_TEMP_S = 600.0  # temp files this old were left by a writer that crashed

try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT_S, *, required: bool = True
              ) -> Iterator[None]:
    """Hold an exclusive lock for `path` (via `.NAME.lock` beside it) across processes.

    With `required=False` (read-only callers) the lock file is not created: when no editor has
    made one yet, or the folder is read-only, the caller proceeds without locking.
    """
    target = lock_path(path)
    try:
        if required:
            target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | (os.O_CREAT if required else 0), 0o644)
    except OSError as exc:
        if not required:
            yield
            return
        raise OpmlError(f"cannot lock {path}: {exc.strerror or exc} ({target.parent})") from None
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise ConflictError(f"{path.name} is locked by another curator process; try again")
            time.sleep(0.02)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers see either the old or the new file, never half."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OpmlError(f"cannot write {path}: {exc.strerror or exc} (folder {folder})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OpmlError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    _fsync_dir(folder)
    _remove_stale_temps(path)


def _remove_stale_temps(path: Path) -> None:
    cutoff = time.time() - STALE_TEMP_S
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op where directories cannot be opened)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
