"""FTS5 trigram search index: same answers as the LIKE search, kept in step, fast at 100k posts."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dbkit import bulk_posts, make_v1_database
from pollkit import make_curator
from sqlalchemy import delete, text, update

from curator.store.engine import Database
from curator.store.search import TABLE, candidates_query, short_terms, supported
from curator.store.tables import POSTS, Feed, Post

pytestmark = pytest.mark.sqlite_only  # the FTS5 index (a server's trigram indexes: test_postgres.py)

BASE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

TEXTS = [  # (title, summary, person, org, author)
    ("Open data in the council", "We published 50% of the budget", "Ann Lee", "Civic Org", None),
    ("Café society: Ünïcode notes", "naïve résumé ÉCOLE école", None, "Zürich Lab", "Jörg"),
    ('He said "NEAR" the AND gate', "snake_case_names and 100% done", "Bo", None, "O'Brien"),
    ("Wildcards * and -minus", "col:title NOT this OR that ^start", None, None, None),
    ("DATA DRIVEN weeknotes", None, "Cat", "Data Org", "ann lee"),
    ("Nothing to see", "plain text here", None, None, None),
    ("Ends in qz", "x", "Xu", "Q", "7"),  # short words at a field's end, whole short fields
]
QUERIES = ["data", "DATA", "council budget", "café", "CAFÉ", "école", "ÉCOLE", "zürich", "50%",
           "100%", "snake_case", "_case", "%", "_", '"NEAR"', "NEAR", "AND", '"', '""', "*",
           "and -minus", "-minus", "col:title", "NOT", "OR", "^start", "o'brien", "ann lee",
           "nothing-at-all", "ab", "ee", "weeknotes data", "NEAR(data council)", 'a"b', "jörg",
           "qz", "QZ", "z", "xu", "x", "q", "7", "Bo", "o'", "é", "É", "ü", "ne ar", "zz", "50",
           "^", "-", "d", "q data"]


def _make(tmp_path: Path):  # type: ignore[no-untyped-def]
    c = make_curator(tmp_path, [])
    with c.context.db.write() as s:
        s.add(Feed(id=1, url="http://a.example/feed"))
        for i, (title, summary, person, org, author) in enumerate(TEXTS, start=1):
            s.add(Post(id=i, feed_id=1, title=title, summary=summary, person=person, org=org,
                       author=author, link=f"http://a.example/{i}",
                       published=BASE + timedelta(days=i)))
    return c


def _ids(c, query: str, indexed: bool) -> list[int]:  # type: ignore[no-untyped-def]
    c.posts.queries._search_index = indexed
    ids = [p.id for p in c.posts.list_posts(search=query)]
    assert c.posts.count_posts(search=query) == len(ids)
    return ids


needs_fts = pytest.mark.skipif(not sqlite3.sqlite_version_info >= (3, 34),
                               reason="SQLite without the FTS5 trigram tokenizer")


@needs_fts
def test_index_exists_and_gives_the_like_answers(tmp_path: Path) -> None:
    c = _make(tmp_path)
    with c.context.db.read() as s:
        assert supported(s.connection())
    assert _indexed(c)
    for query in QUERIES:
        assert _ids(c, query, True) == _ids(c, query, False), query
    assert _ids(c, "data", True) == [5, 1]
    assert _ids(c, "qz", True) == [7] and _ids(c, "xu", True) == [7]
    with c.context.db.read() as s:  # short words are looked up through the trigrams that start them
        conn = s.connection()
        assert short_terms(conn, "qz", 2000) == ["qz "]
        assert short_terms(conn, "Xu", 2000) == ["xu "]
        assert short_terms(conn, "zz", 2000) == []
        assert short_terms(conn, "e", 10) is None  # common: the caller scans instead
    assert _ids(c, '"NEAR"', True) == [3]
    assert _ids(c, "nothing-at-all", True) == []


def _match(c, word: str) -> list[int]:  # type: ignore[no-untyped-def]
    with c.context.db.read() as s:
        rows = s.connection().execute(
            text(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :q ORDER BY rowid"),
            {"q": candidates_query(word)})
        return [r[0] for r in rows]


@needs_fts
def test_inserts_updates_and_deletes_reach_the_index(tmp_path: Path) -> None:
    c = _make(tmp_path)
    assert _match(c, "council") == [1]
    assert _match(c, "ZÜRICH") == [2]  # trigram folds case
    with c.context.db.write() as s:
        s.connection().execute(update(POSTS).where(POSTS.c.id == 1).values(title="Gazebo notes"))
        s.connection().execute(update(POSTS).where(POSTS.c.id == 5).values(read=True))
        s.connection().execute(delete(POSTS).where(POSTS.c.id == 6))
        s.add(Post(id=8, feed_id=1, title="Fresh council item", link="http://a.example/8",
                   published=BASE))
    assert _match(c, "council") == [8]
    assert _match(c, "gazebo") == [1]
    assert _match(c, "plain text") == []
    assert _match(c, "weeknotes") == [5]
    assert [p.id for p in c.posts.list_posts(search="council")] == [8]
    assert [p.id for p in c.posts.list_posts(search="gazebo notes")] == [1]
    with c.context.db.read() as s:  # the index agrees with its content table
        s.connection().execute(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('integrity-check')"))


@needs_fts
def test_migrated_database_gets_existing_posts_indexed(tmp_path: Path) -> None:
    path = make_v1_database(tmp_path / "v1.db", "Hello transparency")
    Database(str(path)).open().close()
    c = make_curator(tmp_path, [])
    c.context._db = Database(str(path)).open()
    assert _indexed(c)
    assert _match(c, "TRANSPAR") == [1]
    assert [p.title for p in c.posts.list_posts(search="transparency")] == ["Hello transparency"]
    assert [p.title for p in c.posts.list_posts(search="cy")] == ["Hello transparency"]  # field end
    assert c.posts.list_posts(search="zq") == []
    with c.context.db.read() as s:  # rebuilt without positions (schema 5)
        sql = s.connection().execute(text("SELECT sql FROM sqlite_master WHERE name = :t"),
                                     {"t": TABLE}).scalar_one()
    assert "detail='none'" in sql


def test_candidates_query_quotes_every_trigram_once() -> None:
    assert candidates_query("data") == '"dat" AND "ata"'
    assert candidates_query("aaaa") == '"aaa"'
    assert candidates_query('a"b"c') == '"a""b" AND """b""" AND "b""c"'


@needs_fts
def test_rare_word_is_fast_at_100k_posts(tmp_path: Path) -> None:
    c = make_curator(tmp_path, [])
    rows = [(f"Post {i} {'zeppelin' if i % 5000 == 0 else 'other'}", f"http://a.example/{i}",
             "lorem ipsum dolor", f"2026-{1 + i % 12:02d}-01 09:00:00.{i:06d}")
            for i in range(100_000)]
    bulk_posts(c, ("title", "link", "summary", "published"), rows)
    timings = {}
    for indexed in (True, False):
        c.posts.queries._search_index = indexed
        start = time.perf_counter()
        found = c.posts.list_posts(search="zeppelin", limit=100)
        count = c.posts.count_posts(search="Zeppelin")
        timings["fts" if indexed else "like"] = time.perf_counter() - start
        assert len(found) == count == 20
        start = time.perf_counter()  # a rare two-letter word (a word being typed)
        assert len(c.posts.list_posts(search="ZE", limit=100)) == 20 and not c.posts.list_posts(search="zz")
        timings["short fts" if indexed else "short like"] = time.perf_counter() - start
    print({k: f"{v * 1000:.1f} ms" for k, v in timings.items()})
    assert timings["fts"] < 0.5 and timings["short fts"] < 0.5, timings


def _indexed(c) -> bool:
    with c.context.db.read() as tx:
        return c.posts.queries.has_search_index(tx)
