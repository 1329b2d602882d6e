"""The poller indexes each batch's new posts in one statement; the search index stays exact."""

from __future__ import annotations

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator
from sqlalchemy import text

from curator.poll.pipeline import PROCESS_THRESHOLD
from curator.store.search import CONTROL, TABLE, exists
from curator.store.tables import Post

pytestmark = pytest.mark.pg


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with FeedServer() as srv:
        yield srv


def _items(feed: int) -> list[tuple[str, str, str]]:
    return [(f"f{feed}-{i}", f"Zanzibar{feed} report {i}", f"http://b{feed}.example/p/{i}")
            for i in range(3)]


def test_polled_posts_are_searchable_and_the_index_is_intact(tmp_path, server) -> None:
    feeds = PROCESS_THRESHOLD + 3
    urls = [server.route(f"/f{i}", Reply(body=rss(_items(i)))) for i in range(feeds)]
    cur = make_curator(tmp_path, urls)
    with cur.context.db.read() as s:
        if not exists(s.connection()):
            pytest.skip("SQLite without FTS5 trigram")
    assert cur.polls.poll().new_posts == feeds * 3
    with cur.context.db.read() as s:
        conn = s.connection()
        conn.execute(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('integrity-check')"))
        indexed = conn.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()
        assert conn.execute(text(f"SELECT deferred FROM {CONTROL}")).scalar_one() == 0
    assert indexed == feeds * 3
    for i in (0, feeds - 1):
        titles = [p.title for p in cur.posts.list_posts(search=f"zanzibar{i} ")]
        assert sorted(titles) == sorted(t for _g, t, _l in _items(i)), i
    # a writer outside the poller (raw SQL, the roundup) is still indexed row by row
    with cur.context.db.write() as s:
        s.add(Post(feed_id=1, title="Quokka sighting", link="http://q.example/1"))
    assert [p.title for p in cur.posts.list_posts(search="quokka")] == ["Quokka sighting"]
    # a second pass that updates posts keeps the index exact
    server.route("/f0", Reply(body=rss([("f0-0", "Renamed wombat", "http://b0.example/p/0")])))
    assert cur.polls.poll(force=True).updated_posts == 1
    assert [p.title for p in cur.posts.list_posts(search="wombat")] == ["Renamed wombat"]
    with cur.context.db.read() as s:
        s.connection().execute(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('integrity-check')"))
