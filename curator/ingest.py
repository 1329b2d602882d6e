"""Storing parsed entries: identity, de-duplication, updates and cross-feed stories.

Identity within a feed is the entry's guid, else its canonical link, else title + date
(`identity_key`). The same identity seen again with different content updates the stored post instead
of adding a new one. A canonical link already stored from another feed (a blog and an aggregator both
carrying the story) becomes a second `PostSource` of the same `Post`. Everything here runs inside the
caller's write transaction, with set-based statements so a batch of feeds costs a handful of queries
each rather than one per entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from curator.models import Post, PostSource
from curator.parse import ParsedEntry

POST = Post.__table__  # type: ignore[attr-defined]
SOURCE = PostSource.__table__  # type: ignore[attr-defined]
_CHUNK = 400


def identity_key(entry: ParsedEntry) -> str | None:
    """guid, else canonical link, else title + date; None when the entry has nothing to go by."""
    if entry.guid:
        return "guid:" + entry.guid
    if entry.link:
        return "link:" + entry.link
    if entry.title:
        stamp = entry.published.isoformat() if entry.published else ""
        return f"title:{entry.title}|{stamp}"
    return None


@dataclass
class StoreResult:
    new_post_ids: list[int] = field(default_factory=list)
    updated: int = 0
    linked: int = 0  # entries attached to a story first seen in another feed


@dataclass(frozen=True)
class FeedOwner:
    """The feed whose entries are being stored, with its OPML person/org."""

    id: int
    person: str | None = None
    org: str | None = None


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def store_entries(conn: Connection, owner: FeedOwner, entries: Sequence[ParsedEntry],
                  now: datetime) -> StoreResult:
    """Insert new stories, update changed ones, link cross-feed duplicates; return what changed."""
    result = StoreResult()
    unique: dict[str, ParsedEntry] = {}
    for entry in entries:
        key = identity_key(entry)
        if key is not None and key not in unique:  # duplicate GUIDs: the first one wins
            unique[key] = entry
    if not unique:
        return result
    keys = list(unique)
    known: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(SOURCE.c.identity_key, POST.c.id, POST.c.content_hash)
            .join(POST, POST.c.id == SOURCE.c.post_id)
            .where(SOURCE.c.feed_id == owner.id, SOURCE.c.identity_key.in_(chunk)))
        known.update({key: (post_id, digest) for key, post_id, digest in rows})
    changed = [(known[k][0], e) for k, e in unique.items() if k in known and known[k][1] !=
               e.content_hash]
    if changed:
        conn.execute(
            update(POST).where(POST.c.id == bindparam("pid")).values(
                title=bindparam("title"), summary=bindparam("summary"), link=bindparam("link"),
                author=bindparam("author"), tags=bindparam("tags"), updated=bindparam("updated"),
                content_hash=bindparam("content_hash"), last_seen_at=bindparam("seen")),
            [{"pid": pid, "title": e.title, "summary": e.summary, "link": e.link,
              "author": e.author, "tags": e.tags, "updated": e.updated or now,
              "content_hash": e.content_hash, "seen": now} for pid, e in changed])
        result.updated = len(changed)
    fresh = [(k, e) for k, e in unique.items() if k not in known]
    if not fresh:
        return result
    links = sorted({e.link for _, e in fresh if e.link})
    by_link: dict[str, int] = {}
    for chunk in _chunks(links):
        for pid, link in conn.execute(select(POST.c.id, POST.c.link).where(POST.c.link.in_(chunk))
                                      .order_by(POST.c.id)):
            by_link.setdefault(link, pid)
    new_rows: list[dict[str, object]] = []
    pending: list[tuple[str, ParsedEntry]] = []
    claimed: set[str] = set()
    for key, e in fresh:
        if e.link and (e.link in by_link or e.link in claimed):
            continue
        if e.link:
            claimed.add(e.link)
        pending.append((key, e))
        new_rows.append({"feed_id": owner.id, "guid": e.guid, "link": e.link, "title": e.title,
                         "author": e.author, "person": owner.person, "org": owner.org,
                         "published": e.published, "updated": e.updated, "summary": e.summary,
                         "tags": e.tags, "content_hash": e.content_hash, "first_seen_at": now,
                         "last_seen_at": now, "read": False, "hidden": False})
    new_ids: dict[str, int] = {}
    if new_rows:
        ids = conn.execute(insert(POST).returning(POST.c.id, sort_by_parameter_order=True),
                           new_rows).scalars().all()
        for (key, e), pid in zip(pending, ids, strict=True):
            new_ids[key] = pid
            if e.link:
                by_link.setdefault(e.link, pid)
        result.new_post_ids = list(ids)
    sources = []
    for key, e in fresh:
        pid = new_ids.get(key)
        if pid is None:
            pid = by_link[e.link]  # type: ignore[index]
            result.linked += 1
        sources.append({"post_id": pid, "feed_id": owner.id, "identity_key": key, "guid": e.guid,
                        "link": e.link, "first_seen_at": now})
    conn.execute(insert(SOURCE), sources)
    return result
