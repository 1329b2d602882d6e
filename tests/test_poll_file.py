"""A poll reads and writes the database file alone when it can, and only when it is sure.

`store.poll_file` asks sqlite3 directly, so a scheduled poll with nothing to do, or with every
feed unchanged, skips loading the data layer. These tests hold its answers equal to the poller's
own query for every kind of feed, check that any doubt sends the poll down the full path, that
posts a poll brings midway are stored and themed through the file as the data layer would, and
that a model out of date hands the run to the data layer.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import file_rows, make_curator, reopen_curator, write_opml
from sqlalchemy import text
from sqlmodel import select

from curator.poll.schedule import is_due
from curator.safe_files import file_identity
from curator.services.facade import Curator
from curator.services.poll_probe import poll_has_nothing_due
from curator.store import feed_rows
from curator.store.meta_keys import OPML_MIRRORED, POLLS_STORED
from curator.store.poll_file import PollFile, nothing_due
from curator.store.tables import Feed, HostPause, Post

pytestmark = pytest.mark.sqlite_only  # a server database is never probed


def test_the_probe_agrees_with_the_pollers_query_on_every_kind_of_feed(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    cur = make_curator(tmp_path, [])
    cur.feeds.sync_opml()  # the feed list is mirrored: the probe may trust the file
    db = Path(cur.context.locations.db)
    assert nothing_due(db, file_identity(cur.context.locations.opml))
    states = itertools.product((True, False), ("new", "ok", "error", "gone"),
                               (None, now - timedelta(minutes=1), now + timedelta(minutes=1)))
    with cur.context.db.write() as tx:
        tx.add(Feed(url="https://one.example/feed", in_opml=True, status="ok"))
    for in_opml, status, due in states:
        with cur.context.db.write() as tx:
            tx.execute(text("DELETE FROM feed"))
            tx.add(Feed(url="https://one.example/feed", in_opml=in_opml, status=status,
                        next_due_at=due))
        by_query = bool(cur.polls.due_feeds())
        assert by_query == is_due(due, status, now, force=False, in_opml=in_opml)
        probed = nothing_due(db, file_identity(cur.context.locations.opml))
        assert probed is (not by_query), (in_opml, status, due)
        poll_file = PollFile.open(db, file_identity(cur.context.locations.opml))
        assert poll_file is not None
        for force in (False, True):
            with cur.context.db.read() as tx:
                by_query_rows = feed_rows.due_rows(tx, force, None, datetime.now(UTC))
            assert [row[:-1] for row in poll_file.due_tasks(force)] == by_query_rows
        poll_file.close()
    cur.close()


def test_any_doubt_sends_the_poll_down_the_full_path(tmp_path: Path) -> None:
    cur = make_curator(tmp_path, [])
    cur.feeds.sync_opml()
    locations = cur.context.locations
    db, identity = Path(locations.db), file_identity(locations.opml)
    assert poll_has_nothing_due(locations)
    assert not nothing_due(db, None)  # no feed list file
    assert not nothing_due(tmp_path / "absent.db", identity)
    assert not nothing_due(locations.opml, identity)  # not a database
    with cur.context.db.write() as tx:  # the feed list was edited since it was mirrored
        tx.execute(text("UPDATE curator_meta SET value = 'elsewhere' WHERE key = :k"),
                   {"k": OPML_MIRRORED})
    assert not nothing_due(db, identity)
    with cur.context.db.write() as tx:
        tx.execute(text("UPDATE curator_meta SET value = :v WHERE key = :k"),
                   {"v": identity, "k": OPML_MIRRORED})
        tx.execute(text("UPDATE curator_meta SET value = '999' WHERE key = 'schema_version'"))
    assert not nothing_due(db, identity)  # a newer curator's file: its own poll decides
    cur.close()
    server = type(locations)(db="postgresql://u@127.0.0.1/x", opml=locations.opml,
                             config_dir=locations.config_dir, data_dir=locations.data_dir,
                             cache_dir=locations.cache_dir)
    assert not poll_has_nothing_due(server)


def test_a_poll_with_nothing_due_loads_neither_the_data_layer_nor_the_network(
        tmp_path: Path) -> None:
    cur = make_curator(tmp_path, [])
    cur.feeds.sync_opml()
    cur.close()
    out = _run_curator(tmp_path, "'poll', '--json'",
                       ("sqlalchemy", "sqlmodel", "httpx", "feedparser", "curator.store.engine"))
    assert out.returncode == 0, out.stderr
    summary, probe = out.stdout.strip().rsplit("\n", 1)
    assert json.loads(summary)["feeds"] == 0
    assert json.loads(probe) == {"status": 0, "loaded": []}


DATA_LAYER = ("sqlalchemy", "sqlmodel", "pydantic", "curator.store.engine")
# `by`: the thread that first asked for SQLAlchemy (an import hook that only watches)
_SPY = ("import importlib.abc, threading\n"
        "first = {}\n"
        "class Spy(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        first.setdefault(name, threading.current_thread().name)\n"
        "sys.meta_path.insert(0, Spy())\n")


def _run_curator(tmp_path: Path, args: str, names: tuple[str, ...] = DATA_LAYER,
                 spy: bool = False) -> subprocess.CompletedProcess[str]:
    """`curator ARGS` in a fresh process on tmp_path's database and feeds.opml; its last line
    of output says its exit status, which of `names` it loaded and (with `spy`) `by`."""
    code = ("import json, sys\n" + (_SPY if spy else "")
            + "from curator.launch.entry import main\n"
            f"sys.argv = ['curator', '--db', sys.argv[1], '--opml', sys.argv[2], {args}]\n"
            "try:\n    main()\nexcept SystemExit as exit:\n    status = exit.code\n"
            f"names = {names!r}\n"
            "probe = {'status': status, 'loaded': [n for n in names if n in sys.modules]}\n"
            + ("probe['by'] = first.get('sqlalchemy')\n" if spy else "")
            + "print(json.dumps(probe))")
    return subprocess.run([sys.executable, "-c", code, str(tmp_path / "curator.db"),
                           str(tmp_path / "feeds.opml")], capture_output=True, text=True,
                          timeout=120)


def _counter(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT value FROM curator_meta WHERE key = ?",
                                (POLLS_STORED,)).fetchone()[0])


def test_a_poll_of_unchanged_feeds_stores_their_state_without_the_data_layer(
        tmp_path: Path) -> None:
    with FeedServer() as server:
        body = rss([("a-1", "one", "http://b.example/1")])
        urls = [server.route("/etag", Reply(body=body, etag='"v1"')),
                server.route("/dated", Reply(body=body, last_modified="Mon, 02 Nov 2026 10:00:00 GMT")),
                server.route("/broken", Reply(body=body), Reply(status=500))]
        cur = make_curator(tmp_path, urls)
        assert [o.status for o in cur.polls.poll().outcomes] == ["ok"] * 3
        cur.close()
        db = tmp_path / "curator.db"
        before = _counter(db)
        out = _run_curator(tmp_path, "'poll', '--all', '--json'")
        summary, probe = out.stdout.strip().rsplit("\n", 1)
        assert json.loads(probe) == {"status": 0, "loaded": []}, out.stderr
        outcomes = {o["url"]: o for o in json.loads(summary)["outcomes"]}
        assert [outcomes[u]["status"] for u in urls] == ["not_modified", "not_modified", "error"]
        assert server.requests[-1].path in ("/etag", "/dated", "/broken")
    assert _counter(db) == before + 1  # open screens notice the pass
    cur = reopen_curator(tmp_path)
    with cur.context.db.read() as tx:
        rows = {f.url: f for f in tx.exec(select(Feed))}
    assert rows[urls[0]].etag == '"v1"' and rows[urls[0]].http_status == 304
    assert rows[urls[1]].last_modified == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert all(r.feed_title == "Test blog" and r.last_success_at is not None
               for r in rows.values())  # kept: a 304 or a failure says nothing of them
    broken = rows[urls[2]]
    assert broken.status == "error" and broken.error_count == 1 and "500" in broken.last_error
    assert broken.next_due_at > datetime.now(UTC)
    assert rows[urls[0]].last_polled_at == rows[urls[0]].last_success_at  # a 304 is a success
    assert broken.last_polled_at > broken.last_success_at
    cur.close()


def _quiet_and_busy(server: FeedServer) -> tuple[str, str]:
    """Two feeds: one that answers 304 from its second poll on, one with a new post then."""
    old = [("a-1", "Open data in councils", "http://b.example/1")]
    new = old + [("a-2", "Open data for everyone", "http://b.example/2")]
    return (server.route("/quiet", Reply(body=rss(old), etag='"q"')),
            server.route("/busy", Reply(body=rss(old), etag='"b1"'),
                         Reply(body=rss(new), etag='"b2"')))


def _the_new_post_is_classified(cur: Curator) -> None:
    with cur.context.db.read() as tx:
        (post,) = tx.exec(select(Post).where(Post.link == "http://b.example/2")).all()
        assert post.theme is not None and post.theme_source is not None


def test_a_feed_with_news_midway_is_stored_and_themed_through_the_file(tmp_path: Path) -> None:
    with FeedServer() as server:
        quiet, busy = _quiet_and_busy(server)
        old = [("a-1", "Open data in councils", "http://b.example/1")]
        limited = server.route("/limited", Reply(body=rss(old)),
                               Reply(status=429, headers={"Retry-After": "600"}))
        cur = make_curator(tmp_path, [quiet, busy, limited])
        cur.polls.poll()
        assert cur.polls._poll_file(True, None) is not None  # every feed was polled before
        outcomes = {o.url: o for o in cur.polls.poll(force=True).outcomes}
    assert outcomes[quiet].status == "not_modified"
    assert (outcomes[busy].status, outcomes[busy].new_posts) == ("ok", 1)
    assert outcomes[limited].status == "error" and "429" in outcomes[limited].error
    _the_new_post_is_classified(cur)
    with cur.context.db.read() as tx:
        assert [p.host for p in tx.exec(select(HostPause))] == ["127.0.0.1"]
    cur.close()


def _everyday_poll(tmp_path: Path, server: FeedServer, through_file: bool,
                   monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A first poll, then a forced one that brings a new post, a changed one, a story another
    feed carried first and a host pause; what the second one stored."""
    old = [("a-1", "Open data in councils", "http://b.example/1")]
    new = [("a-1", "Open data in councils, revised", "http://b.example/1"),
           ("a-2", "Budget consultation tools", "http://b.example/2")]
    name = "file" if through_file else "layer"
    urls = [server.route(f"/{name}/blog", Reply(body=rss(old), etag='"1"'),
                         Reply(body=rss(new), etag='"2"')),
            server.route(f"/{name}/aggregator", Reply(body=rss([])),
                         Reply(body=rss([("g-9", "Budget tools", "http://b.example/2")]))),
            server.route(f"/{name}/limited", Reply(body=rss(old)),
                         Reply(status=429, headers={"Retry-After": "600"}))]
    (tmp_path / name).mkdir()
    cur = make_curator(tmp_path / name, urls)
    cur.polls.poll(concurrency=1)
    if through_file:  # the data layer must not store any of it
        monkeypatch.setattr("curator.poll.record.record_batch", None)
    else:
        monkeypatch.setattr(type(cur.polls), "_poll_file", lambda *_args: None)
    outcomes = [(o.status, o.new_posts, o.updated_posts) for o in
                cur.polls.poll(force=True, concurrency=1).outcomes]
    monkeypatch.undo()
    rows: dict[str, Any] = {"outcomes": sorted(outcomes), **file_rows(
        tmp_path / name / "curator.db",
        {"post": "feed_id, guid, link, title, summary, person, theme, theme_confidence, "
                 "theme_source, theme_why",
         "post_source": "post_id, feed_id, identity_key, guid, link",
         "feed": "id, etag, status, http_status, error_count, last_error",
         "host_pause": "host, reason"}, name)}
    rows["found"] = [p.title for p in cur.posts.list_posts(search="consultation")]
    cur.close()
    return rows


