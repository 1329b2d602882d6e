"""What storing a batch of entries asks of a database (`IngestStatements`), and the row values
every kind of database binds (SQLAlchemy-free: SQLite's statements run without it).
`store.ingest` decides what to store; `store.ingest_sqlite` and `store.ingest_ops` store it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

POST_COLUMNS = ("feed_id", "guid", "link", "url", "title", "author", "person", "org", "published",
                "updated", "summary", "tags", "content_hash", "first_seen_at", "last_seen_at",
                "read", "hidden", "theme", "theme_confidence", "theme_source", "theme_why")
SOURCE_COLUMNS = ("post_id", "feed_id", "identity_key", "guid", "link", "first_seen_at")
UPDATED_COLUMNS = ("title", "summary", "link", "url", "author", "tags", "updated",
                   "content_hash", "last_seen_at")  # `update_params` order, then the id
_DATES = ("published", "updated", "first_seen_at", "last_seen_at")

Stamp = Callable[[datetime | None], Any]  # a datetime as the driver stores it


class IngestStatements(Protocol):
    """The statements `store.ingest` runs, inside the caller's write transaction."""

    def known_to(self, feed_ids: Sequence[int], keys: Sequence[str]
                 ) -> list[tuple[int, str, int, str, int]]:
        """(source feed, identity key, post id, content hash, post owner) of the sources of
        `feed_ids` with one of `keys`. Asked by feed and key, so the unique index on
        (feed_id, identity_key) answers: by key alone every lookup scanned all sources."""
        ...

    def by_link(self, links: Sequence[str]) -> list[tuple[int, str]]:
        """(post id, link) of stored posts with one of `links`, oldest first."""
        ...

    def update_posts(self, rows: list[dict[str, Any]]) -> None: ...

    def insert_posts(self, rows: list[dict[str, Any]]) -> list[int]: ...

    def insert_sources(self, rows: list[dict[str, Any]]) -> None: ...

    def begin_bulk(self) -> None:
        """A batch of feeds is about to be stored (SQLite: defer search indexing to the end)."""
        ...

    def end_bulk(self) -> None:
        """The batch is stored; must run before the transaction commits."""
        ...


def naive_utc(value: datetime | None) -> datetime | None:
    """Timestamps are stored as naive UTC (the columns have no time zone)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def update_params(rows: list[dict[str, Any]], stamp: Stamp) -> list[tuple[Any, ...]]:
    """`update_posts` rows in the order of the UPDATE's placeholders."""
    return [(r["title"], r["summary"], r["link"], r["url"], r["author"], json.dumps(r["tags"]),
             stamp(r["updated"]), r["content_hash"], stamp(r["seen"]), r["pid"]) for r in rows]


def post_params(row: dict[str, Any], stamp: Stamp) -> tuple[Any, ...]:
    """A new post's values in `POST_COLUMNS` order."""
    values = dict(row, tags=json.dumps(row["tags"]), read=False, hidden=False)
    for name in _DATES:
        values[name] = stamp(values[name])
    return tuple(values[c] for c in POST_COLUMNS)


def source_params(rows: list[dict[str, Any]], stamp: Stamp) -> list[tuple[Any, ...]]:
    """post_source rows in `SOURCE_COLUMNS` order."""
    return [(r["post_id"], r["feed_id"], r["identity_key"], r["guid"], r["link"],
             stamp(r["first_seen_at"])) for r in rows]
