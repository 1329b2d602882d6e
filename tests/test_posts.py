"""PostService: SQL filters, picked/featured joins, triage flags, speed at 100,000 posts."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from dbkit import bulk_posts
from pollkit import make_curator

from curator.errors import NotFoundError, QueryCancelled
from curator.store.tables import Edition, EditionItem, EditionSection, Feed, Post

pytestmark = pytest.mark.pg

BASE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def cur(tmp_path):  # type: ignore[no-untyped-def]
    c = make_curator(tmp_path, [])
    with c.context.db.write() as s:
        s.add(Feed(id=1, url="http://a.example/feed", title="Alpha blog", person="Ann Lee"))
        s.add(Feed(id=2, url="http://b.example/feed", feed_title="Beta"))
        for i in range(10):
            s.add(Post(id=i + 1, feed_id=1 if i < 6 else 2, title=f"Post {i} about data",
                       link=f"http://a.example/{i + 1}", person="Ann Lee" if i < 6 else None,
                       summary="open standards" if i % 2 else "council budget",
                       published=BASE + timedelta(days=i), theme="tools" if i % 3 == 0
                       else "openness", theme_confidence=0.5, theme_why="rule: data"))
    return c


def test_filters(cur) -> None:
    assert cur.posts.count_posts() == 10
    posts = cur.posts.list_posts()
    assert [p.id for p in posts] == list(range(10, 0, -1))  # newest first
    assert posts[-1].blog_title == "Alpha blog" and posts[0].blog_title == "Beta"
    assert cur.posts.count_posts(theme="tools") == 4
    assert cur.posts.count_posts(since=BASE + timedelta(days=5)) == 5
    assert cur.posts.count_posts(until=BASE + timedelta(days=2)) == 2
    assert cur.posts.count_posts(feed_url="http://b.example/feed") == 4
    assert cur.posts.count_posts(search="BUDGET") == 5
    assert cur.posts.count_posts(search="ann budget") == 3
    assert cur.posts.count_posts(search="100%_") == 0
    page = cur.posts.list_posts(limit=3, offset=3)
    assert [p.id for p in page] == [7, 6, 5]


def test_triage_flags(cur) -> None:
    assert cur.posts.mark_read([1, 2, 2, 99]) == 2
    assert cur.posts.count_posts(unread_only=True) == 8
    assert cur.posts.get_post(1).read
    cur.posts.mark_read([1], read=False)
    assert not cur.posts.get_post(1).read
    cur.posts.set_hidden([3])
    assert cur.posts.count_posts() == 9 and cur.posts.count_posts(include_hidden=True) == 10
    with pytest.raises(NotFoundError):
        cur.posts.get_post(12345)


def test_picked_and_featured(cur) -> None:
    with cur.context.db.write() as s:
        s.add(Edition(id=1, number=4, title="Old", status="published"))
        s.add(Edition(id=2, number=5, title="Draft", status="draft"))
        s.add(EditionSection(id=1, edition_id=1, title="Tools"))
        s.add(EditionSection(id=2, edition_id=2, title="Tools"))
        s.add(Post(id=50, feed_id=2, title="copy", link="http://a.example/3", published=BASE))
        s.flush()
        s.add(EditionItem(edition_id=1, section_id=1, post_id=1, title="t", link="http://a.example/1"))
        s.add(EditionItem(edition_id=2, section_id=2, post_id=2, title="t", link="http://a.example/2"))
        # another copy (post 50) of post 3's story, same canonical link, was featured
        s.add(EditionItem(edition_id=1, section_id=1, post_id=50, title="t",
                          link="http://elsewhere.example/"))
    assert cur.posts.get_post(1).featured_in == 4 and not cur.posts.get_post(1).picked
    assert cur.posts.get_post(2).picked and cur.posts.get_post(2).featured_in is None
    assert cur.posts.get_post(3).featured_in == 4
    assert [p.id for p in cur.posts.list_posts(picked=True)] == [2]
    assert cur.posts.count_posts(picked=False) == 10


@pytest.mark.sqlite_only  # the server's figures: benchmarks/bench_tui.py --db postgresql://...
def test_fast_at_100k_posts(tmp_path) -> None:
    c = make_curator(tmp_path, [])
    rows = [(f"Post {i} {'civic' if i % 97 == 0 else 'other'}", f"http://a.example/{i}",
             "lorem ipsum " * 20, f"2026-{1 + i % 12:02d}-01 09:00:00.{i:06d}",
             ("tools", "other")[i % 2]) for i in range(100_000)]
    bulk_posts(c, ("title", "link", "summary", "published", "theme"), rows)
    timings = {}
    for name, call in {
        "page": lambda: c.posts.list_posts(limit=100),
        "theme page": lambda: c.posts.list_posts(theme="tools", limit=100, offset=500),
        "count": lambda: c.posts.count_posts(unread_only=True),
        "search": lambda: c.posts.list_posts(search="civic", limit=100),
    }.items():
        start = time.perf_counter()
        result = call()
        timings[name] = time.perf_counter() - start
        assert result
    print(timings)
    assert max(timings.values()) < 2.0, timings


@pytest.mark.sqlite_only  # SQLite's query plans
def test_a_feed_filter_reads_that_feeds_index(cur) -> None:
    """`feed:` plus a theme once scanned the whole theme in the window (160 ms at 100,000 posts):
    the plan must go through (feed_id, date) whatever else is filtered."""
    from sqlalchemy import func, select

    from curator.store.tables import POSTS as POST
    from curator.types import PostFilter

    wanted = PostFilter(BASE, BASE + timedelta(days=30), "tools", "http://b.example/feed")
    with cur.context.db.read() as s:
        where = cur.posts.queries.where(s, wanted)
        query = select(func.count()).select_from(
            select(POST.c.id).where(*where).limit(1001).subquery())
        conn = s.connection()
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "ix_post_feed_when" in plan, plan
    assert cur.posts.count_posts_by_theme(["tools"], feed_url="http://b.example/feed") == {"tools": 2}
    assert [p.id for p in cur.posts.list_posts(theme="tools", feed_url="http://b.example/feed")] == [10, 7]


def test_capped_count_stops_at_the_limit(cur) -> None:
    assert cur.posts.count_posts(limit=4) == 4  # 10 posts: counted no further than 4
    assert cur.posts.count_posts(theme="tools", limit=100) == 4  # fewer than the cap: exact
    assert cur.posts.count_posts(search="data", limit=0) == 0
    assert cur.posts.count_posts(search="nothing here", limit=5) == 0


def test_counts_by_theme_share_the_filters(cur) -> None:
    with cur.context.db.write() as s:
        s.add(Post(id=20, feed_id=1, title="Unsorted data", link="http://a.example/20",
                   published=BASE))
    counts = cur.posts.count_posts_by_theme(["tools", "openness", "", None], search="data")
    assert counts == {"tools": 4, "openness": 6, "": 1, None: 11}
    assert cur.posts.count_posts_by_theme(["openness", None], search="data", limit=3) == {
        "openness": 3, None: 3}
    assert cur.posts.count_posts_by_theme(["tools"], search="council") == {
        "tools": cur.posts.count_posts(theme="tools", search="council")}


def test_cancelled_query_is_aborted(tmp_path) -> None:
    c = make_curator(tmp_path, [])
    rows = [(f"Post {i}", f"http://a.example/{i}", "lorem ipsum " * 30) for i in range(5000)]
    bulk_posts(c, ("title", "link", "summary"), rows)
    with pytest.raises(QueryCancelled):  # cancelled before it starts
        c.posts.list_posts(search="lorem", cancelled=lambda: True)
    asked = []

    def turns_true() -> bool:  # false when the query starts, true at SQLite's first check
        asked.append(1)
        return len(asked) > 1

    c.posts.queries._search_index = False  # LIKE: a scan of every post
    with pytest.raises(QueryCancelled):  # stopped part way
        c.posts.count_posts(search="no such words", cancelled=turns_true)
    assert c.posts.count_posts(search="no such words", cancelled=lambda: False) == 0
    assert len(c.posts.list_posts(search="lorem", limit=3, cancelled=lambda: False)) == 3
