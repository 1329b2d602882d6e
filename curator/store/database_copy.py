"""Copying every row of one curator database into another: a one-machine SQLite file moving to
a community's PostgreSQL server (or back, or between any two).

The target is created or migrated as usual, must hold no feeds, posts or editions (nothing is
merged or overwritten), and is filled in one transaction: on any error it stays as it was. Rows
keep their ids, so every reference (a post's feed, an item's post, a signal's post) still holds;
afterwards each id sequence on the server is moved past the largest id copied. What only makes
sense for the source (a search index SQLite builds itself, pollers at work, their host leases) is
not copied: the target builds or starts its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import Table, delete, func, select, text
from sqlalchemy.engine import Connection

from curator.errors import ConflictError
from curator.store.engine import Database
from curator.store.meta_keys import SCHEMA_VERSION_KEY
from curator.store.tables import SQLModel
from curator.types import CopyReport

# parents before children (foreign keys); curator_meta's schema_version is the target's own
ORDER = ("curator_meta", "feed", "host_pause", "theme", "post", "post_source", "rule",
         "training_signal", "model_blob", "edition", "edition_section", "edition_item")
CHUNK = 2000  # rows read and written at a time
MUST_BE_EMPTY = ("feed", "post", "edition")
OWN_META = frozenset({SCHEMA_VERSION_KEY})


def copy_database(source: Database, target: Database,
                  on_table: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy every row from `source` to the empty `target` (both opened); `on_table(name, rows)`
    hears each table as it is done."""
    report = CopyReport(source.printable, target.printable)
    with source.engine.connect() as reader, target.write() as tx:
        writer = tx.connection()
        _require_empty(writer, report.target)
        # settings rows the target made on open (schema_version, a mirror stamp) give way
        writer.execute(delete(_table("curator_meta"))
                       .where(_table("curator_meta").c.key.not_in(OWN_META)))
        for name in ORDER:
            table = _table(name)
            copied = 0
            for rows in _chunks(reader, table):
                if name == "curator_meta":
                    rows = [r for r in rows if r["key"] not in OWN_META]
                if rows:
                    writer.execute(table.insert(), rows)
                    copied += len(rows)
            report.rows[name] = copied
            if on_table is not None:
                on_table(name, copied)
        _move_sequences_on(writer)
    return report


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _require_empty(conn: Connection, where: str) -> None:
    for name in MUST_BE_EMPTY:
        count = conn.execute(select(func.count()).select_from(_table(name))).scalar_one()
        if count:
            raise ConflictError(f"{where} already holds {count} {name} rows; copy into a new, "
                                "empty database (nothing there is merged or overwritten)")


def _chunks(conn: Connection, table: Table) -> Iterator[list[dict[str, object]]]:
    key = list(table.primary_key.columns)
    result = conn.execution_options(stream_results=True).execute(
        select(table).order_by(*key))
    while True:
        rows = result.mappings().fetchmany(CHUNK)
        if not rows:
            return
        yield [dict(row) for row in rows]


def _move_sequences_on(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which copied ids did not advance."""
    if conn.dialect.name != "postgresql":
        return
    for name in ORDER:
        table = _table(name)
        column = table.c.get("id")
        if column is None or not column.autoincrement or column.type.python_type is not int:
            continue
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"coalesce((SELECT max(id) FROM {name}), 1), "
            f"(SELECT max(id) FROM {name}) IS NOT NULL)"))
