"""Full-text index over posts so an inbox search word does not scan every row.

`post_search` is an SQLite FTS5 table with the `trigram` tokenizer: it answers "contains this
substring" (case-insensitively) from an index, the same question the inbox's LIKE search asks, for
words of three or more characters. It is an external-content table (the text is stored once) kept in
step by triggers, so every writer, including raw SQL, updates it. Created only when the SQLite
library has FTS5 and the trigram tokenizer (3.34+); otherwise search keeps using LIKE.

The index keeps no positions (a third less work for the poller): a word's posts are those holding
all its trigrams, narrowed to the exact answer by the same LIKE the unindexed search uses.

Every indexed field ends with two spaces (the `post_search_text` view), so each occurrence of a one-
or two-character word starts some trigram: the terms beginning with the word, listed by the
`post_search_vocab` table, find its posts without a scan (`short_terms`).

On PostgreSQL the same LIKE (ILIKE) is served by pg_trgm GIN indexes, one per searched column
(`ensure_server_search_index`): the planner combines them, so a search word of three or more
characters reads its posts from the indexes instead of every row.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from curator.store.dialect import sqlite_extras
from curator.store.search_rows import COLUMN_LIST, COLUMNS, CONTROL, TABLE, padded

VIEW = "post_search_text"  # the padded text the index is built from
VOCAB = "post_search_vocab"  # its terms, with how many posts hold each
MIN_WORD = 3  # trigram: shorter words are found through `short_terms`
TRIGGERS = ("post_search_ai", "post_search_ad", "post_search_au")

_DDL = (
    f"CREATE VIEW IF NOT EXISTS {VIEW} AS SELECT id, "
    + ", ".join(f"coalesce({c}, '') || '  ' AS {c}" for c in COLUMNS) + " FROM post",
    # detail='none': no positions, about 40% less work per indexed post (the poller indexes
    # every post it stores); a word is found by its trigrams, the caller's LIKE makes it exact
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({COLUMN_LIST}, content='{VIEW}', "
    "content_rowid='id', tokenize='trigram', detail='none')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB} USING fts5vocab({TABLE}, 'row')",
    f"CREATE TABLE IF NOT EXISTS {CONTROL} (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "deferred INTEGER NOT NULL DEFAULT 0)",
    f"INSERT OR IGNORE INTO {CONTROL} (id, deferred) VALUES (1, 0)",
    # Row by row, unless a bulk writer (the poller) said it indexes its own rows in one statement:
    # FTS5 pays a per-statement cost that grows with the pending data, so one INSERT ... SELECT
    # per transaction costs about a third of a trigger per row.
    f"CREATE TRIGGER IF NOT EXISTS post_search_ai AFTER INSERT ON post "
    f"WHEN (SELECT deferred FROM {CONTROL} WHERE id = 1) IS NOT 1 BEGIN "
    f"INSERT INTO {TABLE}(rowid, {COLUMN_LIST}) VALUES (new.id, {padded('new.')}); END",
    f"CREATE TRIGGER IF NOT EXISTS post_search_ad AFTER DELETE ON post BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, {COLUMN_LIST}) VALUES ('delete', old.id, {padded('old.')}); "
    "END",
    # Only when indexed text (or the id) changes: read/hidden/theme updates stay cheap.
    f"CREATE TRIGGER IF NOT EXISTS post_search_au AFTER UPDATE OF id, {COLUMN_LIST} ON post BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, {COLUMN_LIST}) VALUES ('delete', old.id, {padded('old.')}); "
    f"INSERT INTO {TABLE}(rowid, {COLUMN_LIST}) VALUES (new.id, {padded('new.')}); END",
)


def supported(conn: Connection) -> bool:
    """True on SQLite 3.34+ built with FTS5 (the trigram tokenizer arrived in 3.34)."""
    if conn.dialect.name != "sqlite":  # the index exists whatever CURATOR_PORTABLE_SQL says
        return False
    version = str(conn.execute(text("SELECT sqlite_version()")).scalar_one())
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if parts < (3, 34):
        return False
    return bool(conn.execute(text("SELECT sqlite_compileoption_used('ENABLE_FTS5')")).scalar_one())


def exists(conn: Connection) -> bool:
    """Whether queries may use the index (its portable twin, LIKE alone, otherwise)."""
    if not sqlite_extras(conn):
        return False
    names = {row[0] for row in conn.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (:t, :v)"),
        {"t": TABLE, "v": VOCAB})}
    return names == {TABLE, VOCAB}


TRIGRAM_INDEXES = tuple(f"ix_post_{c}_trgm" for c in COLUMNS)


def ensure_server_search_index(conn: Connection) -> bool:
    """PostgreSQL: pg_trgm and a GIN trigram index per searched column; False elsewhere, or
    where the extension cannot be made (a role without the right: search then scans, slower
    but with the same answers)."""
    if conn.dialect.name != "postgresql":
        return False
    try:
        with conn.begin_nested():  # a refusal must not undo the rest of the migration
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except Exception:  # noqa: BLE001 - no right to create it: search works without
        return False
    for name, column in zip(TRIGRAM_INDEXES, COLUMNS, strict=True):
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON post "
                          f"USING gin ({column} gin_trgm_ops)"))
    return True


def ensure_search_index(conn: Connection) -> bool:
    """Create the index and its triggers and fill it from existing posts; False if unsupported."""
    if conn.dialect.name == "postgresql":
        return ensure_server_search_index(conn)
    if not supported(conn):
        return False
    is_new = not exists(conn)
    for statement in _DDL:  # IF NOT EXISTS: also restores a missing trigger
        conn.execute(text(statement))
    if is_new:
        conn.execute(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')"))
    return True


def bulk_indexing(conn: Connection) -> bool:
    """Migration: the insert trigger learns to step aside while the poller indexes a batch."""
    if not exists(conn):
        return ensure_search_index(conn)
    conn.execute(text("DROP TRIGGER IF EXISTS post_search_ai"))
    return ensure_search_index(conn)


def rebuild_index(conn: Connection) -> bool:
    """Migration: replace the index with the current definition (padded fields, no positions)."""
    if not supported(conn):  # never made here (not SQLite, or one without FTS5)
        return False
    for trigger in TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {VOCAB}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
    conn.execute(text(f"DROP VIEW IF EXISTS {VIEW}"))
    return ensure_search_index(conn)


def short_terms(conn: Connection, word: str, most: int) -> list[str] | None:
    """The index terms that start with a one- or two-character `word`, or None when they cover
    `most` posts or more (a common word: scanning finds a page sooner than the index would).

    Every occurrence of the word starts one of these trigrams (the fields are padded), so the
    posts matching any of them include every post that contains the word.
    """
    low = word.lower()
    high = low[:-1] + chr(ord(low[-1]) + 1)
    rows = conn.execute(text(f"SELECT term, doc FROM {VOCAB} WHERE term >= :low AND term < :high"),
                        {"low": low, "high": high})
    terms: list[str] = []
    posts = 0
    for term, docs in rows:  # the vocabulary reads each term's posts: stop once it is common
        posts += int(docs)
        terms.append(str(term))
        if posts >= most or len(terms) > most // 10:
            rows.close()
            return None
    return terms


def fts_phrase(word: str) -> str:
    """`word` as an FTS5 string literal, so user input is never read as query syntax."""
    return '"' + word.replace('"', '""') + '"'


def candidates_query(word: str) -> str:
    """An FTS5 query for the posts holding every trigram of `word` (three characters or more).

    The index keeps no positions (detail='none'), so it cannot ask for the trigrams in a row; the
    posts it returns include every post containing the word, and the caller's LIKE keeps only
    those that really do.
    """
    grams = dict.fromkeys(word[i:i + 3] for i in range(len(word) - 2))
    return " AND ".join(fts_phrase(gram) for gram in grams)
