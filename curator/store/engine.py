"""Opening the database: engine, SQLite pragmas, short write transactions, migrations on open.

SQLite runs in WAL mode with a busy timeout so a poller daemon and the TUI can share one file.
Writes use `BEGIN IMMEDIATE` (via `Database.write()`) so two writers queue on the busy timeout instead
of failing with "database is locked" half-way through a transaction. Any SQLAlchemy URL works, so a
PostgreSQL server can replace the file when one machine is no longer enough.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event

# imported here, not lazily by `create_engine`: lazily it loads inside the TUI's first worker,
# where it fights the event loop for the GIL (about 100 ms before the first inbox page)
from sqlalchemy.dialects import sqlite as _sqlite_dialect  # noqa: F401
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session, create_engine

from curator.errors import CuratorError

BUSY_TIMEOUT_S = 30.0


def database_url(location: str) -> str:
    return location if "://" in location else f"sqlite:///{location}"


def _use_wal(cur: sqlite3.Cursor) -> None:
    """Put the file in WAL mode (a property of the file: the first connection sets it).

    Switching needs a lock SQLite does not wait for, so when several processes open a new file at
    once (the TUI's first-page helper, a poll daemon) the losers see "database is locked" at once;
    they retry for as long as the busy timeout would have waited.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _install_sqlite_hooks(engine: Engine, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        if not read_only:
            _use_wal(cur)
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("curator_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One engine per process; `read()` and `write()` hand out short-lived sessions."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.url = database_url(location)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite and location != ":memory:" and "://" not in location:
            try:
                Path(location).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CuratorError(f"cannot create the database folder for {location}: "
                                   f"{exc.strerror or exc}") from None
        # a file in a folder we cannot write to (a shared drive, a read-only mount): SQLite's
        # WAL mode needs to create files beside it, so it is opened read-only instead; reading
        # commands work, and a change is one clear line (see curator.launch.entry.describe_failure)
        self.read_only = (self.is_sqlite and "://" not in location and location != ":memory:"
                          and Path(location).is_file()
                          and not os.access(Path(location).parent, os.W_OK))
        kwargs: dict[str, object] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        if self.read_only:
            absolute = Path(location).resolve().as_posix()
            self.url = f"sqlite:///file:{quote(absolute)}?mode=ro&immutable=1&uri=true"
        self.engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine, self.read_only)
        self._write_engine = self.engine.execution_options(curator_immediate=True)

    def open(self) -> Database:
        """Create or migrate the schema; raise a one-line CuratorError if the file is unusable."""
        from curator.store.migrations import migrate

        try:
            migrate(self.engine, self._write_engine)
        except (OperationalError, DatabaseError, sqlite3.DatabaseError) as exc:
            raise CuratorError(f"cannot open database {self.location}: {_short(exc)}") from None
        return self

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one `BEGIN IMMEDIATE` transaction, committed on success."""
        engine = self._write_engine if self.is_sqlite else self.engine
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]
