"""SIGKILL the poller at random moments: the database stays sound and reported posts survive."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from httpserver import FeedServer, Reply, rss
from pollkit import assert_sound_and_kept, start_reporting, tally_reported, write_opml

CHILD = """
from curator.services import open_curator
c = open_curator()
for o in c.polls.poll_iter(force=True, concurrency=8):
    print(o.url, o.new_posts, flush=True)
print("DONE", flush=True)
"""


def test_sigkill_never_corrupts_or_loses_reported_posts(tmp_path) -> None:
    rng = random.Random(1234)
    with FeedServer() as server:
        urls = [server.route(f"/k{i}", Reply(body=rss([(f"k{i}-{j}", f"Story {j}",
                                                         f"http://k{i}.example/{j}")
                                                        for j in range(20)]),
                                             delay=0.05 + 0.1 * (i % 5)))  # ~1.3 s a run
                for i in range(40)]
        write_opml(tmp_path / "feeds.opml", urls)
        env = dict(os.environ, CURATOR_DB=str(tmp_path / "k.db"),
                   CURATOR_OPML=str(tmp_path / "feeds.opml"))
        reported: Counter[str] = Counter()
        killed = 0
        for _ in range(4):
            proc, lines, reader = start_reporting([sys.executable, "-c", CHILD], env)
            deadline = time.monotonic() + 60
            while not lines and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait(timeout=30)
            reader.join(timeout=10)
            tally_reported(lines, reported)
            assert_sound_and_kept(tmp_path / "k.db", reported)
        print(f"killed {killed} of 4 runs")
        assert killed >= 2  # the test really interrupted runs
        # a clean run afterwards completes the set and duplicates nothing
        done = subprocess.run([sys.executable, "-c", CHILD], env=env, text=True,
                              capture_output=True, timeout=120)
        assert done.stdout.rstrip().endswith("DONE")
        with sqlite3.connect(tmp_path / "k.db") as conn:
            assert conn.execute("SELECT count(*) FROM post").fetchone()[0] == 40 * 20
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


PROBING_CHILD = """
import sys
from curator.services import open_curator
c = open_curator()
c.posts.count_posts()  # the database exists (schema and all) before the run can be killed
lock = c.polls._poller_lock()
lock.acquire()  # raises 'another curator poller is already running' if a dead run still holds it
lock.release()
print("STARTED", flush=True)
for o in c.polls.poll_iter(force=True, concurrency=10):
    print(o.url, o.new_posts, flush=True)
print("DONE", flush=True)
"""


def _read_lines(proc: subprocess.Popen[str], lines: list[str]) -> threading.Thread:
    reader = threading.Thread(target=lines.extend, args=(proc.stdout,), daemon=True)
    reader.start()
    return reader


def _start(env: dict[str, str]) -> tuple[subprocess.Popen[str], list[str], threading.Thread]:
    """A poll that says STARTED once it holds the lock (a dead run's lock would stop it)."""
    proc = subprocess.Popen([sys.executable, "-c", PROBING_CHILD], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[str] = []
    reader = _read_lines(proc, lines)
    deadline = time.monotonic() + 30
    while not lines and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert lines and lines[0] == "STARTED\n", proc.stderr.read() if proc.stderr else ""
    return proc, lines, reader


def test_sigkill_of_the_poller_alone_never_blocks_the_next_poll(tmp_path: Path) -> None:
    """Only the poller is killed (as the OOM killer or `kill -9 PID` does), not its workers;
    after each of 20 kills the next poll starts within 2 s and completes."""
    rng = random.Random(2026)
    with FeedServer() as server:
        urls = [server.route(f"/k{i}", Reply(body=rss([(f"k{i}-{j}", f"Story {j}",
                                                         f"http://k{i}.example/{j}")
                                                        for j in range(10)]),
                                             delay=0.03 * (i % 4)))  # ~1.5 s a run
                for i in range(300)]
        write_opml(tmp_path / "feeds.opml", urls)
        env = dict(os.environ, CURATOR_DB=str(tmp_path / "k.db"),
                   CURATOR_OPML=str(tmp_path / "feeds.opml"))
        reported: Counter[str] = Counter()
        killed = 0
        for _ in range(20):
            proc, lines, reader = _start(env)
            time.sleep(rng.uniform(0.0, 1.2))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)  # the poller only: workers are left to die
                killed += 1
            killed_at = time.monotonic()
            proc.wait(timeout=30)
            reader.join(timeout=10)
            tally_reported(lines, reported)
            assert_sound_and_kept(tmp_path / "k.db", reported)
            after, after_lines, after_reader = _start(env)
            assert time.monotonic() - killed_at < 2.0  # started within 2 s of the kill
            after.wait(timeout=180)
            after_reader.join(timeout=10)
            assert after_lines[-1] == "DONE\n", after.stderr.read() if after.stderr else ""
            tally_reported(after_lines, reported)
            assert_sound_and_kept(tmp_path / "k.db", reported)
        assert killed >= 10  # the runs really were interrupted (most of them)
        with sqlite3.connect(tmp_path / "k.db") as conn:
            assert conn.execute("SELECT count(*) FROM post").fetchone()[0] == 300 * 10
