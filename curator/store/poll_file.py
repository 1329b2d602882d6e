"""A poll's reads and writes on a database file, with the standard library's sqlite3 alone.

Most scheduled polls find nothing due, or find every feed unchanged (304 Not Modified), and
importing SQLAlchemy and the ORM for that took most of the run: about 0.4 s of a 0.8 s poll of
30 blogs. `PollFile` answers the poll's questions (is anything due? which feeds, with their
validators? which hosts asked us to wait?) and stores what such a poll learns straight from the
file: each feed's new polling state, and the few new posts an everyday poll brings, themed by
the stored classifier (`store.ingest_sqlite`, `store.classifier_file`). The poller loads the
data layer only when that classifier is out of date (see services.poll_service).

It opens a file only when it is sure of it: at this curator's schema version and mirroring the
feeds.opml given. Any doubt (an older or newer schema, an edited feeds.opml, a file it cannot
open) answers None, and the full data layer decides, migrates and mirrors as always.
`feed_rows.due_rows` is the rule in SQLAlchemy; a test holds the two equal on every kind of feed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator.store.meta_keys import OPML_MIRRORED, POLLS_STORED, SCHEMA_VERSION, SCHEMA_VERSION_KEY
from curator.store.sqlite_batch import stored_datetime, stored_value, update_rows
from curator.types import FeedStatus

if TYPE_CHECKING:
    from curator.classify.decide import ThemeSnapshot

BUSY_TIMEOUT_S = 30.0  # how long any connection to the file waits for another's write

_DUE = ("in_opml = 1 AND status != ? AND (next_due_at IS NULL OR next_due_at <= ?)")
_TASK_COLUMNS = ("id, url, etag, last_modified, error_count, person, org, "
                 "coalesce(title, feed_title), html_url, theme_hint")

# write_poll_states' keys, and the feed columns they set, in one order (then the feed's id)
_STATE_KEYS = ("etag", "lm", "status", "http_status", "last_error", "error_count", "polled",
               "success", "next_due", "interval", "feed_title", "fid")
_STATE_COLUMNS = ("etag", "last_modified", "status", "http_status", "last_error", "error_count",
                  "last_polled_at", "last_success_at", "next_due_at", "interval_seconds",
                  "feed_title")
_KEPT_IF_NULL = ("last_success_at", "interval_seconds", "feed_title")


def write_poll_states(cur: sqlite3.Cursor, states: Sequence[dict[str, Any]]) -> None:
    """Each polled feed's new state in one statement (keys: `_STATE_KEYS`; None keeps the stored
    success time, interval and title), and the poll counter bumped, inside the caller's write
    transaction. The one SQLite writer of poll state: `feed_rows.save_poll_state` calls it too."""
    if not states:
        return
    cur.execute("UPDATE curator_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                "WHERE key = ?", (POLLS_STORED,))
    if cur.rowcount == 0:
        cur.execute("INSERT INTO curator_meta (key, value) VALUES (?, '1')", (POLLS_STORED,))
    update_rows(cur, "feed", "id", _STATE_COLUMNS,
                [tuple(stored_value(s[k]) for k in _STATE_KEYS) for s in states],
                keep_if_null=_KEPT_IF_NULL)


def write_host_pauses(cur: sqlite3.Cursor, pauses: Mapping[str, datetime]) -> None:
    """Hosts that asked us to wait (429/503 Retry-After), one row per host, the later pause
    winning, inside the caller's write transaction (`feed_rows.pause_hosts` on SQLite too)."""
    for host, until in pauses.items():
        stamp = stored_datetime(until)
        cur.execute("DELETE FROM host_pause WHERE host = ? AND until < ?", (host, stamp))
        cur.execute("INSERT OR IGNORE INTO host_pause (host, until, reason) VALUES (?, ?, ?)",
                    (host, stamp, "429/503 Retry-After"))


