"""Full-text index over posts so an inbox search word does not scan every row.

`post_search` is an SQLite FTS5 table with the `trigram` tokenizer: it answers "contains this
substring" (case-insensitively) from an index, the same question the inbox's LIKE search asks, for
words of three or more characters. It is an external-content table over `post` (the text is stored
once) kept in step by triggers, so every writer, including raw SQL, updates it. Created only when
the SQLite library has FTS5 and the trigram tokenizer (3.34+); otherwise search keeps using LIKE.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

TABLE = "post_search"
COLUMNS = ("title", "summary", "person", "org", "author")
MIN_WORD = 3  # trigram: shorter words cannot be looked up in the index

_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)
_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({_cols}, content='post', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS post_search_ai AFTER INSERT ON post BEGIN "
    f"INSERT INTO {TABLE}(rowid, {_cols}) VALUES (new.id, {_new}); END",
    f"CREATE TRIGGER IF NOT EXISTS post_search_ad AFTER DELETE ON post BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, {_cols}) VALUES ('delete', old.id, {_old}); END",
    # Only when indexed text (or the id) changes: read/hidden/theme updates stay cheap.
    f"CREATE TRIGGER IF NOT EXISTS post_search_au AFTER UPDATE OF id, {_cols} ON post BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, {_cols}) VALUES ('delete', old.id, {_old}); "
    f"INSERT INTO {TABLE}(rowid, {_cols}) VALUES (new.id, {_new}); END",
)


def supported(conn: Connection) -> bool:
    """True on SQLite 3.34+ built with FTS5 (the trigram tokenizer arrived in 3.34)."""
    if conn.dialect.name != "sqlite":
        return False
    version = str(conn.execute(text("SELECT sqlite_version()")).scalar_one())
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if parts < (3, 34):
        return False
    return bool(conn.execute(text("SELECT sqlite_compileoption_used('ENABLE_FTS5')")).scalar_one())


def exists(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    row = conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                       {"n": TABLE}).first()
    return row is not None


def ensure_search_index(conn: Connection) -> bool:
    """Create the index and its triggers and fill it from existing posts; False if unsupported."""
    if not supported(conn):
        return False
    is_new = not exists(conn)
    for statement in _DDL:  # IF NOT EXISTS: also restores a missing trigger
        conn.execute(text(statement))
    if is_new:
        conn.execute(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')"))
    return True


def fts_phrase(word: str) -> str:
    """`word` as an FTS5 string literal, so user input is never read as query syntax."""
    return '"' + word.replace('"', '""') + '"'
