"""A new database file for a first poll, made with sqlite3 alone.

Importing the data layer (SQLAlchemy, SQLModel, pydantic) costs more than the whole first poll of
30 blogs. The file made here is the one the data layer would make on its first poll: its schema
(`new_database.sql`, written from the data layer's own: see store.schema_dump), the default
themes, a first model trained on them (no examples yet), and the feed list of a feeds.opml,
recorded as mirrored. `tests/test_new_file.py` holds the two files equal.

It is made under a temporary name and linked into place at the end, so no reader ever sees it
half made, and of two processes making the same file at once one wins and the other opens the
winner's file through the data layer as usual.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from curator.store.classifier_file import MODEL_NAME, model_version
from curator.store.meta_keys import OPML_MIRRORED
from curator.store.schema_dump import schema_script
from curator.store.sqlite_batch import insert_rows, stored_datetime

# a new Feed row's columns beyond its outline's (the model's defaults; the rest are NULL)
NEW_FEED = {"status": "new", "error_count": 0}
_FEED_COLUMNS = ("url", "html_url", "title", "person", "org", "category", "theme_hint",
                 "in_opml", "status", "error_count", "created_at")


def create_database_file(db_file: Path, feeds: Iterable[dict[str, Any]],
                         opml_identity: str) -> bool:
    """Make `db_file` holding `feeds` (rows of outline values, see services.feed_list) as the
    mirror of the feeds.opml whose identity is `opml_identity`. False, and nothing made, when
    the file exists by then or cannot be made here (the data layer then opens or makes it)."""
    temporary = db_file.with_name(f".{db_file.name}.{os.getpid()}.new")
    try:
        _make(temporary, list(feeds), opml_identity)
        os.link(temporary, db_file)  # never replaces: a file made meanwhile wins
    except (OSError, sqlite3.Error):
        return False
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return True


def _make(path: Path, feeds: list[dict[str, Any]], opml_identity: str) -> None:
    now = stored_datetime(datetime.now(UTC))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(f"BEGIN;\n{schema_script()}\nCOMMIT;")
        cur = conn.cursor()
        cur.execute("BEGIN")
        _seed_themes_and_model(cur, now)
        insert_rows(cur, f"INSERT INTO feed ({', '.join(_FEED_COLUMNS)})",
                    [tuple({**NEW_FEED, **row, "created_at": now}[c] for c in _FEED_COLUMNS)
                     for row in feeds])
        cur.execute("INSERT INTO curator_meta (key, value) VALUES (?, ?)",
                    (OPML_MIRRORED, opml_identity))
        cur.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")  # the data layer's files are in WAL mode
    finally:
        conn.close()


def _seed_themes_and_model(cur: sqlite3.Cursor, now: str | None) -> None:
    """The default themes (as ThemeService.ensure_themes seeds them) and the model a first
    classifier() call would train from them and store."""
    from curator.classify.model import ThemeClassifier
    from curator.classify.themes_default import DEFAULT_THEMES
    from curator.classify.zeroshot import ThemeSpec

    themes = [ThemeSpec(str(s["slug"]), str(s["name"]), str(s["description"]),
                        tuple(cast(list[str], s["seeds"]))) for s in DEFAULT_THEMES]
    insert_rows(cur, "INSERT INTO theme (slug, name, description, position, seeds)",
                [(t.slug, t.name, t.description, position, json.dumps(list(t.seeds)))
                 for position, t in enumerate(themes)])
    classifier = ThemeClassifier.fit(themes, [])
    cur.execute("INSERT INTO model_blob (name, version, trained_at, n_examples, data) "
                "VALUES (?, ?, ?, ?, ?)",
                (MODEL_NAME, model_version([t.slug for t in themes], None, 0, []), now,
                 classifier.n_examples, classifier.to_bytes()))
