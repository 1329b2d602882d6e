"""Throwaway PostgreSQL databases for the tests that run again on a server (CURATOR_TEST_PG).

`CURATOR_TEST_PG` names a server and a database to connect to for administration, e.g.
`postgresql://postgres@127.0.0.1:55432/postgres` (`.ci/run` starts such a server). Each test gets
a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

PG_ENV = "CURATOR_TEST_PG"
SERVER = os.environ.get(PG_ENV, "")  # read at import: the tests' own fixture clears CURATOR_*
_MADE: list[str] = []  # databases to drop when the session ends


def _with_database(name: str) -> str:
    parts = urlsplit(SERVER)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(SERVER.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(statement)


def create_database() -> str:
    """A new empty database on the test server; returns its URL."""
    name = "curator_t_" + uuid.uuid4().hex[:12]
    _admin(f'CREATE DATABASE "{name}"')
    _MADE.append(name)
    return _with_database(name)


def clone_database(url: str) -> str:
    """A new database copied from `url`'s (nobody may be connected to it meanwhile)."""
    name = "curator_t_" + uuid.uuid4().hex[:12]
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(url).path.lstrip("/")}"')
    _MADE.append(name)
    return _with_database(name)


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_all() -> None:
    """Drop every database this session made and has not dropped yet."""
    while _MADE:
        _admin(f'DROP DATABASE IF EXISTS "{_MADE.pop()}" WITH (FORCE)')
