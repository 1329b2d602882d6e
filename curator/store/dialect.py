"""The one place the store asks "is this SQLite?": SQLite-only features, each with a portable twin.

| feature              | on SQLite                                   | portable twin (PostgreSQL...)    |
|----------------------|---------------------------------------------|----------------------------------|
| `--db`               | a file; read-only where its folder is       | the URL (postgresql: psycopg 3)  |
| one writer at a time | BEGIN IMMEDIATE for write transactions      | a transaction-scoped advisory    |
|                      |                                             | lock taken as writes begin       |
| connection set-up    | WAL, busy timeout, foreign keys, BEGIN      | the server's own defaults        |
|                      | IMMEDIATE for writes (see `prepare_engine`) |                                  |
| inbox search         | FTS5 trigram index narrows the LIKE         | LIKE alone (same results); on    |
|                      |                                             | PostgreSQL pg_trgm GIN indexes   |
|                      |                                             | serve that LIKE                  |
| cancelling a query   | progress handler aborts the statement       | PostgreSQL: the driver's cancel; |
|                      |                                             | others: checked before and after |
| bulk ingest          | raw DB-API cursor, deferred indexing        | PostgreSQL: COPY per batch;      |
|                      |                                             | others: SQLAlchemy Core          |

`CURATOR_PORTABLE_SQL=1` makes SQLite take the portable twins of the last three, and PostgreSQL
that of bulk ingest (tests prove the twins give the same answers); connection set-up stays.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from curator.errors import CuratorError, QueryCancelled
from curator.store.poll_file import BUSY_TIMEOUT_S

CHECK_EVERY = 20_000  # SQLite VM steps between checks of a caller's `cancelled()`
CANCEL_POLL_S = 0.02  # PostgreSQL: how often a running statement's `cancelled()` is asked
PORTABLE_ENV = "CURATOR_PORTABLE_SQL"


def sqlite_extras(conn: Connection) -> bool:
    """Whether this connection may use the SQLite-only speed-ups (not their portable twins)."""
    return conn.dialect.name == "sqlite" and os.environ.get(PORTABLE_ENV, "") in ("", "0")


def server_extras(conn: Connection) -> bool:
    """Whether this connection may use PostgreSQL's bulk path (COPY), not the portable twin."""
    return conn.dialect.name == "postgresql" and os.environ.get(PORTABLE_ENV, "") in ("", "0")


def raw_sqlite(conn: Connection) -> sqlite3.Connection | None:
    """The DB-API connection under `conn` when the SQLite speed-ups apply, else None."""
    if not sqlite_extras(conn):
        return None
    raw = conn.connection.driver_connection
    return raw if isinstance(raw, sqlite3.Connection) else None


@contextmanager
def cancellable(conn: Connection, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Abort the running statement once `cancelled()` is true (checked every few ms), so an
    outdated inbox query stops using the database instead of running to its end: on SQLite
    through a progress handler, on PostgreSQL through psycopg's cancel request."""
    if cancelled is None:
        yield
        return
    if cancelled():
        raise QueryCancelled
    if conn.dialect.name == "postgresql":
        with _server_cancel(conn, cancelled):
            yield
        return
    raw = raw_sqlite(conn)
    if raw is None:  # portable twin: the statement runs to its end; its answer is dropped
        yield
        if cancelled():
            raise QueryCancelled
        return
    raw.set_progress_handler(lambda: 1 if cancelled() else 0, CHECK_EVERY)
    try:
        yield
    except OperationalError as exc:
        if cancelled():
            raise QueryCancelled from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


@contextmanager
def _server_cancel(conn: Connection, cancelled: Callable[[], bool]) -> Iterator[None]:
    """A watcher thread asks the server to cancel the statement once `cancelled()` is true."""
    import threading

    raw: Any = conn.connection.driver_connection
    done = threading.Event()

    def watch() -> None:
        while not done.wait(CANCEL_POLL_S):
            if cancelled():
                cancel = getattr(raw, "cancel_safe", None) or raw.cancel  # psycopg >= 3.2
                with suppress(Exception):  # the statement may have just ended
                    cancel()
                return

    watcher = threading.Thread(target=watch, daemon=True, name="curator-cancel")
    watcher.start()
    try:
        yield
    except DBAPIError as exc:
        if cancelled():
            raise QueryCancelled from exc
        raise
    finally:
        done.set()
        watcher.join()
    if cancelled():
        raise QueryCancelled


POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
POSTGRES_DRIVER = "postgresql+psycopg://"
WRITER_LOCK = 0x63757261746f72  # "curator": the advisory lock key write transactions queue on


def database_url(location: str) -> tuple[str, bool]:
    """(SQLAlchemy URL, read-only) for `--db`: a URL as given, else a SQLite file (its folder
    made). A file in a folder curator cannot write to (a shared drive, a read-only mount) opens
    read-only: WAL mode needs files beside it; reading works, a change is one clear line.
    PostgreSQL URLs always use psycopg 3 (the `curator[postgres]` extra), whatever they name."""
    for scheme in POSTGRES_SCHEMES:
        if location.startswith(scheme):
            return POSTGRES_DRIVER + location[len(scheme):], False
    if "://" in location:
        return location, False
    if location == ":memory:":
        return "sqlite:///:memory:", False
    path = Path(location)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CuratorError(f"cannot create the database folder for {location}: "
                           f"{exc.strerror or exc}") from None
    if path.is_file() and not os.access(path.parent, os.W_OK):
        return f"sqlite:///file:{quote(path.resolve().as_posix())}?mode=ro&immutable=1&uri=true", True
    return f"sqlite:///{location}", False


def missing_driver(url: str) -> str:
    """The one line for a server URL whose driver is not installed."""
    if url.startswith(POSTGRES_DRIVER):
        return ("PostgreSQL needs its driver, which is not installed: "
                "pip install 'curator[postgres]'")
    return f"no database driver for {url.split('://')[0]}:// is installed"


def engine_options(url: str) -> dict[str, Any]:
    """create_engine arguments: SQLite waits for a busy file and is shared by the TUI's threads;
    PostgreSQL talks UTC and checks a pooled connection before use (servers restart)."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}}
    if url.startswith(POSTGRES_DRIVER):
        # times are stored as naive UTC, as on SQLite: the session must not shift them
        return {"connect_args": {"options": "-c timezone=UTC"}, "pool_pre_ping": True}
    return {}


def shared_server(engine: Engine) -> bool:
    """A database several machines' pollers share (leases), rather than one machine's file
    (one poller at a time, by the lock file beside it)."""
    return engine.dialect.name == "postgresql"


def prepare_engine(engine: Engine, read_only: bool = False) -> None:
    """One writer at a time on every backend; SQLite's pragmas on each new connection.

    A write transaction (`Database.write()`, migrations) queues behind the one in progress, so
    what it reads it may act on: a pick checks the draft and the items and then adds one, the
    poller looks up stored links and then inserts posts, 8 processes opening an empty database
    find the schema made when their turn comes. SQLite does this with `BEGIN IMMEDIATE`, waiting
    on the busy timeout; PostgreSQL with a transaction-scoped advisory lock (released by commit,
    rollback or a dropped connection). Reads never wait. Statements that are atomic on their own
    (lease claims on a server) use a plain transaction instead.
    """
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "begin")
        def _queue_writer(conn) -> None:  # type: ignore[no-untyped-def]
            if conn.get_execution_options().get("curator_immediate", False):
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
        return
    if engine.dialect.name != "sqlite":
        return

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
