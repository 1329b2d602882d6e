"""Databases for tests that need more than the facade: the first schema, and 100k raw posts."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from curator.services import Curator
from curator.store.tables import Feed

FIXTURES = Path(__file__).parent / "fixtures"
STAMP = "2026-11-01 09:00:00.000000"


def make_v1_database(path: Path, title: str, tags: str = "[]") -> Path:
    """A database as the first schema made it: one feed (person Dave) with one post."""
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text())
    conn.execute("INSERT INTO feed (url, title, person, in_opml, status, error_count, created_at) "
                 "VALUES ('https://blog.example/feed', 'Blog', 'Dave', 1, 'ok', 0, '2024-01-01')")
    conn.execute("INSERT INTO post (feed_id, title, summary, tags, content_hash, first_seen_at, "
                 "last_seen_at, read, hidden, link) VALUES (1, ?, 'text', ?, 'h', '2024-01-02', "
                 "'2024-01-02', 0, 0, 'https://blog.example/hello')", (title, tags))
    conn.commit()
    conn.close()
    return path


def bulk_posts(curator: Curator, columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    """Feed 1 plus `rows` of posts (values for `columns` after feed_id), straight through SQL."""
    with curator.context.db.write() as s:
        s.add(Feed(id=1, url="http://a.example/feed"))
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    with curator.context.db.write() as s:
        raw = s.connection().connection.driver_connection
        raw.executemany(f"INSERT INTO post (feed_id, {names}, tags, content_hash, first_seen_at, "
                        f"last_seen_at, read, hidden) VALUES (1, {marks}, '[]', '', '{STAMP}', "
                        f"'{STAMP}', 0, 0)", rows)
