"""Atomic file replacement, a cross-process lock for read-modify-write of feeds.opml, and a
file's identity (to skip re-reading a file nothing has changed).

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

from curator.errors import ConflictError, CuratorError, OpmlError

LOCK_TIMEOUT_S = 30.0
STALE_TEMP_S = 600.0  # temp files this old were left by a writer that crashed


def lock_path(path: Path) -> Path:
    """The sidecar lock file, beside the real file (a symlinked feeds.opml locks its target)."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.lock")


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT_S, *, required: bool = True
              ) -> Iterator[None]:
    """Hold an exclusive lock for `path` (via `.NAME.lock` beside it) across processes.

    The `filelock` package does the locking (flock on POSIX, LockFileEx on Windows), and a
    process forked while holding it does not keep it. With `required=False` (read-only callers)
    the lock file is not created: when no editor has made one yet, or the folder is read-only,
    the caller proceeds without locking.
    """
    target = lock_path(path)
    if not required and not target.exists():
        yield
        return
    import filelock  # ~40 ms of imports: only when a file is really locked

    lock = filelock.FileLock(target, timeout=timeout, mode=0o666 & ~current_umask())
    try:
        if required:
            target.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout:
        raise ConflictError(f"{path.name} is locked by another curator process; try again") \
            from None
    except OSError as exc:
        if not required:
            yield
            return
        raise OpmlError(f"cannot lock {path}: {exc.strerror or exc} ({target.parent})") from None
    try:
        yield
    finally:
        lock.release()


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], data: bytes,
                 error: type[CuratorError] = OpmlError) -> Path:
    """Replace `path` with `data` so that readers see either the old or the new file, never half.

    A symlink is followed (its target is rewritten, the link stays); a new file gets the mode
    the umask allows, an existing one keeps its own. Failures raise `error` with one line.
    Returns the path written (the symlink's target, if it was one).
    """
    path = Path(os.path.realpath(Path(path).expanduser()))
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc} (folder {folder})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists()
                     else 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise error(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    _fsync_dir(folder)
    _remove_stale_temps(path)
    return path


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


def file_identity(path: Path) -> str | None:
    """The file as it is now: its full path, inode, size and change times (None if absent).

    Equal identities mean the same unchanged file, so a mirror of it need not be read again
    (an editor's save or a copy over it changes the inode or a time).
    """
    try:
        info = path.stat()
    except OSError:
        return None
    return (f"{path.resolve()}|{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:"
            f"{info.st_ctime_ns}")
