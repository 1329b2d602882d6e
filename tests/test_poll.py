"""Polling end to end against a real loopback server: state, redirects, errors, dedup, lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator, reopen_curator, write_opml
from sqlmodel import select

from curator.errors import ConflictError, CuratorError, NotFoundError
from curator.store.tables import Feed, Post, PostSource

pytestmark = pytest.mark.pg


def items(prefix: str, n: int, host: str = "b.example") -> list[tuple[str, str, str]]:
    return [(f"{prefix}-{i}", f"{prefix} post {i}", f"http://{host}/{prefix}/{i}")
            for i in range(n)]


def feed_row(cur, url):  # type: ignore[no-untyped-def]
    with cur.context.db.read() as s:
        return s.exec(select(Feed).where(Feed.url == url)).one()


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with FeedServer() as srv:
        yield srv


def test_200_then_304_round_trip(tmp_path, server) -> None:
    url = server.route("/f", Reply(body=rss(items("a", 3)), etag='"v1"',
                                   last_modified="Mon, 02 Nov 2026 10:00:00 GMT"))
    cur = make_curator(tmp_path, [url], person="Tanya Ashworth", org="Preston Council")
    first = list(cur.polls.poll_iter())
    assert [(o.status, o.new_posts) for o in first] == [("ok", 3)]
    row = feed_row(cur, url)
    assert row.etag == '"v1"' and row.last_modified == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert row.status == "ok" and row.http_status == 200 and row.feed_title == "Test blog"
    assert row.next_due_at > datetime.now(UTC) + timedelta(minutes=59)
    assert list(cur.polls.poll_iter()) == []  # nothing due yet
    again = cur.polls.poll(force=True)
    assert again.not_modified == 1 and again.new_posts == 0
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    posts = cur.posts.list_posts()
    assert len(posts) == 3 and posts[0].person == "Tanya Ashworth"
    assert posts[0].org == "Preston Council" and posts[0].theme is not None


def test_permanent_redirect_moves_the_subscription(tmp_path, server) -> None:
    target = server.route("/new.xml", Reply(body=rss(items("m", 2))))
    server.route("/old", Reply(status=301, location="/mid"))
    server.route("/mid", Reply(status=308, location=target))
    cur = make_curator(tmp_path, [server.url("/old")])
    (outcome,) = cur.polls.poll().outcomes
    assert outcome.status == "redirected" and outcome.new_url == target
    if not cur.context.db.shared:  # on a server the database's list moves; no file is written
        assert target in (tmp_path / "feeds.opml").read_text()
    assert [f.url for f in cur.polls.feed_status()] == [target]
    assert len(cur.posts.list_posts()) == 2


def test_temporary_redirect_and_captive_portal_keep_the_url(tmp_path, server) -> None:
    target = server.route("/real.xml", Reply(body=rss(items("t", 1))))
    server.route("/temp", Reply(status=302, location=target))
    portal = server.route("/login", Reply(body=b"<html><body>Sign in to wifi</body></html>",
                                          content_type="text/html"))
    server.route("/captive", Reply(status=301, location=portal))
    cur = make_curator(tmp_path, [server.url("/temp"), server.url("/captive")])
    outcomes = {o.url: o for o in cur.polls.poll().outcomes}
    assert outcomes[server.url("/temp")].status == "ok"
    captive = outcomes[server.url("/captive")]
    assert captive.status == "error" and "HTML page" in captive.error
    assert captive.new_url is None
    urls = sorted(f.url for f in cur.polls.feed_status())
    assert urls == sorted([server.url("/temp"), server.url("/captive")])


def test_gone_stops_polling(tmp_path, server) -> None:
    url = server.route("/gone", Reply(status=410))
    cur = make_curator(tmp_path, [url])
    (outcome,) = cur.polls.poll().outcomes
    assert outcome.status == "gone" and "410" in outcome.error
    assert cur.polls.poll(force=True).feeds == 0 and server.hits("/gone") == 1
    (status,) = cur.polls.feed_status()
    assert status.status == "gone" and status.next_due_at is None


@pytest.mark.parametrize("header", ["120", "date"])
def test_429_retry_after_pauses_the_host(tmp_path, server, header) -> None:
    value = header if header != "date" else format_datetime(
        datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    first = server.route("/a", Reply(status=429, headers={"Retry-After": value}, delay=0.2))
    second = server.route("/b", Reply(body=rss(items("b", 1)), delay=0.4))
    cur = make_curator(tmp_path, [first, second])
    outcomes = {o.url: o for o in cur.polls.poll(concurrency=1).outcomes}
    limited = outcomes[first]
    assert limited.status == "error" and "429" in limited.error
    wait = (limited.next_due_at - datetime.now(UTC)).total_seconds()
    assert 60 < wait <= 121
    assert outcomes[second].status == "error" and server.hits("/b") == 0  # host paused


def test_5xx_backoff_grows_then_caps_and_success_resets(tmp_path, server) -> None:
    url = server.route("/flaky", Reply(status=500))
    cur = make_curator(tmp_path, [url])
    waits = []
    for _ in range(7):
        (outcome,) = cur.polls.poll(force=True).outcomes
        waits.append((outcome.next_due_at - datetime.now(UTC)).total_seconds())
    row = feed_row(cur, url)
    assert row.error_count == 7 and row.status == "error" and "500" in row.last_error
    assert waits[1] > waits[0] * 1.5 and waits[2] > waits[1] * 1.5
    assert max(waits) <= 86400 * 1.26 and waits[-1] >= 86400
    server.route("/flaky", Reply(body=rss(items("f", 1))))
    cur.polls.poll(force=True)
    row = feed_row(cur, url)
    assert row.error_count == 0 and row.status == "ok" and row.last_error is None


def test_duplicate_guids_updates_and_cross_feed_links(tmp_path, server) -> None:
    dup = [("same", "First", "http://b.example/1"), ("same", "Second", "http://b.example/2")]
    blog = server.route("/blog", Reply(body=rss(dup + [("g3", "Shared", "http://b.example/s")])))
    agg = server.route("/agg", Reply(body=rss([("x9", "Shared (agg)",
                                                "http://b.example/s?utm_source=agg")])))
    cur = make_curator(tmp_path, [blog, agg])
    # the blog first, then the aggregator: which copy arrives first decides the story's owner
    summary = cur.polls.poll(feed_url=blog)
    assert summary.new_posts == 2 and summary.errors == 0
    summary = cur.polls.poll(feed_url=agg)
    assert summary.new_posts == 0 and summary.errors == 0
    with cur.context.db.read() as s:
        shared = s.exec(select(Post).where(Post.link == "http://b.example/s")).one()
        sources = s.exec(select(PostSource).where(PostSource.post_id == shared.id)).all()
    assert len(sources) == 2
    changed = [("same", "First, edited", "http://b.example/1"),
               ("g3", "Shared", "http://b.example/s")]
    server.route("/blog", Reply(body=rss(changed)))
    summary = cur.polls.poll(force=True)
    assert summary.new_posts == 0 and summary.updated_posts == 1
    titles = sorted(p.title for p in cur.posts.list_posts())
    assert titles == ["First, edited", "Shared"]


def test_one_bad_feed_does_not_stop_the_run(tmp_path, server) -> None:
    good = [server.route(f"/g{i}", Reply(body=rss(items(f"g{i}", 2)))) for i in range(3)]
    bad = [server.route("/404", Reply(status=404)), server.url("/nothing-here"),
           server.route("/junk", Reply(body=b"\x00\x01 not xml", content_type="text/plain")),
           "http://127.0.0.1:9/refused"]
    cur = make_curator(tmp_path, good + bad)
    outcomes = list(cur.polls.poll_iter())
    assert len(outcomes) == 7
    assert sum(o.new_posts for o in outcomes) == 6
    assert sorted(o.status for o in outcomes).count("error") == 4
    assert all(o.error for o in outcomes if o.status == "error")


def test_feed_option_and_unknown_feed(tmp_path, server) -> None:
    a = server.route("/a", Reply(body=rss(items("a", 1))))
    b = server.route("/b", Reply(body=rss(items("b", 1))))
    cur = make_curator(tmp_path, [a, b])
    assert [o.url for o in cur.polls.poll_iter(feed_url=b)] == [b]
    with pytest.raises(NotFoundError):
        list(cur.polls.poll_iter(feed_url=server.url("/zzz")))


@pytest.mark.sqlite_only  # a server has a fleet instead (tests/test_fleet.py)
def test_one_poller_per_database(tmp_path, server) -> None:
    url = server.route("/slow", Reply(body=rss(items("s", 1)), delay=0.5))
    cur = make_curator(tmp_path, [url])
    other = make_curator(tmp_path, [url])
    assert not cur.polls.poller_running()
    stream = cur.polls.poll_iter()
    next(stream)
    try:
        assert other.polls.poller_running()
        with pytest.raises(ConflictError, match="already running"):
            list(other.polls.poll_iter(force=True))
    finally:
        stream.close()
    assert not other.polls.poller_running()
    posts = cur.posts.list_posts()
    assert posts and all(p.theme for p in posts)  # classified even though we stopped early


@pytest.mark.sqlite_only  # on a server the file merges in; `feeds remove` removes
def test_feeds_removed_from_opml_are_not_polled(tmp_path, server) -> None:
    a = server.route("/a", Reply(body=rss(items("a", 1))))
    b = server.route("/b", Reply(body=rss(items("b", 1))))
    cur = make_curator(tmp_path, [a, b])
    assert cur.polls.poll().feeds == 2
    write_opml(tmp_path / "feeds.opml", [a])
    assert [o.url for o in cur.polls.poll(force=True).outcomes] == [a]


@pytest.mark.sqlite_only  # as above: removal by editing the file is the file's rule
def test_unchanged_opml_is_not_reread_by_the_next_poller(tmp_path, server, monkeypatch) -> None:
    a = server.route("/a", Reply(body=rss(items("a", 1))))
    b = server.route("/b", Reply(body=rss(items("b", 1))))
    assert make_curator(tmp_path, [a, b]).polls.poll().feeds == 2
    from curator.feeds.opml import OpmlDocument

    loads = []
    real_load = OpmlDocument.load.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(OpmlDocument, "load",
                        classmethod(lambda cls, path: loads.append(path) or real_load(cls, path)))
    fresh = reopen_curator(tmp_path)  # another process, same files
    assert fresh.polls.poll(force=True).feeds == 2
    assert loads == []  # same file as last mirrored: not parsed again
    write_opml(tmp_path / "feeds.opml", [b])  # edited by hand between two cron runs
    later = reopen_curator(tmp_path)
    assert [o.url for o in later.polls.poll(force=True).outcomes] == [b]
    assert len(loads) == 1


class _InFlight:
    """Counts requests the server is answering at once (each holds its slot for `hold` s)."""

    def __init__(self, body: bytes, hold: float = 0.3) -> None:
        import threading

        self.body, self.hold = body, hold
        self.now = self.most = 0
        self._lock = threading.Lock()

    def __call__(self, _headers: dict[str, str]) -> Reply:
        import time

        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.hold)
        with self._lock:
            self.now -= 1
        return Reply(body=self.body)


@pytest.mark.parametrize(("concurrency", "per_host", "expected"),
                         [(10, 3, 3), (2, 8, 2), (10, None, 8)],
                         ids=["per-host cap", "overall cap", "default per-host cap"])
def test_requests_at_once_are_bounded_overall_and_per_host(tmp_path, server, concurrency,
                                                            per_host, expected) -> None:
    counter = _InFlight(rss(items("c", 1)))
    urls = [server.route_fn(f"/f{i}", counter) for i in range(10)]
    cur = make_curator(tmp_path, urls)
    summary = cur.polls.poll(concurrency=concurrency, per_host=per_host)
    assert summary.feeds == 10 and summary.errors == 0
    assert counter.most == expected  # reached, never exceeded (every feed is on 127.0.0.1)


def test_per_host_limit_comes_from_config(tmp_path, server, curator_home) -> None:
    counter = _InFlight(rss(items("d", 1)))
    urls = [server.route_fn(f"/g{i}", counter) for i in range(6)]
    config = make_curator(tmp_path, urls).locations.config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[poll]\nper_host = 2\n", encoding="utf-8")
    cur = reopen_curator(tmp_path)
    assert cur.settings.poll_per_host == 2
    cur.polls.poll(concurrency=10)
    assert counter.most == 2
    with pytest.raises(CuratorError, match="concurrency"):
        cur.polls.poll(force=True, concurrency=500)


@pytest.mark.parametrize(("ahead", "bodies_ahead"), [(5, 16), (128, 3)])
def test_fetching_waits_when_unparsed_bodies_pile_up(tmp_path, server, monkeypatch, ahead,
                                                     bodies_ahead) -> None:
    import asyncio

    from curator.poll import pipeline as poller

    urls = [server.route(f"/h{i}", Reply(body=rss(items(f"e{i}", 3)))) for i in range(30)]
    cur = make_curator(tmp_path, urls)
    monkeypatch.setattr(poller, "AHEAD", ahead)
    monkeypatch.setattr(poller, "BODIES_AHEAD", bodies_ahead)
    original = poller.Pipeline._parse
    waiting = most = 0  # fetched bodies handed to the parser and not parsed yet

    async def slow_parse(self, task, result):  # type: ignore[no-untyped-def]
        nonlocal waiting, most
        waiting += 1
        most = max(most, waiting)
        try:
            await asyncio.sleep(0.03)  # parsing is the bottleneck: fetching could run far ahead
            return await original(self, task, result)
        finally:
            waiting -= 1

    monkeypatch.setattr(poller.Pipeline, "_parse", slow_parse)
    summary = cur.polls.poll(concurrency=2)
    assert summary.new_posts == 30 * 3 and summary.errors == 0
    # bodies waiting for a parser: at most AHEAD (5, as 2 x concurrency is less), or the
    # fetches in flight (2) plus BODIES_AHEAD (3), not 30
    assert 2 <= most <= 5