def test_the_file_stores_and_themes_what_the_data_layer_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server:
        layer = _everyday_poll(tmp_path, server, False, monkeypatch)
        through_file = _everyday_poll(tmp_path, server, True, monkeypatch)
    assert through_file == layer
    assert sorted(layer["outcomes"]) == [("error", 0, 0), ("ok", 0, 0), ("ok", 1, 1)]
    assert layer["found"] == ["Budget consultation tools"]
    assert len(layer["post_source"]) == 4 and len(layer["host_pause"]) == 1
    assert all(row[6] is not None for row in layer["post"])


def test_an_everyday_poll_with_news_never_loads_the_data_layer(tmp_path: Path) -> None:
    """The stored classifier is current: the new post is themed, stored and indexed with
    sqlite3 alone."""
    with FeedServer() as server:
        quiet, busy = _quiet_and_busy(server)
        cur = make_curator(tmp_path, [quiet, busy])
        cur.polls.poll()
        cur.close()
        out = _run_curator(tmp_path, "'poll', '--all', '--json'")
    summary, probe = out.stdout.strip().rsplit("\n", 1)
    assert json.loads(probe) == {"status": 0, "loaded": []}, out.stderr
    outcomes = {o["url"]: o for o in json.loads(summary)["outcomes"]}
    assert (outcomes[busy]["status"], outcomes[busy]["new_posts"]) == ("ok", 1)
    assert outcomes[quiet]["status"] == "not_modified"
    cur = reopen_curator(tmp_path)
    _the_new_post_is_classified(cur)
    assert [p.title for p in cur.posts.list_posts(search="everyone")] == ["Open data for everyone"]
    cur.close()


