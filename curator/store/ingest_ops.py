"""The statements that store a batch of entries, one set per kind of database.

`IngestOps` is the portable set (SQLAlchemy Core); SQLite gets plain DB-API calls that keep a
batch's new rows in memory until it ends (few statements: see store.sqlite_batch), PostgreSQL
fixed statements and COPY. `store.ingest` decides what to store; these only store it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from curator.store import search as search_index
from curator.store.dialect import raw_sqlite, server_extras
from curator.store.engine import Tx
from curator.store.sqlite_batch import insert_rows, stored_datetime, update_rows
from curator.store.tables import POST_SOURCES, POSTS


class IngestOps:
    """Portable statements through SQLAlchemy Core (PostgreSQL and any other dialect)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def known_to(self, feed_ids: Sequence[int], keys: Sequence[str]
                 ) -> list[tuple[int, str, int, str, int]]:
        """(source feed, identity key, post id, content hash, post owner) of the sources of
        `feed_ids` with one of `keys`. Asked by feed and key, so the unique index on
        (feed_id, identity_key) answers: by key alone every lookup scanned all sources."""
        return [tuple(row) for row in self.conn.execute(  # type: ignore[misc]
            select(POST_SOURCES.c.feed_id, POST_SOURCES.c.identity_key, POSTS.c.id, POSTS.c.content_hash,
                   POSTS.c.feed_id)
            .join(POSTS, POSTS.c.id == POST_SOURCES.c.post_id)
            .where(POST_SOURCES.c.feed_id.in_(feed_ids), POST_SOURCES.c.identity_key.in_(keys)))]

    def by_link(self, links: Sequence[str]) -> list[tuple[int, str]]:
        return [(pid, link) for pid, link in self.conn.execute(
            select(POSTS.c.id, POSTS.c.link).where(POSTS.c.link.in_(links)).order_by(POSTS.c.id))]

    def update_posts(self, rows: list[dict[str, Any]]) -> None:
        self.conn.execute(
            update(POSTS).where(POSTS.c.id == bindparam("pid")).values(
                title=bindparam("title"), summary=bindparam("summary"), link=bindparam("link"),
                url=bindparam("url"), author=bindparam("author"), tags=bindparam("tags"), updated=bindparam("updated"),
                content_hash=bindparam("content_hash"), last_seen_at=bindparam("seen")), rows)

    def insert_posts(self, rows: list[dict[str, Any]]) -> list[int]:
        return list(self.conn.execute(
            insert(POSTS).returning(POSTS.c.id, sort_by_parameter_order=True), rows).scalars())

    def insert_sources(self, rows: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(POST_SOURCES), rows)

    def begin_bulk(self) -> None:
        """A batch of feeds is about to be stored (SQLite: defer search indexing to the end)."""

    def end_bulk(self) -> None:
        """The batch is stored; must run before the transaction commits."""


_POST_COLUMNS = ("feed_id", "guid", "link", "url", "title", "author", "person", "org", "published",
                 "updated", "summary", "tags", "content_hash", "first_seen_at", "last_seen_at",
                 "read", "hidden", "theme", "theme_confidence", "theme_source", "theme_why")
_INSERT_POST_HEAD_WITH_ID = f"INSERT INTO post (id, {', '.join(_POST_COLUMNS)})"
_UPDATED_COLUMNS = ("title", "summary", "link", "url", "author", "tags", "updated",
                    "content_hash", "last_seen_at")  # `_update_params` order, then the id
_DATES = ("published", "updated", "first_seen_at", "last_seen_at")


def _naive_utc(value: datetime | None) -> datetime | None:
    """Timestamps are stored as naive UTC (the columns have no time zone)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


Stamp = Callable[[datetime | None], Any]  # a datetime as the driver stores it


def _update_params(rows: list[dict[str, Any]], stamp: Stamp) -> list[tuple[Any, ...]]:
    """`update_posts` rows in the order of the UPDATE's placeholders."""
    return [(r["title"], r["summary"], r["link"], r["url"], r["author"], json.dumps(r["tags"]),
             stamp(r["updated"]), r["content_hash"], stamp(r["seen"]), r["pid"]) for r in rows]


