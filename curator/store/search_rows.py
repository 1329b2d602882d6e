"""The search index's names, and how the poller indexes a batch of new posts, on a raw sqlite3
cursor (no SQLAlchemy: a poll that stores a few posts need not load it). The index itself, its
triggers and its queries are in `store.search`."""

from __future__ import annotations

from typing import Any

TABLE = "post_search"
CONTROL = "post_search_control"  # one row: deferred = 1 while a bulk writer indexes for itself
COLUMNS = ("title", "summary", "person", "org", "author")
COLUMN_LIST = ", ".join(COLUMNS)


def padded(prefix: str) -> str:
    """The indexed fields of a post row (`prefix`: "new.", "old." or ""), each ending with two
    spaces (see `store.search` on short words)."""
    return ", ".join(f"coalesce({prefix}{c}, '') || '  '" for c in COLUMNS)


def defer_indexing(cursor: Any) -> bool:
    """Inside a write transaction: stop indexing inserted posts row by row; False if no index.

    The caller must call `index_inserted` before committing (a rollback undoes both). Rows it
    updates or deletes meanwhile must be rows that were already indexed.
    """
    found = cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (CONTROL,)).fetchone()
    if found is None:
        return False
    cursor.execute(f"UPDATE {CONTROL} SET deferred = 1 WHERE id = 1")
    return True


def index_inserted(cursor: Any, first_id: int, last_id: int) -> None:
    """Index posts first_id..last_id in one statement and switch row-by-row indexing back on."""
    if last_id >= first_id:
        cursor.execute(f"INSERT INTO {TABLE}(rowid, {COLUMN_LIST}) SELECT id, {padded('')} "
                       "FROM post WHERE id BETWEEN ? AND ?", (first_id, last_id))
    cursor.execute(f"UPDATE {CONTROL} SET deferred = 0 WHERE id = 1")