def test_a_first_poll_makes_its_file_and_themes_its_posts_without_the_data_layer(
        tmp_path: Path) -> None:
    with FeedServer() as server:
        urls = [server.route(f"/{i}", Reply(body=rss([(f"p{i}-{j}", f"Open data in blog{i}zz",
                                                        f"http://b{i}.example/{j}")
                                                       for j in range(20)])))
                for i in range(15)]  # enough feeds for the parse workers
        write_opml(tmp_path / "feeds.opml", urls)
        out = _run_curator(tmp_path, "'poll', '--json'")
    summary, probe = out.stdout.strip().rsplit("\n", 1)
    assert json.loads(probe) == {"status": 0, "loaded": []}, out.stderr
    assert json.loads(summary)["new_posts"] == 300
    with sqlite3.connect(tmp_path / "curator.db") as conn:
        assert conn.execute("SELECT count(*), count(theme) FROM post").fetchone() == (300, 300)
    cur = reopen_curator(tmp_path)
    assert len(cur.posts.list_posts(search="blog7zz", limit=100)) == 20  # indexed
    cur.close()


def test_a_model_out_of_date_is_retrained_while_the_fetching_goes_on(tmp_path: Path) -> None:
    """A correction since the model was trained: the run loads the data layer and retrains at
    its first new body, in a thread of its own, rather than after the fetching."""
    with FeedServer() as server:
        quiet, busy = _quiet_and_busy(server)
        cur = make_curator(tmp_path, [quiet, busy])
        cur.polls.poll()
        (first, *_rest) = cur.posts.list_posts()
        other = next(t.slug for t in cur.themes.list_themes() if t.slug != first.theme)
        cur.themes.set_post_theme(first.id, other)
        cur.close()
        out = _run_curator(tmp_path, "'poll', '--all', '--json'", spy=True)
    summary, probe = out.stdout.strip().rsplit("\n", 1)
    assert json.loads(probe)["by"] == "curator-preload", out.stderr
    outcomes = {o["url"]: o for o in json.loads(summary)["outcomes"]}
    assert (outcomes[busy]["status"], outcomes[busy]["new_posts"]) == ("ok", 1)
    cur = reopen_curator(tmp_path)
    _the_new_post_is_classified(cur)
    cur.close()
    poll_file = PollFile.open(tmp_path / "curator.db", file_identity(tmp_path / "feeds.opml"))
    assert poll_file is not None and poll_file.stored_snapshot() is not None  # retrained, stored
    poll_file.close()


