"""The statements that store a batch of entries (`IngestStatements`), one set per kind of
database: `IngestOps` is the portable set (SQLAlchemy Core), PostgreSQL gets fixed statements and
COPY, SQLite plain DB-API calls (`store.ingest_sqlite`). `ops_for` picks one for a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from curator.store.dialect import raw_sqlite, server_extras
from curator.store.engine import Tx
from curator.store.ingest_rows import (
    POST_COLUMNS,
    SOURCE_COLUMNS,
    IngestStatements,
    naive_utc,
    post_params,
    source_params,
    update_params,
)
from curator.store.ingest_sqlite import SqliteStatements
from curator.store.tables import POST_SOURCES, POSTS


class IngestOps:
    """Portable statements through SQLAlchemy Core (PostgreSQL and any other dialect)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def known_to(self, feed_ids: Sequence[int], keys: Sequence[str]
                 ) -> list[tuple[int, str, int, str, int]]:
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
            update_params(rows, naive_utc))

    def insert_posts(self, rows: list[dict[str, Any]]) -> list[int]:
        """Ids now, from the post sequence; the rows themselves at the batch's end."""
        if not rows:
            return []
        self.cur.execute("SELECT nextval(pg_get_serial_sequence('post', 'id')) "
                         "FROM generate_series(1, %s)", (len(rows),))
        ids = [int(row[0]) for row in self.cur.fetchall()]
        self._posts.extend((pid, *post_params(row, naive_utc))
                           for pid, row in zip(ids, rows, strict=True))
        return ids

    def insert_sources(self, rows: list[dict[str, Any]]) -> None:
        self._sources.extend(source_params(rows, naive_utc))

    def end_bulk(self) -> None:
        if self._posts:
            with self.cur.copy(f"COPY post (id, {', '.join(POST_COLUMNS)}) FROM STDIN") as copy:
                for post_row in self._posts:
                    copy.write_row(post_row)
        if self._sources:
            with self.cur.copy(f"COPY post_source ({', '.join(SOURCE_COLUMNS)}) FROM STDIN"
                               ) as copy:
                for source_row in self._sources:
                    copy.write_row(source_row)
        self._posts, self._sources = [], []



def ops_for(tx: Tx) -> IngestStatements:
    """Raw DB-API statements on SQLite, COPY on PostgreSQL, portable Core statements elsewhere
    and under CURATOR_PORTABLE_SQL (see store.dialect)."""
    conn = tx.connection()
    raw = raw_sqlite(conn)
    if raw is not None:
        return SqliteStatements(raw.cursor())
    if server_extras(conn):
        return _PostgresOps(conn)
    return IngestOps(conn)
