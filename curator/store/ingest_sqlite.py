"""Storing a batch of entries on SQLite with plain DB-API calls on a sqlite3 cursor.

SQLAlchemy's per-row compilation and type processing cost more than the inserts themselves, and
importing it costs more than storing the few posts of an everyday poll; so SQLite's statements
need neither (the data layer hands its raw cursor in, `store.poll_file` its own). A batch's
new rows wait in memory until it ends: few statements (see store.sqlite_batch).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from curator.store.ingest_rows import (
    POST_COLUMNS,
    SOURCE_COLUMNS,
    UPDATED_COLUMNS,
    post_params,
    source_params,
    update_params,
)
from curator.store.search_rows import defer_indexing, index_inserted
from curator.store.sqlite_batch import insert_rows, stored_datetime, update_rows

_INSERT_POST_HEAD_WITH_ID = f"INSERT INTO post (id, {', '.join(POST_COLUMNS)})"
_INSERT_SOURCE_HEAD = f"INSERT INTO post_source ({', '.join(SOURCE_COLUMNS)})"


class SqliteStatements:
    """`IngestStatements` on a sqlite3 cursor, inside the caller's write transaction."""

    def __init__(self, cur: sqlite3.Cursor) -> None:
        self.cur = cur
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
        update_rows(self.cur, "post", "id", UPDATED_COLUMNS, update_params(rows, stored_datetime))

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
        self._posts.extend((pid, *post_params(row, stored_datetime))
                           for pid, row in zip(ids, rows, strict=True))
        if not self._bulk:
            self._flush()
        return ids

    def insert_sources(self, rows: list[dict[str, Any]]) -> None:
        self._sources.extend(source_params(rows, stored_datetime))
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
            insert_rows(self.cur, _INSERT_SOURCE_HEAD, self._sources)
            self._sources = []

    def begin_bulk(self) -> None:
        self._deferred = defer_indexing(self.cur)
        self._first_id = self._next_id = self._max_id() + 1
        self._bulk = True

    def end_bulk(self) -> None:
        """Write the batch's new rows, then index its new posts with one statement (they are
        numbered consecutively: nobody else inserts inside our transaction)."""
        self._flush()
        self._bulk = False
        if self._deferred:
            index_inserted(self.cur, self._first_id, self._max_id())
            self._deferred = False