def _file_run(cur: Curator, force: bool, feed_url: str | None = None
              ) -> tuple[int, bool] | None:
    """(feeds, whether the workers get the stored classifier) of a pass through the file, or
    None for the full path."""
    run = cur.polls._poll_file(force, feed_url)
    if run is None:
        return None
    run.poll_file.close()
    return len(run.tasks), run.snapshot is not None


def test_which_passes_go_through_the_file(tmp_path: Path) -> None:
    with FeedServer() as server:
        first = server.route("/a", Reply(body=rss([("a", "Open data", "http://b.example/a")])))
        cur = make_curator(tmp_path, [first])
        assert not (tmp_path / "curator.db").exists()
        assert _file_run(cur, False) == (1, True)  # made from feeds.opml; never polled: the
        # workers theme its history with the stored classifier
        cur.polls.poll()
        assert _file_run(cur, False) == (0, False)  # polled: nothing is due
        second = server.route("/b", Reply(body=rss([("b", "Budgets", "http://b.example/b")])))
        write_opml(tmp_path / "feeds.opml", [first, second])
        assert _file_run(cur, True) is None  # the feed list changed: mirror it
        cur.polls.poll()
        assert _file_run(cur, True) == (2, False)
        assert _file_run(cur, True, first) is None  # one named feed: the full path
        third = server.route("/c", Reply(body=rss([("c", "Tools", "http://b.example/c")])))
        write_opml(tmp_path / "feeds.opml", [first, second, third])
        cur.feeds.sync_opml()
        assert _file_run(cur, True) == (3, True)
        (post, *_rest) = cur.posts.list_posts()
        other = next(t.slug for t in cur.themes.list_themes() if t.slug != post.theme)
        cur.themes.set_post_theme(post.id, other)
        assert _file_run(cur, True) is None  # a feed never polled, a model out of date:
        # the data layer retrains before the workers start
    cur.close()


def test_an_everyday_poll_expects_few_bodies_and_parses_them_in_a_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers are forked for a first poll of 20 feeds, not for an everyday poll of them (it
    expects a tenth of them to bring a body: too few to repay two processes)."""
    from curator.poll import pipeline

    asked: list[tuple[int, object]] = []
    real = pipeline.make_parse_pool

    def spy(n_feeds: int, snapshot: object = None) -> object:
        pool = real(n_feeds, snapshot)  # type: ignore[arg-type]
        asked.append((n_feeds, pool is not None))
        return pool

    monkeypatch.setattr(pipeline, "make_parse_pool", spy)
    with FeedServer() as server:
        urls = [server.route(f"/{i}", Reply(body=rss([(f"p{i}", f"Post {i}",
                                                       f"http://b{i}.example/")]), etag='"1"'))
                for i in range(20)]
        cur = make_curator(tmp_path, urls)
        assert cur.polls.poll().new_posts == 20
        assert [o.status for o in cur.polls.poll(force=True).outcomes] == ["not_modified"] * 20
    cur.close()
    assert [n for n, _pool in asked] == [20, 2]
    assert asked[1][1] is False  # a thread parses
