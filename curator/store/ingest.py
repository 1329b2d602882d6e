"""Storing parsed entries: identity, de-duplication, updates and cross-feed stories.

Identity within a feed is the entry's guid, else its canonical link, else title + date
(`identity_key`). The same identity seen again with different content updates the stored post instead
of adding a new one. A canonical link already stored from another feed (a blog and an aggregator both
carrying the story) becomes a second `PostSource` of the same `Post`. Everything here runs inside the
caller's write transaction, with set-based statements: a whole batch of feeds costs a handful of
queries (`BatchLookups` up front, one executemany per feed) rather than one per entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from curator.classify.decide import ThemeGuess
from curator.store import search as search_index
from curator.store.dialect import raw_sqlite, server_extras
from curator.store.engine import Tx
from curator.store.tables import POST_SOURCES, POSTS
from curator.types import ParsedEntry

_CHUNK = 900  # bound parameters per IN list (SQLite's old limit is 999)


def identity_key(entry: ParsedEntry) -> str | None:
    """guid, else canonical link, else title + date; None when the entry has nothing to go by."""
    if entry.guid:
        return "guid:" + entry.guid
    if entry.link:
        return "link:" + entry.link
    if entry.title:
        stamp = entry.published.isoformat() if entry.published else ""
        return f"title:{entry.title}|{stamp}"
    return None


@dataclass
class StoreResult:
    new_post_ids: list[int] = field(default_factory=list)
    unclassified_ids: list[int] = field(default_factory=list)  # new posts stored without a theme
    updated: int = 0
    linked: int = 0  # entries attached to a story first seen in another feed


@dataclass(frozen=True)
class FeedOwner:
    """The feed whose entries are being stored, with its OPML person/org."""

    id: int
    person: str | None = None
    org: str | None = None


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


class _CoreOps:
    """Portable statements through SQLAlchemy Core (PostgreSQL and any other dialect)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def known_any(self, keys: Sequence[str]) -> list[tuple[int, str, int, str, int]]:
        """(source feed, identity key, post id, content hash, post owner) for any feed."""
        return [tuple(row) for row in self.conn.execute(  # type: ignore[misc]
            select(POST_SOURCES.c.feed_id, POST_SOURCES.c.identity_key, POSTS.c.id, POSTS.c.content_hash,
                   POSTS.c.feed_id)
            .join(POSTS, POSTS.c.id == POST_SOURCES.c.post_id)
            .where(POST_SOURCES.c.identity_key.in_(keys)))]

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


