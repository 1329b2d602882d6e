"""Many rows in few statements (store.sqlite_batch): the same rows as one statement per row."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from curator.store import sqlite_batch
from curator.store.sqlite_batch import insert_rows, stored_datetime, update_rows

pytestmark = pytest.mark.sqlite_only


def _table() -> sqlite3.Cursor:
    cur = sqlite3.connect(":memory:").cursor()
    cur.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c TEXT)")
    return cur


def test_rows_beyond_one_statement_are_all_inserted_in_order(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sqlite_batch, "MOST_VARIABLES", 10)  # 3 rows of 3 values a statement
    cur = _table()
    statements: list[str] = []
    cur.connection.set_trace_callback(statements.append)
    rows = [(f"a{i}", i, None) for i in range(10)]
    insert_rows(cur, "INSERT INTO t (a, b, c)", rows)
    inserts = [s for s in statements if s.startswith("INSERT")]
    assert [s.count("),(") + 1 for s in inserts] == [3, 3, 3, 1]
    assert cur.execute("SELECT a, b, c FROM t ORDER BY id").fetchall() == rows


def test_an_update_sets_each_row_keeps_nulls_where_asked_and_the_later_row_wins() -> None:
    cur = _table()
    insert_rows(cur, "INSERT INTO t (id, a, b, c)", [(1, "x", 1, "keep"), (2, "y", 2, "keep"),
                                                     (3, "z", 3, "untouched")])
    update_rows(cur, "t", "id", ("a", "b", "c"),
                [("X", 10, None, 1), ("Y", 20, "new", 2), ("X2", 11, None, 1)],
                keep_if_null=("c",))
    assert cur.execute("SELECT id, a, b, c FROM t ORDER BY id").fetchall() == [
        (1, "X2", 11, "keep"), (2, "Y", 20, "new"), (3, "z", 3, "untouched")]
    update_rows(cur, "t", "id", ("a", "b", "c"), [("again", 0, None, 3)])  # staging reused
    assert cur.execute("SELECT a, c FROM t WHERE id = 3").fetchone() == ("again", None)


def test_datetimes_are_stored_as_sqlalchemy_stores_them() -> None:
    moment = datetime(2026, 12, 7, 14, 5, 6, 789, tzinfo=timezone(timedelta(hours=2)))
    assert stored_datetime(moment) == "2026-12-07 12:05:06.000789"
    assert stored_datetime(moment.astimezone(UTC).replace(tzinfo=None)) == \
        "2026-12-07 12:05:06.000789"
    assert stored_datetime(None) is None


def test_an_update_finds_each_row_by_its_key_not_by_scanning_the_batch() -> None:
    """The work grows with the rows, not their square: each row's new values are looked up by
    key (an untyped key once made SQLite scan the whole batch for every row)."""
    steps: dict[int, int] = {}
    for size in (500, 2000):
        cur = _table()
        insert_rows(cur, "INSERT INTO t (id, a, b, c)", [(i, "x", i, "c") for i in range(size)])
        calls = 0

        def count() -> int:
            nonlocal calls
            calls += 1
            return 0

        cur.connection.set_progress_handler(count, 1000)  # once per 1,000 VM instructions
        update_rows(cur, "t", "id", ("a", "b"), [("y", i + 1, i) for i in range(size)])
        steps[size] = calls
        assert cur.execute("SELECT count(*) FROM t WHERE a = 'y' AND b = id + 1").fetchone() == (
            size,)
    assert steps[2000] < 6 * steps[500], steps  # 4x the rows: about 4x the work, not 16x