def _connect(db_file: Path, read_only: bool, timeout: float) -> sqlite3.Connection | None:
    """A connection in autocommit (transactions are begun explicitly), usable from any thread;
    None when the file cannot be opened."""
    mode = "?mode=ro" if read_only else ""
    try:
        return sqlite3.connect(f"{db_file.resolve().as_uri()}{mode}", uri=True, timeout=timeout,
                               isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None


class PollFile:
    """One sqlite3 connection to a database file this curator wrote and whose feed list is
    the feeds.opml it was given."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn, self.path = conn, path

    @classmethod
    def open(cls, db_file: Path, opml_identity: str | None,
             read_only: bool = False) -> PollFile | None:
        """The file, or None at any doubt (see the module's docstring). `opml_identity`: the
        feeds.opml as it is now (None: the feed list is not a file's, e.g. it is missing)."""
        if opml_identity is None or not db_file.is_file():
            return None
        if not read_only and not (os.access(db_file, os.W_OK)
                                  and os.access(db_file.parent, os.W_OK)):
            return None  # a read-only file or place: the data layer opens it read-only, says so
        conn = _connect(db_file, read_only, timeout=1.0 if read_only else BUSY_TIMEOUT_S)
        if conn is None:
            return None
        try:
            meta = dict(conn.execute("SELECT key, value FROM curator_meta WHERE key IN (?, ?)",
                                     (SCHEMA_VERSION_KEY, OPML_MIRRORED)).fetchall())
            if (meta.get(SCHEMA_VERSION_KEY) != str(SCHEMA_VERSION)
                    or meta.get(OPML_MIRRORED) != opml_identity):
                conn.close()
                return None
            if not read_only:
                if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                    conn.close()  # the data layer's own file is in WAL mode; this one is odd
                    return None
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error:  # busy, damaged, not curator's: the full poll will say what is wrong
            conn.close()
            return None
        return cls(conn, db_file)

    def any_due(self, now: datetime | None = None) -> bool:
        return self.conn.execute(f"SELECT 1 FROM feed WHERE {_DUE} LIMIT 1",
                                 self._due_args(now)).fetchone() is not None

    def due_tasks(self, force: bool, now: datetime | None = None) -> list[tuple[Any, ...]]:
        """What a pass polls, as the poller's task fields and status (`feed_rows.due_rows`'s
        columns, then the status)."""
        where, args = "in_opml = 1 AND status != ?", (FeedStatus.GONE.value,)
        if not force:
            where, args = _DUE, self._due_args(now)
        return self.conn.execute(f"SELECT {_TASK_COLUMNS}, status FROM feed WHERE {where} "
                                 "ORDER BY id", args).fetchall()

    def host_pauses(self, now: datetime) -> dict[str, float]:
        """Hosts still asking us to wait: host -> seconds left."""
        rows = self.conn.execute("SELECT host, until FROM host_pause WHERE until > ?",
                                 (stored_datetime(now),)).fetchall()
        return {host: (datetime.fromisoformat(until).replace(tzinfo=UTC) - now).total_seconds()
                for host, until in rows}

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction, queued behind any other writer as the data layer's are."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    def stored_snapshot(self) -> ThemeSnapshot | None:
        """The stored classifier and rules when the model is current (`store.classifier_file`),
        read through a connection of its own: callable from any thread."""
        from curator.store.classifier_file import stored_snapshot

        conn = _connect(self.path, read_only=True, timeout=BUSY_TIMEOUT_S)
        if conn is None:
            return None
        try:
            return stored_snapshot(conn)
        finally:
            conn.close()

    def close(self) -> None:
        self.conn.close()

    @staticmethod
    def _due_args(now: datetime | None) -> tuple[Any, ...]:
        return FeedStatus.GONE.value, stored_datetime(now or datetime.now(UTC))


def nothing_due(db_file: Path, opml_identity: str | None, now: datetime | None = None) -> bool:
    """True only if the file surely has no feed due now and mirrors `opml_identity` (read-only:
    a scheduled poll's first question, before anything else loads)."""
    probe = PollFile.open(db_file, opml_identity, read_only=True)
    if probe is None:
        return False
    try:
        return not probe.any_due(now)
    except sqlite3.Error:
        return False
    finally:
        probe.close()
