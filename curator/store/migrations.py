"""Schema versions and the steps between them, applied automatically on open.

A new database is created from the current models and stamped with `SCHEMA_VERSION`. An older one
runs every step from its version up, each in one transaction. To change the schema: edit
`curator.store.tables`, append a step here, bump nothing else (`SCHEMA_VERSION` follows the list).
`tests/test_migrations.py` opens a database made by the first schema and checks the result matches a
fresh one, so a forgotten step fails the tests.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from curator.errors import CuratorError
from curator.store import tables  # noqa: F401  (registers the tables)
from curator.store.meta_keys import SCHEMA_VERSION, SCHEMA_VERSION_KEY
from curator.store.search import (
    bulk_indexing,
    ensure_search_index,
    ensure_server_search_index,
    rebuild_index,
)


def _add_column(conn: Connection, table: str, ddl: str) -> None:
    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {ddl}"))


# Step N upgrades a version-N database to version N+1.
def _v1_inbox_order_indexes(conn: Connection) -> None:
    """Indexes matching the inbox's ORDER BY coalesce(published, first_seen_at)."""
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_post_when "
                      "ON post (coalesce(published, first_seen_at))"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_post_theme_when "
                      "ON post (theme, coalesce(published, first_seen_at))"))


def _v2_post_search_index(conn: Connection) -> None:
    """FTS5 trigram index for inbox search (skipped where SQLite lacks it); fills from posts."""
    ensure_search_index(conn)


def _v3_padded_search_index(conn: Connection) -> None:
    """Search index rebuilt from padded text, plus its vocabulary: one- and two-character
    search words are found through it instead of a scan of every post."""
    rebuild_index(conn)


def _v4_bulk_search_indexing(conn: Connection) -> None:
    """The index's insert trigger steps aside while the poller indexes a batch in one statement."""
    bulk_indexing(conn)


def _v5_search_index_without_positions(conn: Connection) -> None:
    """Search index rebuilt without term positions (detail='none'): storing a post costs the
    poller about 40% less indexing; words are found by their trigrams, then checked by LIKE."""
    rebuild_index(conn)


def _v6_feed_order_index(conn: Connection) -> None:
    """Index for the inbox's `feed:` filter in date order (was a scan of a whole theme)."""
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_post_feed_when "
                      "ON post (feed_id, coalesce(published, first_seen_at))"))


def _v7_author_links(conn: Connection) -> None:
    """The author's own link beside the canonical one (exports carry it; NULL: the same)."""
    _add_column(conn, "post", "url VARCHAR")
    _add_column(conn, "edition_item", "url VARCHAR")


def _v8_host_pauses(conn: Connection) -> None:
    """Retry-After pauses outlive the run that received them."""
    from curator.store.tables import HOST_PAUSES

    HOST_PAUSES.create(conn, checkfirst=True)


# Partial unique indexes, in SQL that SQLite and PostgreSQL both read (declared on the models they
# would load SQLAlchemy's PostgreSQL dialect into every start-up, about 25 ms).
EDITION_GUARDS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_edition_one_draft ON edition (status) "
    "WHERE status = 'draft'",
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_edition_item_post ON edition_item "
    "(edition_id, post_id) WHERE post_id IS NOT NULL",
)


def _edition_guards(conn: Connection) -> None:
    for statement in EDITION_GUARDS:
        conn.execute(text(statement))


def _v9_edition_guards(conn: Connection) -> None:
    """One draft at a time and a post once per edition, held by unique indexes; a revision
    number that lets an open screen see that someone else changed the edition."""
    _add_column(conn, "edition", "revision INTEGER NOT NULL DEFAULT 0")
    drafts = [row[0] for row in conn.execute(text(
        "SELECT id FROM edition WHERE status = 'draft' ORDER BY number DESC"))]
    for older in drafts[1:]:  # left by a race of old releases: kept, not lost, not featured
        conn.execute(text("UPDATE edition SET status = 'set aside' WHERE id = :id"), {"id": older})
    conn.execute(text(
        "DELETE FROM edition_item WHERE post_id IS NOT NULL AND id NOT IN (SELECT min(id) "
        "FROM edition_item WHERE post_id IS NOT NULL GROUP BY edition_id, post_id)"))
    _edition_guards(conn)


def _v10_fleet(conn: Connection) -> None:
    """Host leases and the poller register: several pollers share one server database."""
    from curator.store.tables import HOST_LEASES, POLLERS

    HOST_LEASES.create(conn, checkfirst=True)
    POLLERS.create(conn, checkfirst=True)


def _v11_server_search_index(conn: Connection) -> None:
    """PostgreSQL: trigram indexes serve the inbox's search (SQLite has its FTS5 index)."""
    ensure_server_search_index(conn)


STEPS: list[Callable[[Connection], None]] = [_v1_inbox_order_indexes, _v2_post_search_index,
                                             _v3_padded_search_index, _v4_bulk_search_indexing,
                                             _v5_search_index_without_positions,
                                             _v6_feed_order_index, _v7_author_links,
                                             _v8_host_pauses, _v9_edition_guards, _v10_fleet,
                                             _v11_server_search_index]

if 1 + len(STEPS) != SCHEMA_VERSION:  # pragma: no cover - caught by any test that imports this
    raise RuntimeError("curator.store.meta_keys.SCHEMA_VERSION must be 1 + len(STEPS)")


def current_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("curator_meta"):
        return None
    row = conn.execute(text("SELECT value FROM curator_meta WHERE key = :k"),
                       {"k": SCHEMA_VERSION_KEY}).first()
    return int(row[0]) if row else None


def _stamp(conn: Connection, version: int) -> None:
    conn.execute(text("DELETE FROM curator_meta WHERE key = :k"), {"k": SCHEMA_VERSION_KEY})
    conn.execute(text("INSERT INTO curator_meta (key, value) VALUES (:k, :v)"),
                 {"k": SCHEMA_VERSION_KEY, "v": str(version)})


def migrate(engine: Engine, writer: Engine | None = None) -> int:
    """Bring the database to SCHEMA_VERSION; return the version it had (0 for a new one).

    Several processes may open one file at once (the TUI's first-page helper, a poll daemon, a
    cron poll): with `writer` giving write transactions (`BEGIN IMMEDIATE`) each step runs once,
    the others finding it done when their turn comes. An up-to-date file is only read.
    """
    writer = writer or engine
    with engine.connect() as conn:
        version = current_version(conn)
        has_tables = bool(inspect(conn).get_table_names())
    if version is None and has_tables:
        raise CuratorError("the file is not a curator database (no schema version)")
    if version is not None and version > SCHEMA_VERSION:
        raise CuratorError(f"the database was written by a newer curator (schema {version}, "
                           f"this one knows {SCHEMA_VERSION}); upgrade curator")
    if version is None:
        with writer.begin() as conn:
            if current_version(conn) is None:  # else another process made it meanwhile
                SQLModel.metadata.create_all(conn)
                _edition_guards(conn)  # what steps add beyond create_all
                ensure_search_index(conn)
                _stamp(conn, SCHEMA_VERSION)
        return 0
    for step_version in range(version, SCHEMA_VERSION):
        with writer.begin() as conn:
            if (current_version(conn) or 0) > step_version:
                continue  # another process ran this step meanwhile
            STEPS[step_version - 1](conn)
            SQLModel.metadata.create_all(conn)  # tables added by the step's models
            _stamp(conn, step_version + 1)
    return version
