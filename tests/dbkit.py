"""Databases for tests that need more than the facade: the first schema, and 100k raw posts."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text

from curator.services import Curator
from curator.store.tables import Feed

FIXTURES = Path(__file__).parent / "fixtures"
STAMP = "2026-11-01 09:00:00.000000"


V1_FEED = ("INSERT INTO feed (url, title, person, in_opml, status, error_count, created_at) "
           "VALUES ('https://blog.example/feed', 'Blog', 'Dave', true, 'ok', 0, '2024-01-01')")
V1_POST = ("INSERT INTO post (feed_id, title, summary, tags, content_hash, first_seen_at, "
           "last_seen_at, read, hidden, link) VALUES (1, :title, 'text', :tags, 'h', "
           "'2024-01-02', '2024-01-02', false, false, 'https://blog.example/hello')")


def make_v1_database(location: Path | str, title: str, tags: str = "[]") -> Path | str:
    """A database as the first schema made it: one feed (person Dave) with one post. A path
    makes a SQLite file; a PostgreSQL URL fills that (empty) database."""
    if isinstance(location, str) and "://" in location:
        return _v1_on_postgresql(location, title, tags)
    conn = sqlite3.connect(location)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text())
    conn.execute(V1_FEED.replace("true", "1"))
    conn.execute(V1_POST.replace("false", "0").replace(":title", "?").replace(":tags", "?"),
                 (title, tags))
    conn.commit()
    conn.close()
    return location


def _v1_on_postgresql(url: str, title: str, tags: str) -> str:
    """The first schema as SQLAlchemy's PostgreSQL dialect wrote it: serial ids, timestamps,
    bytea, and tables created after those they refer to."""
    from sqlalchemy import create_engine, text

    from curator.store.dialect import database_url

    ddl = re.sub(r"^--.*$", "", (FIXTURES / "schema_v1.sql").read_text(), flags=re.M)
    ddl = re.sub(r"^\s*id INTEGER NOT NULL", "\tid SERIAL NOT NULL", ddl, flags=re.M)
    ddl = ddl.replace("DATETIME", "TIMESTAMP WITHOUT TIME ZONE").replace("BLOB", "BYTEA")
    statements = [s.strip() for s in ddl.split(";") if s.strip()]
    tables = [s for s in statements if s.startswith("CREATE TABLE")]
    done: list[str] = []
    while tables:  # each table after the tables it refers to
        made = {re.findall(r"CREATE TABLE (\w+)", s)[0] for s in done}
        ready = [s for s in tables if set(re.findall(r"REFERENCES (\w+)", s)) <= made
                 | {re.findall(r"CREATE TABLE (\w+)", s)[0]}]
        done += ready
        tables = [s for s in tables if s not in ready]
    engine = create_engine(database_url(url)[0])
    with engine.begin() as conn:
        for statement in done + [s for s in statements if not s.startswith("CREATE TABLE")]:
            conn.execute(text(statement))
        conn.execute(text(V1_FEED))
        conn.execute(text(V1_POST), {"title": title, "tags": tags})
    engine.dispose()
    return url


def bulk_posts(curator: Curator, columns: Sequence[str], rows: Sequence[tuple[object, ...]],
               feed_title: str | None = None) -> None:
    """Feed 1 plus `rows` of posts (values for `columns` after feed_id), straight through SQL."""
    with curator.context.db.write() as s:
        s.add(Feed(id=1, url="http://a.example/feed", title=feed_title))
    names = ", ".join(columns)
    with curator.context.db.write() as s:
        conn = s.connection()
        if conn.dialect.name == "sqlite":  # the driver itself: 100k rows in a second
            marks = ", ".join("?" * len(columns))
            conn.connection.driver_connection.executemany(  # type: ignore[union-attr]
                f"INSERT INTO post (feed_id, {names}, tags, content_hash, first_seen_at, "
                f"last_seen_at, read, hidden) VALUES (1, {marks}, '[]', '', '{STAMP}', "
                f"'{STAMP}', 0, 0)", rows)
            return
        marks = ", ".join(f":c{i}" for i in range(len(columns)))
        conn.execute(text(f"INSERT INTO post (feed_id, {names}, tags, content_hash, "
                          f"first_seen_at, last_seen_at, read, hidden) VALUES (1, {marks}, "
                          f"'[]', '', '{STAMP}', '{STAMP}', false, false)"),
                     [{f"c{i}": value for i, value in enumerate(row)} for row in rows])
