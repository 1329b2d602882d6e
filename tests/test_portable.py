"""Windows-like conditions on Linux: no POSIX-only modules, no fork, spawn-only workers.

The facilitator's laptop runs Windows. These tests take away what Windows lacks (fcntl and the
other POSIX-only modules, `os.fork`, fork-based multiprocessing) and run the real commands.
"""

from __future__ import annotations

import json
import os
import pkgutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import write_opml

import curator

POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "resource", "pwd", "grp")

# run first in the child: Python as Windows would have it, as far as curator can tell
WINDOWS_LIKE = textwrap.dedent(f"""
    import multiprocessing, os, sys
    for name in {POSIX_ONLY!r}:
        sys.modules[name] = None  # 'import fcntl' now raises ImportError
    del os.fork
    multiprocessing.get_all_start_methods = lambda: ["spawn"]
""")


def run_windows_like(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = WINDOWS_LIKE + textwrap.dedent(f"""
        sys.argv = ["curator", *{list(args)!r}]
        from curator.cli import main
        main()
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=120)


def test_every_core_module_imports_without_posix_only_modules() -> None:
    modules = [m.name for m in pkgutil.walk_packages(curator.__path__, "curator.")
               if not m.name.endswith("__main__")]
    script = WINDOWS_LIKE + textwrap.dedent(f"""
        import importlib
        for name in {modules!r}:
            importlib.import_module(name)
        print("ok", len({modules!r}))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok")


def test_feeds_list_and_poll_without_fcntl_or_fork(tmp_path: Path) -> None:
    """14 feeds: enough for parse worker processes, which must then be spawned."""
    with FeedServer() as server:
        urls = [server.route(f"/f{i}", Reply(body=rss([(f"g{i}-{j}", f"Post {i}.{j}",
                                                         f"http://b{i}.example/{j}")
                                                        for j in range(3)]), etag=f'"e{i}"'))
                for i in range(14)]
        write_opml(tmp_path / "feeds.opml", urls, person="Pat Doe")
        env = {**os.environ, "CURATOR_OPML": str(tmp_path / "feeds.opml"),
               "CURATOR_DB": str(tmp_path / "c.db")}
        listed = run_windows_like("feeds", "list", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        assert len(json.loads(listed.stdout)) == 14
        polled = run_windows_like("poll", "--json", env=env)
        assert polled.returncode == 0, polled.stderr
        data = json.loads(polled.stdout)
        assert data["feeds"] == 14 and data["new_posts"] == 42 and data["errors"] == 0
        again = run_windows_like("poll", "--all", "--json", env=env)  # the lock was let go
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["not_modified"] == 14


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_keep_the_poller_lock(tmp_path: Path) -> None:
    """A parse worker forked while the poll holds the lock must not hold it once the poll is
    killed: the next poll starts at once."""
    db = str(tmp_path / "c.db")
    ready = tmp_path / "ready"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from curator.poll.lock import PollerLock
        lock = PollerLock({db!r}, Path({str(tmp_path)!r}))
        lock.acquire()
        if os.fork() == 0:  # a worker that outlives its parent for a while
            time.sleep(30)
            os._exit(0)
        Path({str(ready)!r}).touch()
        time.sleep(60)
    """)])
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        from curator.poll.lock import PollerLock

        lock = PollerLock(db, tmp_path)
        assert lock.held_elsewhere()
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        started = time.monotonic()
        lock.acquire()  # the orphaned child is still alive, but holds nothing
        lock.release()
        assert time.monotonic() - started < 2
    finally:
        holder.kill()
        holder.wait()
