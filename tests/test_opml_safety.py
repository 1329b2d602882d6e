"""The feed list is never damaged: crashes mid-write and concurrent editors lose nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from curator import safe_files as filelock
from curator.errors import ConflictError, OpmlError
from curator.feeds.opml import OpmlDocument
from curator.paths import Locations
from curator.safe_files import atomic_write, file_lock
from curator.services import Curator

START = (b'<?xml version="1.0"?>\n<opml version="1.0"><head><title>mine</title></head><body>\n'
         b'  <outline text="A" xmlUrl="https://a.example/feed"/>\n</body></opml>\n')


def _service(tmp_path: Path) -> Curator:
    return Curator(Locations.resolve(db=str(tmp_path / "c.db"), opml=str(tmp_path / "feeds.opml")))


def test_failed_rename_leaves_old_file_byte_identical(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(START)

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(filelock.os, "replace", boom)
    service = _service(tmp_path)
    with pytest.raises(OpmlError, match="No space left"):
        service.feeds.add_feed("https://b.example/feed", discover=False)
    service.close()
    assert opml.read_bytes() == START
    assert sorted(p.name for p in tmp_path.iterdir() if "feeds.opml" in p.name) == [
        ".feeds.opml.lock", "feeds.opml"]  # the temp file was cleaned up


def test_process_killed_mid_write_leaves_old_file(tmp_path: Path) -> None:
    """A real crash: the writer process dies after writing the temp file, before the rename."""
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(START)
    script = textwrap.dedent(f"""
        import os
        from curator import safe_files as filelock
        from curator.paths import Locations
        from curator.services import Curator
        def die(fd):
            os._exit(9)
        filelock.os.fsync = die
        service = Curator(Locations.resolve(db={str(tmp_path / 'c.db')!r},
                                            opml={str(opml)!r}))
        service.feeds.add_feed("https://b.example/feed", discover=False)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 9
    assert opml.read_bytes() == START
    assert [f.url for f in OpmlDocument.load(opml).feeds()] == ["https://a.example/feed"]
    # the crashed writer's temp file is swept up by a later write once it is old
    leftovers = list(tmp_path.glob(".feeds.opml.*.tmp"))
    assert len(leftovers) == 1
    os.utime(leftovers[0], (time.time() - 3600, time.time() - 3600))
    service = _service(tmp_path)
    service.feeds.add_feed("https://b.example/feed", discover=False)
    service.close()
    assert not list(tmp_path.glob(".feeds.opml.*.tmp"))


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.opml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640


WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from curator.paths import Locations
    from curator.services import Curator
    opml, db, name, go = sys.argv[1:5]
    service = Curator(Locations.resolve(db=db, opml=opml))
    while not Path(go).exists():
        time.sleep(0.005)
    for i in range(12):
        service.feeds.add_feed(f"https://{name}-{i}.example/feed", discover=False, category=name)
        if i % 4 == 0:
            service.feeds.edit_feed("https://a.example/feed", title=f"{name} {i}")
    service.close()
""")


def test_two_processes_editing_concurrently_lose_nothing(tmp_path: Path) -> None:
    opml, db, go = tmp_path / "feeds.opml", tmp_path / "c.db", tmp_path / "go"
    opml.write_bytes(START)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(opml), str(db), name, str(go)],
                              stderr=subprocess.PIPE) for name in ("left", "right")]
    time.sleep(0.3)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    urls = {f.url for f in OpmlDocument.load(opml).feeds()}
    expected = {f"https://{n}-{i}.example/feed" for n in ("left", "right") for i in range(12)}
    assert urls == expected | {"https://a.example/feed"}
    service = _service(tmp_path)
    assert {f.url for f in service.feeds.list_feeds()} == urls  # the database agrees with the file
    service.close()


def test_lock_times_out_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "feeds.opml"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from pathlib import Path
        from curator.safe_files import file_lock
        with file_lock(Path({str(path)!r})):
            Path({str(tmp_path / 'held')!r}).touch()
            time.sleep(5)
    """)])
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "held").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(ConflictError, match="locked by another curator process"), \
                file_lock(path, timeout=0.2):
            pass
    finally:
        holder.kill()
        holder.wait()
    with file_lock(path, timeout=1):  # released when the holder dies
        assert os.path.exists(filelock.lock_path(path))
