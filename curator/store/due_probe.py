"""Whether a database file has any feed due, asked with the standard library's sqlite3 alone.

A scheduled `curator poll` (cron, systemd timer, Task Scheduler) usually finds nothing due, and
importing SQLAlchemy, httpx and feedparser just to learn that takes most of a second. This answers
the one question straight from the file, read-only. It says "nothing due" only when it is sure:
the file is at this curator's schema version, its feed list mirrors the feeds.opml given, and no
listed feed's `next_due_at` has come. Any doubt (an older or newer schema, an edited feeds.opml,
a file it cannot open) answers False, and the full poll decides as always.

`feed_rows.due_rows` is the rule in SQLAlchemy; a test holds the two equal on every kind of feed.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from curator.store.meta_keys import OPML_MIRRORED, SCHEMA_VERSION, SCHEMA_VERSION_KEY
from curator.store.sqlite_batch import stored_datetime
from curator.types import FeedStatus

_ANY_DUE = ("SELECT 1 FROM feed WHERE in_opml = 1 AND status != ? "
            "AND (next_due_at IS NULL OR next_due_at <= ?) LIMIT 1")


def nothing_due(db_file: Path, opml_identity: str | None, now: datetime | None = None) -> bool:
    """True only if the file surely has no feed due now and mirrors `opml_identity` (the
    feeds.opml as it is now; None: the feed list is not a file's, e.g. it is missing)."""
    if opml_identity is None or not db_file.is_file():
        return False
    moment = stored_datetime(now or datetime.now(UTC))  # stored text sorts by time
    try:
        conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return False
    try:
        meta = dict(conn.execute("SELECT key, value FROM curator_meta WHERE key IN (?, ?)",
                                 (SCHEMA_VERSION_KEY, OPML_MIRRORED)).fetchall())
        if meta.get(SCHEMA_VERSION_KEY) != str(SCHEMA_VERSION):
            return False
        if meta.get(OPML_MIRRORED) != opml_identity:
            return False
        return conn.execute(_ANY_DUE, (FeedStatus.GONE.value, moment)).fetchone() is None
    except sqlite3.Error:  # busy, damaged, not curator's: the full poll will say what is wrong
        return False
    finally:
        conn.close()
