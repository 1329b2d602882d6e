"""Hermetic tests: every test gets its own CURATOR_HOME and no inherited CURATOR_*, proxy or CA
settings.

With CURATOR_TEST_PG naming a PostgreSQL server, only the database-facing tests (marked `pg` or
`pg_only`) run, each on a new database of its own given as CURATOR_DB; without it, `pg_only` tests
skip and say why.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pgkit import PG_ENV, SERVER, create_database, drop_all, drop_database

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
# the machine's proxy and CA settings must not steer tests (the network tests set their own)
NETWORK_ENV = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                         "SSL_CERT_FILE", "SSL_CERT_DIR"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a server run keep the database-facing tests; elsewhere skip the server-only ones."""
    if SERVER:
        keep = [item for item in items if _on_server(item)]
        config.hook.pytest_deselected(items=[item for item in items if not _on_server(item)])
        items[:] = keep
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL: set {PG_ENV}="
                                   "postgresql://USER@127.0.0.1:PORT/postgres (see .ci/run)")
    for item in items:
        if item.get_closest_marker("pg_only"):
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if SERVER:
        drop_all()


def _on_server(item: pytest.Item) -> bool:
    return bool((item.get_closest_marker("pg") or item.get_closest_marker("pg_only"))
                and not item.get_closest_marker("sqlite_only"))


@pytest.fixture(autouse=True)
def curator_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("CURATOR_") or key.upper() in NETWORK_ENV:
            monkeypatch.delenv(key)
    home = tmp_path / "curator-home"
    monkeypatch.setenv("CURATOR_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def server_database(request: pytest.FixtureRequest, curator_home: Path,
                    monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """On a server run, the test's default database (CURATOR_DB) is a new one on the server."""
    if not (SERVER and _on_server(request.node)):
        yield None
        return
    url = create_database()
    monkeypatch.setenv("CURATOR_DB", url)
    yield url
    drop_database(url)


@pytest.fixture
def db_location(tmp_path: Path, server_database: str | None) -> str:
    """Where a test's database lives: a new server database on a server run, else a file."""
    return server_database or str(tmp_path / "c.db")


def corpus_dir(name: str) -> Path:
    """A folder of ../shared/corpus, or skip the test when the corpus is absent."""
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"corpus folder {path} not present")
    return path