def _post_params(row: dict[str, Any], stamp: Stamp) -> tuple[Any, ...]:
    """A new post's values in `_POST_COLUMNS` order."""
    values = dict(row, tags=json.dumps(row["tags"]), read=False, hidden=False)
    for name in _DATES:
        values[name] = stamp(values[name])
    return tuple(values[c] for c in _POST_COLUMNS)


def _source_params(rows: list[dict[str, Any]], stamp: Stamp) -> list[tuple[Any, ...]]:
    """post_source rows: post_id, feed_id, identity_key, guid, link, first_seen_at."""
    return [(r["post_id"], r["feed_id"], r["identity_key"], r["guid"], r["link"],
             stamp(r["first_seen_at"])) for r in rows]


class _SqliteOps(IngestOps):
    """The same statements on the raw sqlite3 cursor, inside the caller's transaction.

    SQLAlchemy's per-row compilation and type processing cost more than the inserts themselves;
    storing N feeds x 20 entries is the poller's hot path, so SQLite gets plain DB-API calls.
    """

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self.cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._deferred = False  # search indexing deferred to end_bulk
        self._first_id = 0
        self._bulk = False  # between begin_bulk and end_bulk: new rows wait in memory
        self._next_id = 0  # the id the next new post gets
        self._posts: list[tuple[Any, ...]] = []
        self._sources: list[tuple[Any, ...]] = []

    def known_to(self, feed_ids: Sequence[int], keys: Sequence[str]
                 ) -> list[tuple[int, str, int, str, int]]:
        self._flush()  # a question about stored rows must see the batch's own
        feeds, marks = ",".join("?" * len(feed_ids)), ",".join("?" * len(keys))
        self.cur.execute("SELECT ps.feed_id, ps.identity_key, p.id, p.content_hash, p.feed_id "
                         "FROM post_source ps JOIN post p ON p.id = ps.post_id "
                         f"WHERE ps.feed_id IN ({feeds}) AND ps.identity_key IN ({marks})",
                         (*feed_ids, *keys))
        return self.cur.fetchall()

    def by_link(self, links: Sequence[str]) -> list[tuple[int, str]]:
        self._flush()
        marks = ",".join("?" * len(links))
        self.cur.execute(f"SELECT id, link FROM post WHERE link IN ({marks}) ORDER BY id",
                         tuple(links))
        return [(pid, link) for pid, link in self.cur.fetchall()]

    def update_posts(self, rows: list[dict[str, Any]]) -> None:
        self._flush()  # the rows may include posts this batch added
        update_rows(self.cur, "post", "id", _UPDATED_COLUMNS, _update_params(rows, stored_datetime))

    def insert_posts(self, rows: list[dict[str, Any]]) -> list[int]:
        """Ids now; in a bulk batch the rows wait for `end_bulk` (few statements for the whole
        batch: each statement is a GIL hand-off to the busy fetch thread, see
        curator.store.sqlite_batch). Inside our BEGIN IMMEDIATE transaction nobody else
        inserts, so the new rows are max(id)+1, max(id)+2, ...; `_flush` checks it, and
        anything else aborts the transaction."""
        if not rows:
            return []
        if not self._bulk:
            self._next_id = self._max_id() + 1
        ids = list(range(self._next_id, self._next_id + len(rows)))
        self._next_id += len(rows)
        self._posts.extend((pid, *_post_params(row, stored_datetime))
                           for pid, row in zip(ids, rows, strict=True))
        if not self._bulk:
            self._flush()
        return ids

    def insert_sources(self, rows: list[dict[str, Any]]) -> None:
        self._sources.extend(_source_params(rows, stored_datetime))
        if not self._bulk:
            self._flush()

    def _max_id(self) -> int:
        return int(self.cur.execute("SELECT coalesce(max(id), 0) FROM post").fetchone()[0])

    def _flush(self) -> None:
        """Write the new rows waiting in memory, posts before their sources."""
        if self._posts:
            last = self._posts[-1][0]
            insert_rows(self.cur, _INSERT_POST_HEAD_WITH_ID, self._posts)
            self._posts = []
            if self._max_id() != last:
                raise RuntimeError(f"unexpected post ids after a batch insert (expected the "
                                   f"last to be {last})")
        if self._sources:
            insert_rows(self.cur, "INSERT INTO post_source (post_id, feed_id, identity_key, "
                        "guid, link, first_seen_at)", self._sources)
            self._sources = []

    def begin_bulk(self) -> None:
        self._deferred = search_index.defer_indexing(self.cur)
        self._first_id = self._next_id = self._max_id() + 1
        self._bulk = True

    def end_bulk(self) -> None:
        """Write the batch's new rows, then index its new posts with one statement (they are
        numbered consecutively: nobody else inserts inside our transaction)."""
        self._flush()
        self._bulk = False
        if self._deferred:
            search_index.index_inserted(self.cur, self._first_id, self._max_id())
            self._deferred = False


