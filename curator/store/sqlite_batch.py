"""Many rows in a few statements on a raw sqlite3 cursor.

sqlite3 releases the GIL around every step of a statement, and `executemany` steps once per
row. In the poller, the fetch thread takes the GIL at each of those moments and may keep it for
its whole switch interval (5 ms). Writing 200 feeds' states row by row took 60-140 ms while the
fetch thread was busy, and 5 ms once it was idle. A multi-row VALUES list is one step for
hundreds of rows; an update goes through a temporary table and one UPDATE.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

MOST_VARIABLES = 1024  # per statement: long enough to amortise a step; short, since sqlite3 keeps
# each prepared shape in its statement cache (at 8192 the cached statements held about 4 MB)


@lru_cache(maxsize=1024)  # most are a batch's own `now` (first/last seen, polled)
def stored_datetime(value: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime type stores: naive UTC with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def stored_value(value: Any) -> Any:
    """A value as SQLAlchemy would bind it on SQLite (datetimes as `stored_datetime`)."""
    return stored_datetime(value) if isinstance(value, datetime) else value


def _per_statement(cur: sqlite3.Cursor, width: int) -> int:
    """Rows of `width` values that fit one statement (SQLite's variable limit: 999 before
    3.32, 32766 since)."""
    try:
        limit = cur.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # pragma: no cover - Python 3.11+ has getlimit
        limit = 999
    return max(1, min(limit, MOST_VARIABLES) // max(1, width))


@lru_cache(maxsize=64)
def _values(head: str, width: int, count: int) -> str:
    row = "(" + ",".join("?" * width) + ")"
    return f"{head} VALUES {','.join([row] * count)}"


def insert_rows(cur: sqlite3.Cursor, head: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run `head` ("INSERT INTO t (a, b)", or "INSERT OR REPLACE ...") for every row, in as few
    statements as fit."""
    if not rows:
        return
    width = len(rows[0])
    per = _per_statement(cur, width)
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        cur.execute(_values(head, width, len(chunk)), [value for row in chunk for value in row])


def update_rows(cur: sqlite3.Cursor, table: str, key: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]], keep_if_null: Sequence[str] = ()) -> None:
    """UPDATE `table` SET `columns` for each row (its values in `columns` order, then the key's),
    in one statement. A column in `keep_if_null` keeps its stored value where the row has None.
    Where two rows share a key the later one wins, as it would row by row.
    """
    if not rows:
        return
    staging = f"_update_{table}"
    names = [*columns, key]
    # the key typed as the table's: an untyped key compares through affinity, which keeps
    # SQLite from its index and made each row's lookup a scan of the staging table
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
                f"({', '.join(columns)}, {key} INTEGER PRIMARY KEY)")
    cur.execute(f"DELETE FROM temp.{staging}")
    insert_rows(cur, f"INSERT OR REPLACE INTO temp.{staging} ({', '.join(names)})", rows)
    values = ", ".join(f"coalesce(s.{c}, {table}.{c})" if c in keep_if_null else f"s.{c}"
                       for c in columns)
    cur.execute(f"UPDATE {table} SET ({', '.join(columns)}) = (SELECT {values} FROM "
                f"temp.{staging} s WHERE s.{key} = {table}.{key}) "
                f"WHERE {key} IN (SELECT {key} FROM temp.{staging})")
    cur.execute(f"DELETE FROM temp.{staging}")