@lru_cache(maxsize=1024)  # most values are the batch's own `now` (first/last seen): 60% of calls
def _sql_dt(value: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime type stores (naive UTC with microseconds)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


_POST_COLUMNS = ("feed_id", "guid", "link", "url", "title", "author", "person", "org", "published",
                 "updated", "summary", "tags", "content_hash", "first_seen_at", "last_seen_at",
                 "read", "hidden", "theme", "theme_confidence", "theme_source", "theme_why")
_INSERT_POST = (f"INSERT INTO post ({', '.join(_POST_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_POST_COLUMNS))})")
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


class _SqliteOps(_CoreOps):
    """The same statements on the raw sqlite3 cursor, inside the caller's transaction.

    SQLAlchemy's per-row compilation and type processing cost more than the inserts themselves;
    storing N feeds x 20 entries is the poller's hot path, so SQLite gets plain DB-API calls.
    """

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self.cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._deferred = False  # search indexing deferred to end_bulk
        self._first_id = 0

    def known_any(self, keys: Sequence[str]) -> list[tuple[int, str, int, str, int]]:
        marks = ",".join("?" * len(keys))
        self.cur.execute("SELECT ps.feed_id, ps.identity_key, p.id, p.content_hash, p.feed_id "
                         "FROM post_source ps JOIN post p ON p.id = ps.post_id "
                         f"WHERE ps.identity_key IN ({marks})", tuple(keys))
        return self.cur.fetchall()

    def by_link(self, links: Sequence[str]) -> list[tuple[int, str]]:
        marks = ",".join("?" * len(links))
        self.cur.execute(f"SELECT id, link FROM post WHERE link IN ({marks}) ORDER BY id",
                         tuple(links))
        return [(pid, link) for pid, link in self.cur.fetchall()]

    def update_posts(self, rows: list[dict[str, Any]]) -> None:
        self.cur.executemany(
            "UPDATE post SET title = ?, summary = ?, link = ?, url = ?, author = ?, tags = ?, "
            "updated = ?, content_hash = ?, last_seen_at = ? WHERE id = ?",
            _update_params(rows, _sql_dt))

    def insert_posts(self, rows: list[dict[str, Any]]) -> list[int]:
        """One executemany for the whole batch, ids worked out from the rowids.

        Executing row by row released and re-took the GIL per row, and the poller's fetch thread
        grabbed it each time (a 5 ms switch interval per row, at worst). Inside our BEGIN
        IMMEDIATE transaction nobody else inserts, so SQLite numbers the new rows max(id)+1,
        max(id)+2, ...; that is checked, and anything else aborts the transaction.
        """
        if not rows:
            return []
        params = [_post_params(row, _sql_dt) for row in rows]
        before = self.cur.execute("SELECT coalesce(max(id), 0) FROM post").fetchone()[0]
        self.cur.executemany(_INSERT_POST, params)
        last, top = self.cur.execute("SELECT last_insert_rowid(), max(id) FROM post").fetchone()
        if last != top or last - before != len(rows):
            raise RuntimeError(f"unexpected post ids after a batch insert ({before}..{last}, "
                               f"max {top}, {len(rows)} rows)")
        return list(range(before + 1, last + 1))

    def begin_bulk(self) -> None:
        self._deferred = search_index.defer_indexing(self.cur)
        self._first_id = int(self.cur.execute("SELECT coalesce(max(id), 0) + 1 FROM post")
                             .fetchone()[0])

    def end_bulk(self) -> None:
        """Index the batch's new posts with one statement (they are numbered consecutively:
        nobody else inserts inside our transaction)."""
        if self._deferred:
            last = int(self.cur.execute("SELECT coalesce(max(id), 0) FROM post").fetchone()[0])
            search_index.index_inserted(self.cur, self._first_id, last)
            self._deferred = False

    def insert_sources(self, rows: list[dict[str, Any]]) -> None:
        self.cur.executemany(
            "INSERT INTO post_source (post_id, feed_id, identity_key, guid, link, first_seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", _source_params(rows, _sql_dt))


class _PostgresOps(_CoreOps):
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

    def known_any(self, keys: Sequence[str]) -> list[tuple[int, str, int, str, int]]:
        self.cur.execute("SELECT ps.feed_id, ps.identity_key, p.id, p.content_hash, p.feed_id "
                         "FROM post_source ps JOIN post p ON p.id = ps.post_id "
                         "WHERE ps.identity_key = ANY(%s)", (list(keys),))
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


class BatchLookups:
    """What `store_entries` looks up, answered for a whole batch of feeds in a few queries.

    Two small queries per feed meant two GIL hand-offs per feed on the poller's store thread;
    a batch of a hundred feeds now asks twice in total. Exact, not a guess: a feed appears once
    per batch, so only its own earlier sources can be `known` to it, and links of posts this
    batch inserts are added as they are stored (the oldest post keeps a link, as before).
    """

    def __init__(self, ops: _CoreOps, feeds: Sequence[tuple[int, Sequence[ParsedEntry]]]) -> None:
        keys = sorted({k for _fid, entries in feeds for e in entries
                       if (k := identity_key(e)) is not None})
        self.known: dict[tuple[int, str], tuple[int, str, int]] = {}
        for chunk in _chunks(keys):
            for feed_id, key, pid, digest, owner in ops.known_any(chunk):
                self.known[(feed_id, key)] = (pid, digest, owner)
        links = sorted({e.link for _fid, entries in feeds for e in entries if e.link})
        self.links: dict[str, int] = {}
        for chunk in _chunks(links):
            for pid, link in ops.by_link(chunk):
                self.links.setdefault(link, pid)

    def known_for(self, feed_id: int, keys: Sequence[str]) -> dict[str, tuple[int, str, int]]:
        return {k: hit for k in keys if (hit := self.known.get((feed_id, k))) is not None}


def ops_for(tx: Tx) -> _CoreOps:
    """Raw DB-API statements on SQLite, COPY on PostgreSQL, portable Core statements elsewhere
    and under CURATOR_PORTABLE_SQL (see store.dialect)."""
    conn = tx.connection()
    if raw_sqlite(conn) is not None:
        return _SqliteOps(conn)
    if server_extras(conn):
        return _PostgresOps(conn)
    return _CoreOps(conn)


def store_entries(ops: _CoreOps, lookups: BatchLookups, owner: FeedOwner,
                  entries: Sequence[ParsedEntry], now: datetime,
                  guesses: Sequence[ThemeGuess] | None = None) -> StoreResult:
    """Insert new stories, update changed ones, link cross-feed duplicates; return what changed.

    `lookups` answers what is already stored for the whole batch; `guesses` (one per entry,
    from the poll's workers) lets new posts arrive already themed.
    """
    result = StoreResult()
    if guesses is not None and len(guesses) != len(entries):
        guesses = None
    unique: dict[str, ParsedEntry] = {}
    guess_for: dict[str, ThemeGuess] = {}
    for index, entry in enumerate(entries):
        key = identity_key(entry)
        if key is not None and key not in unique:  # duplicate GUIDs: the first one wins
            unique[key] = entry
            if guesses is not None:
                guess_for[key] = guesses[index]
    if not unique:
        return result
    known = lookups.known_for(owner.id, list(unique))
    # only the story's first feed edits it: an aggregator's copy never overwrites the blog's
    changed = [(known[k][0], e) for k, e in unique.items()
               if k in known and known[k][1] != e.content_hash and known[k][2] == owner.id]
    if changed:
        ops.update_posts([{"pid": pid, "title": e.title, "summary": e.summary, "link": e.link,
                           "url": e.url,
                           "author": e.author, "tags": e.tags, "updated": e.updated or now,
                           "content_hash": e.content_hash, "seen": now} for pid, e in changed])
        result.updated = len(changed)
    fresh = [(k, e) for k, e in unique.items() if k not in known]
    if not fresh:
        return result
    by_link = lookups.links  # shared by the batch: this feed's new posts are added below
    new_rows: list[dict[str, Any]] = []
    pending: list[tuple[str, ParsedEntry]] = []
    claimed: set[str] = set()
    for key, e in fresh:
        if e.link and (e.link in by_link or e.link in claimed):
            continue
        if e.link:
            claimed.add(e.link)
        pending.append((key, e))
        guess = guess_for.get(key)
        new_rows.append({"feed_id": owner.id, "guid": e.guid, "link": e.link, "url": e.url,
                         "title": e.title,
                         "author": e.author, "person": owner.person, "org": owner.org,
                         "published": e.published, "updated": e.updated, "summary": e.summary,
                         "tags": e.tags, "content_hash": e.content_hash, "first_seen_at": now,
                         "last_seen_at": now, "read": False, "hidden": False,
                         "theme": guess.theme if guess else None,
                         "theme_confidence": guess.confidence if guess else None,
                         "theme_source": guess.source if guess else None,
                         "theme_why": guess.why if guess else None})
    new_ids: dict[str, int] = {}
    if new_rows:
        ids = ops.insert_posts(new_rows)
        for (key, e), pid in zip(pending, ids, strict=True):
            new_ids[key] = pid
            if e.link:
                by_link.setdefault(e.link, pid)
        result.new_post_ids = list(ids)
        result.unclassified_ids = [pid for (key, _e), pid in zip(pending, ids, strict=True)
                                   if key not in guess_for]
    sources = []
    for key, e in fresh:
        if key in new_ids:
            pid = new_ids[key]
        else:
            pid = by_link[e.link]  # type: ignore[index]
            result.linked += 1
        sources.append({"post_id": pid, "feed_id": owner.id, "identity_key": key, "guid": e.guid,
                        "link": e.link, "first_seen_at": now})
    ops.insert_sources(sources)
    return result
