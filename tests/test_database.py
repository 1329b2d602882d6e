"""Database opening: WAL, busy timeout, migrations from the first schema, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbkit import make_v1_database
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from curator.errors import CuratorError
from curator.store.engine import Database
from curator.store.migrations import SCHEMA_VERSION, current_version
from curator.store.tables import Feed, Post

pytestmark = pytest.mark.sqlite_only  # the file itself: WAL, pragmas, read-only folders (test_postgres.py for a server)


def _columns(db: Database) -> dict[str, set[str]]:
    insp = inspect(db.engine)
    return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}


def test_new_database_is_wal_and_stamped(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "sub" / "c.db")).open()
    with db.read() as session:
        assert session.exec(text("PRAGMA journal_mode")).one()[0] == "wal"  # type: ignore[call-overload]
        assert session.exec(text("PRAGMA busy_timeout")).one()[0] >= 1000  # type: ignore[call-overload]
    with db.engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
    assert set(_columns(db)) >= set(SQLModel.metadata.tables)


def test_write_commits_and_rolls_back(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "c.db")).open()
    with db.write() as session:
        session.add(Feed(url="https://example.org/feed"))
    with pytest.raises(RuntimeError), db.write() as session:
        session.add(Feed(url="https://example.org/other"))
        raise RuntimeError("boom")
    with db.read() as session:
        assert [f.url for f in session.exec(select(Feed))] == ["https://example.org/feed"]


def test_database_from_first_schema_migrates_and_keeps_data(tmp_path: Path) -> None:
    path = make_v1_database(tmp_path / "v1.db", "Hello", tags='["a"]')

    db = Database(str(path)).open()
    fresh = Database(str(tmp_path / "fresh.db")).open()
    assert _columns(db) == _columns(fresh), "a migration step is missing for a model change"
    with db.engine.connect() as c:
        assert current_version(c) == SCHEMA_VERSION
    with db.read() as session:
        post = session.exec(select(Post)).one()
        assert post.title == "Hello" and post.tags == ["a"]
        assert session.exec(select(Feed)).one().person == "Dave"


@pytest.mark.parametrize("start", ["new", "v1"])
def test_processes_opening_one_file_at_once_migrate_it_once(tmp_path: Path, start: str) -> None:
    """The TUI's first-page helper, a poll daemon and a cron poll may all open the file at once."""
    import threading

    fresh = _columns(Database(str(tmp_path / "fresh.db")).open())
    for round_ in range(8):  # a race: one round lost it about one time in ten before the fix
        path = tmp_path / f"c{round_}.db"
        if start == "v1":
            make_v1_database(path, "Hello")
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def open_it(path: Path = path, barrier: threading.Barrier = barrier,
                    errors: list[BaseException] = errors) -> None:
            barrier.wait()
            try:
                Database(str(path)).open().close()
            except BaseException as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        db = Database(str(path)).open()
        with db.engine.connect() as c:
            assert current_version(c) == SCHEMA_VERSION
        assert _columns(db) == fresh
        db.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "c.db")).open()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE curator_meta SET value = '999' WHERE key = 'schema_version'"))
    with pytest.raises(CuratorError, match="newer curator"):
        Database(str(tmp_path / "c.db")).open()


def test_garbage_file_gives_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CuratorError, match="cannot open database"):
        Database(str(path)).open()
