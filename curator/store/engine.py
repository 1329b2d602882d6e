"""Opening the database: engine, SQLite pragmas, short write transactions, migrations on open.

SQLite runs in WAL mode with a busy timeout so a poller daemon and the TUI can share one file.
Writes (`Database.write()`) queue one at a time, on SQLite with `BEGIN IMMEDIATE`, on PostgreSQL
with an advisory lock (see store.dialect), so a transaction may act on what it read. A PostgreSQL
URL replaces the file when one machine is no longer enough.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

# imported here, not lazily by `create_engine`: lazily it loads inside the TUI's first worker,
# where it fights the event loop for the GIL (about 100 ms before the first inbox page)
from sqlalchemy.dialects import sqlite as _sqlite_dialect  # noqa: F401
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from curator.errors import CuratorError
from curator.store.dialect import (
    database_url,
    engine_options,
    missing_driver,
    prepare_engine,
    shared_server,
)
from curator.urls import hide_password

Tx = Session  # what services hand back to store functions: one transaction's unit of work


class Database:
    """One engine per process; `read()` and `write()` hand out short-lived sessions."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.url, self.read_only = database_url(location)
        try:
            self.engine = create_engine(self.url, **engine_options(self.url))
        except (ImportError, NoSuchModuleError):
            raise CuratorError(missing_driver(self.url)) from None
        except ArgumentError as exc:
            raise CuratorError(f"not a database URL: {location} ({exc})") from None
        prepare_engine(self.engine, self.read_only)
        self.shared = shared_server(self.engine)  # several machines' pollers: leases, no lock file
        self._write_engine = self.engine.execution_options(curator_immediate=True)

    def open(self) -> Database:
        """Create or migrate the schema; raise a one-line CuratorError if the file is unusable."""
        from curator.store.migrations import migrate

        try:
            migrate(self.engine, self._write_engine)
        except (OperationalError, DatabaseError, sqlite3.DatabaseError) as exc:
            raise CuratorError(f"cannot open database {self.printable}: {_short(exc)}") from None
        return self

    @property
    def printable(self) -> str:
        """Where the database is, for messages: a server URL with its password hidden."""
        return hide_password(self.location)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self, queued: bool = True) -> Iterator[Session]:
        """A session in one write transaction, committed on success. Queued (the default):
        one writer at a time (see store.dialect). `queued=False` is for statements atomic on
        their own (lease claims and renewals on a server), which must not wait behind a
        poller's batch of posts."""
        engine = self._write_engine if queued else self.engine
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]


def configure_orm() -> None:
    """Do now, off the critical path, the one-off set-up the first ORM query would do.

    The inbox's first screen reads through Core SQL; SQLAlchemy configures the ORM's mappers
    (about 15 ms) on the first ORM query, which would otherwise land on a later keystroke.
    """
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