class _PostgresOps(IngestOps):
    """The server's bulk path on the psycopg connection, inside the caller's transaction.

    Through SQLAlchemy every feed's insert is a new multi-row statement that psycopg must
    parse again (about half the poller's time at 1,000 feeds). Here the lookups and updates are
    fixed statements (prepared once), new posts get their ids from the sequence at once, and the
    batch's rows reach the server in one COPY per table when the batch ends.
    """

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self.cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._posts: list[tuple[Any, ...]] = []
        self._sources: list[tuple[Any, ...]] = []

    def known_to(self, feed_ids: Sequence[int], keys: Sequence[str]
                 ) -> list[tuple[int, str, int, str, int]]:
        self.cur.execute("SELECT ps.feed_id, ps.identity_key, p.id, p.content_hash, p.feed_id "
                         "FROM post_source ps JOIN post p ON p.id = ps.post_id "
                         "WHERE ps.feed_id = ANY(%s) AND ps.identity_key = ANY(%s)",
                         (list(feed_ids), list(keys)))
        return self.cur.fetchall()

    def by_link(self, links: Sequence[str]) -> list[tuple[int, str]]:
        self.cur.execute("SELECT id, link FROM post WHERE link = ANY(%s) ORDER BY id",
                         (list(links),))
        return [(pid, link) for pid, link in self.cur.fetchall()]

    def update_posts(self, rows: list[dict[str, Any]]) -> None:
        self.cur.executemany(
            "UPDATE post SET title = %s, summary = %s, link = %s, url = %s, author = %s, "
            "tags = %s, updated = %s, content_hash = %s, last_seen_at = %s WHERE id = %s",
            _update_params(rows, _naive_utc))

    def insert_posts(self, rows: list[dict[str, Any]]) -> list[int]:
        """Ids now, from the post sequence; the rows themselves at the batch's end."""
        if not rows:
            return []
        self.cur.execute("SELECT nextval(pg_get_serial_sequence('post', 'id')) "
                         "FROM generate_series(1, %s)", (len(rows),))
        ids = [int(row[0]) for row in self.cur.fetchall()]
        self._posts.extend((pid, *_post_params(row, _naive_utc))
                           for pid, row in zip(ids, rows, strict=True))
        return ids

    def insert_sources(self, rows: list[dict[str, Any]]) -> None:
        self._sources.extend(_source_params(rows, _naive_utc))

    def end_bulk(self) -> None:
        if self._posts:
            with self.cur.copy(f"COPY post (id, {', '.join(_POST_COLUMNS)}) FROM STDIN") as copy:
                for post_row in self._posts:
                    copy.write_row(post_row)
        if self._sources:
            with self.cur.copy("COPY post_source (post_id, feed_id, identity_key, guid, link, "
                               "first_seen_at) FROM STDIN") as copy:
                for source_row in self._sources:
                    copy.write_row(source_row)
        self._posts, self._sources = [], []



def ops_for(tx: Tx) -> IngestOps:
    """Raw DB-API statements on SQLite, COPY on PostgreSQL, portable Core statements elsewhere
    and under CURATOR_PORTABLE_SQL (see store.dialect)."""
    conn = tx.connection()
    if raw_sqlite(conn) is not None:
        return _SqliteOps(conn)
    if server_extras(conn):
        return _PostgresOps(conn)
    return IngestOps(conn)
