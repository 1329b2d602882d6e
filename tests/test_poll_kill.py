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

from httpserver import FeedServer, Reply, rss
from pollkit import write_opml

CHILD = """
from curator.services import open_curator
c = open_curator()
for o in c.poll_iter(force=True, concurrency=8):
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
            proc = subprocess.Popen([sys.executable, "-c", CHILD], env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
            lines: list[str] = []
            reader = threading.Thread(target=lines.extend, args=(proc.stdout,), daemon=True)
            reader.start()
            deadline = time.monotonic() + 60
            while not lines and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait(timeout=30)
            reader.join(timeout=10)
            for line in lines:
                # a kill can cut the last line short: only whole lines were reported
                if line.endswith("\n") and line.strip() and not line.startswith("DONE"):
                    url, count = line.split()
                    reported[url] += int(count)
            with sqlite3.connect(tmp_path / "k.db") as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                stored = dict(conn.execute(
                    "SELECT f.url, count(ps.id) FROM feed f LEFT JOIN post_source ps "
                    "ON ps.feed_id = f.id GROUP BY f.url").fetchall())
            for url, count in reported.items():
                assert stored.get(url, 0) >= count, (url, count, stored.get(url))
        print(f"killed {killed} of 4 runs")
        assert killed >= 2  # the test really interrupted runs
        # a clean run afterwards completes the set and duplicates nothing
        done = subprocess.run([sys.executable, "-c", CHILD], env=env, text=True,
                              capture_output=True, timeout=120)
        assert done.stdout.rstrip().endswith("DONE")
        with sqlite3.connect(tmp_path / "k.db") as conn:
            assert conn.execute("SELECT count(*) FROM post").fetchone()[0] == 40 * 20
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
