"""Several pollers on one PostgreSQL database: every feed fetched once, per-host limits held by
the fleet, one post per story, and a killed poller's feeds taken over once its lease expires.

Each poller is a real `curator` process with a CURATOR_HOME of its own (as on separate machines);
the feeds live on three loopback hosts, 127.0.0.2-4, each a server that counts its requests and
the most it answered at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import start_reporting, tally_reported, write_opml
from sqlalchemy import text

from curator.paths import Locations
from curator.services import Curator

pytestmark = pytest.mark.pg_only

HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
PER_HOST = 3

POLLER = """
import sys
from curator.services import open_curator
c = open_curator()
for o in c.polls.poll_iter(concurrency=10, per_host=int(sys.argv[1])):
    print(o.url, o.new_posts, flush=True)
    if o.error: print(o.url, o.status, o.error, file=sys.stderr)
print("DONE", flush=True)
"""


@contextmanager
def three_hosts() -> Iterator[list[FeedServer]]:
    with ExitStack() as stack:
        yield [stack.enter_context(FeedServer(host=host)) for host in HOSTS]


def _feeds(servers: list[FeedServer], per_host: int, entries: int, delay: float,
           links: str = "own") -> list[str]:
    """`per_host` feeds on each server, `entries` stories each; `links="shared"`: feed i on
    every host carries the same stories (an aggregator and the blogs it copies)."""
    urls = []
    for server in servers:
        for i in range(per_host):
            prefix = f"{i}" if links == "shared" else f"{server.host}-{i}"
            items = [(f"g-{server.host}-{i}-{j}", f"Story {prefix} {j}",
                      f"http://stories.example/{prefix}/{j}") for j in range(entries)]
            urls.append(server.route(f"/f{i}", Reply(body=rss(items), delay=delay)))
    return urls


def _subscribe(db: str, tmp_path: Path, urls: list[str]) -> None:
    """The shared feed list, imported once by a facilitator."""
    opml = write_opml(tmp_path / "facilitator.opml", urls)
    cur = Curator(Locations.resolve(db, str(opml)))
    cur.feeds.sync_opml()
    cur.close()


def _env(tmp_path: Path, db: str, name: str, lease: str | None = None) -> dict[str, str]:
    home = tmp_path / name
    home.mkdir()
    if lease:
        config = home / "config"
        config.mkdir()
        (config / "config.toml").write_text(f'[poll]\nlease = "{lease}"\n')
    return dict(os.environ, CURATOR_HOME=str(home), CURATOR_DB=db)


def _scalar(db: str, sql: str) -> int:
    cur = Curator(Locations.resolve(db))
    with cur.context.db.read() as tx:
        value = int(tx.execute(text(sql)).scalar_one())
    cur.close()
    return value


def _hits(servers: list[FeedServer]) -> Counter[str]:
    return Counter(f"{s.host}{seen.path}" for s in servers for seen in s.requests)


def test_three_pollers_fetch_every_feed_exactly_once_within_the_fleets_host_limit(
        db_location: str, tmp_path: Path) -> None:
    with three_hosts() as servers:
        urls = _feeds(servers, per_host=200, entries=20, delay=0.03)  # ~2 s a host
        _subscribe(db_location, tmp_path, urls)
        procs = [subprocess.Popen([sys.executable, "-c", POLLER, str(PER_HOST)], text=True,
                                  env=_env(tmp_path, db_location, f"poller{n}"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for n in range(3)]
        outputs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [err for _out, err in outputs]
        hits = _hits(servers)
        assert len(hits) == 600 and set(hits.values()) == {1}, hits.most_common(3)
        assert [s.most_in_flight for s in servers] <= [PER_HOST] * 3
        assert max(s.most_in_flight for s in servers) <= PER_HOST
    polled = [sum(1 for line in out.splitlines() if line.startswith("http")) for out, _ in outputs]
    assert sum(polled) == 600
    assert sum(1 for n in polled if n) >= 2, polled  # the work was shared
    assert _scalar(db_location, "SELECT count(*) FROM post") == 12_000
    assert _scalar(db_location, "SELECT count(DISTINCT link) FROM post") == 12_000
    assert _scalar(db_location, "SELECT count(*) FROM host_lease WHERE owner IS NOT NULL") == 0
    assert _scalar(db_location, "SELECT count(*) FROM poller") == 0


def test_two_pollers_storing_the_same_stories_from_different_feeds_keep_one_post_each(
        db_location: str, tmp_path: Path) -> None:
    """Two feed sets on two hosts carry the same 4,000 links: 4,000 posts, each with two
    sources, however the two pollers' batches interleave."""
    with three_hosts() as servers:
        urls = _feeds(servers[:2], per_host=100, entries=40, delay=0.0, links="shared")
        _subscribe(db_location, tmp_path, urls)
        procs = [subprocess.Popen([sys.executable, "-c", POLLER, "4"], text=True,
                                  env=_env(tmp_path, db_location, f"poller{n}"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for n in range(2)]
        outputs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err for _out, err in outputs]
        assert len(_hits(servers)) == 200
    assert _scalar(db_location, "SELECT count(*) FROM post") == 4_000
    assert _scalar(db_location, "SELECT count(DISTINCT link) FROM post") == 4_000
    assert _scalar(db_location, "SELECT count(*) FROM post_source") == 8_000


def test_a_killed_pollers_hosts_are_taken_over_once_its_lease_expires(
        db_location: str, tmp_path: Path) -> None:
    """kill -9 of one of three watching pollers mid-run: the others fetch its feeds once its
    2-second lease runs out; every post it reported is stored, and a feed is fetched twice
    only if the victim had fetched it without storing the result."""
    with three_hosts() as servers:
        urls = _feeds(servers, per_host=60, entries=5, delay=0.1)  # ~2 s a host at 3 at once
        _subscribe(db_location, tmp_path, urls)
        watch = [sys.executable, "-m", "curator", "poll", "--watch", "--every", "1",
                 "--concurrency", "10", "--per-host", str(PER_HOST)]
        victim, lines, reader = start_reporting(
            [sys.executable, "-c", POLLER, str(PER_HOST)],
            _env(tmp_path, db_location, "victim", lease="2s"))
        deadline = time.monotonic() + 60
        while len(lines) < 10 and time.monotonic() < deadline:  # it owns a host, mid-way
            time.sleep(0.01)
        others = [subprocess.Popen(watch, text=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE,
                                   env=_env(tmp_path, db_location, f"watcher{n}", lease="2s"))
                  for n in range(2)]
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        reader.join(timeout=10)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and _scalar(
                    db_location, "SELECT count(*) FROM feed WHERE last_polled_at IS NULL"):
                time.sleep(0.5)
            assert _scalar(db_location,
                           "SELECT count(*) FROM feed WHERE last_polled_at IS NULL") == 0
        finally:
            for proc in others:
                proc.send_signal(signal.SIGTERM)
            errors = [proc.communicate(timeout=60)[1] for proc in others]
        assert [proc.returncode for proc in others] == [0, 0], errors
        hits = _hits(servers)
        assert len(hits) == 180
    reported: Counter[str] = Counter()
    tally_reported(lines, reported)
    assert reported, "the victim was killed before it stored anything"
    stored_by_victim = {f"{urlsplit(url).hostname}{urlsplit(url).path}" for url in reported}
    twice = {path for path, n in hits.items() if n > 1}
    assert not twice & stored_by_victim, twice & stored_by_victim
    assert max(hits.values()) <= 2
    cur = Curator(Locations.resolve(db_location))
    with cur.context.db.read() as tx:
        stored = dict(tx.execute(text(
            "SELECT f.url, count(ps.id) FROM feed f LEFT JOIN post_source ps "
            "ON ps.feed_id = f.id GROUP BY f.url")).all())
    cur.close()
    for url, count in reported.items():
        assert stored.get(url, 0) >= count, (url, count)
    assert _scalar(db_location, "SELECT count(*) FROM post") == 180 * 5


def test_claiming_a_whole_due_list_reads_it_once_not_once_per_claim(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """10,000 blogs are mostly 10,000 hosts: a claim takes ~32 of them, and reading the whole
    due list for each of ~300 claims made claiming alone take 36 s (2.8 s now)."""
    from datetime import UTC, datetime

    from curator.services.fleet_member import FleetMember
    from curator.store import feed_rows
    from curator.store.tables import FEEDS

    cur = Curator(Locations.resolve(os.environ["CURATOR_DB"]))
    db = cur.context.db
    with db.write() as tx:
        tx.connection().execute(FEEDS.insert(), [
            {"url": f"http://blog{i}.example/feed", "in_opml": True, "status": "new",
             "error_count": 0, "created_at": datetime.now(UTC)} for i in range(400)])
    full_reads = []
    real = feed_rows.due_rows

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("ids") is None:
            full_reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(feed_rows, "due_rows", counted)
    member = FleetMember(db, "poll", 60).join()
    started = datetime.now(UTC)
    given: list[int] = []
    try:
        while rows := member.claim(False, started)[0]:
            given += [row[0] for row in rows]
    finally:
        member.leave()
        cur.close()
    assert sorted(given) == sorted(set(given)) and len(given) == 400
    assert len(full_reads) <= 2  # the first read, and one more to find the list empty
