"""Storing parsed entries: identity, de-duplication, updates and cross-feed stories.

Identity within a feed is the entry's guid, else its canonical link, else title + date
(`identity_key`). The same identity seen again with different content updates the stored post instead
of adding a new one. A canonical link already stored from another feed (a blog and an aggregator both
carrying the story) becomes a second `PostSource` of the same `Post`. Everything here runs inside the
caller's write transaction, with set-based statements: a whole batch of feeds costs a handful of
queries (`BatchLookups` up front, the rows at the batch's end on SQLite and PostgreSQL) rather
than one per entry. The statements themselves are in `store.ingest_sqlite` and `store.ingest_ops`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from curator.store.ingest_rows import IngestStatements
from curator.types import ParsedEntry

if TYPE_CHECKING:  # the classifier loads with the first posts to theme, not with this module
    from curator.classify.decide import ThemeGuess

T = TypeVar("T")
_CHUNK = 900  # bound parameters per statement (SQLite's old limit is 999)


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
    unclassified_ids: list[int] = field(default_factory=list)  # new posts stored without a theme
    updated: int = 0
    linked: int = 0  # entries attached to a story first seen in another feed


@dataclass(frozen=True)
class FeedOwner:
    """The feed whose entries are being stored, with its OPML person/org."""

    id: int
    person: str | None = None
    org: str | None = None


def _chunks(items: Sequence[T], size: int = _CHUNK) -> list[Sequence[T]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class BatchLookups:
    """What `store_entries` looks up, answered for a whole batch of feeds in a few queries.

    Two small queries per feed meant two GIL hand-offs per feed on the poller's store thread;
    a batch of a hundred feeds now asks twice in total. Exact, not a guess: a feed appears once
    per batch, so only its own earlier sources can be `known` to it, and links of posts this
    batch inserts are added as they are stored (the oldest post keeps a link, as before).
    """

    def __init__(self, ops: IngestStatements, feeds: Sequence[tuple[int, Sequence[ParsedEntry]]]) -> None:
        pairs = sorted({(fid, k) for fid, entries in feeds for e in entries
                        if (k := identity_key(e)) is not None})
        self.known: dict[tuple[int, str], tuple[int, str, int]] = {}
        for pair_chunk in _chunks(pairs, _CHUNK // 2):  # feed ids and keys: at most _CHUNK
            feed_ids = sorted({fid for fid, _key in pair_chunk})
            keys = sorted({key for _fid, key in pair_chunk})
            for feed_id, key, pid, digest, owner in ops.known_to(feed_ids, keys):
                self.known[(feed_id, key)] = (pid, digest, owner)
        links = sorted({e.link for _fid, entries in feeds for e in entries if e.link})
        self.links: dict[str, int] = {}
        for chunk in _chunks(links):
            for pid, link in ops.by_link(chunk):
                self.links.setdefault(link, pid)

    def known_for(self, feed_id: int, keys: Sequence[str]) -> dict[str, tuple[int, str, int]]:
        return {k: hit for k in keys if (hit := self.known.get((feed_id, k))) is not None}


Themer = Callable[[list[int]], "Sequence[ThemeGuess] | None"]
"""The themes of the entries (by index) that become new posts, one each; None: store them
unthemed (the service classifies them after storing)."""


def _post_row(owner: FeedOwner, e: ParsedEntry, now: datetime,
              guess: ThemeGuess | None) -> dict[str, Any]:
    return {"feed_id": owner.id, "guid": e.guid, "link": e.link, "url": e.url, "title": e.title,
            "author": e.author, "person": owner.person, "org": owner.org,
            "published": e.published, "updated": e.updated, "summary": e.summary,
            "tags": e.tags, "content_hash": e.content_hash, "first_seen_at": now,
            "last_seen_at": now, "read": False, "hidden": False,
            "theme": guess.theme if guess else None,
            "theme_confidence": guess.confidence if guess else None,
            "theme_source": guess.source if guess else None,
            "theme_why": guess.why if guess else None}


def store_entries(ops: IngestStatements, lookups: BatchLookups, owner: FeedOwner,
                  entries: Sequence[ParsedEntry], now: datetime,
                  theme: Themer | None = None) -> StoreResult:
    """Insert new stories, update changed ones, link cross-feed duplicates; return what changed.

    `lookups` answers what is already stored for the whole batch; `theme`, asked once with the
    indexes of the entries that become new posts, lets them arrive already themed.
    """
    result = StoreResult()
    unique: dict[str, ParsedEntry] = {}
    index_of: dict[str, int] = {}
    for index, entry in enumerate(entries):
        key = identity_key(entry)
        if key is not None and key not in unique:  # duplicate GUIDs: the first one wins
            unique[key] = entry
            index_of[key] = index
    if not unique:
        return result
    known = lookups.known_for(owner.id, list(unique))
    # only the story's first feed edits it: an aggregator's copy never overwrites the blog's
    changed = [(known[k][0], e) for k, e in unique.items()
               if k in known and known[k][1] != e.content_hash and known[k][2] == owner.id]
    if changed:
        ops.update_posts([{"pid": pid, "title": e.title, "summary": e.summary, "link": e.link,
                           "url": e.url,
                           "author": e.author, "tags": e.tags, "updated": e.updated or now,
                           "content_hash": e.content_hash, "seen": now} for pid, e in changed])
        result.updated = len(changed)
    fresh = [(k, e) for k, e in unique.items() if k not in known]
    if not fresh:
        return result
    by_link = lookups.links  # shared by the batch: this feed's new posts are added below
    pending: list[tuple[str, ParsedEntry]] = []
    claimed: set[str] = set()
    for key, e in fresh:
        if e.link and (e.link in by_link or e.link in claimed):
            continue
        if e.link:
            claimed.add(e.link)
        pending.append((key, e))
    guesses = theme([index_of[key] for key, _e in pending]) if theme and pending else None
    if guesses is not None and len(guesses) != len(pending):
        guesses = None
    new_rows = [_post_row(owner, e, now, guesses[i] if guesses is not None else None)
                for i, (_key, e) in enumerate(pending)]
    new_ids: dict[str, int] = {}
    if new_rows:
        ids = ops.insert_posts(new_rows)
        for (key, e), pid in zip(pending, ids, strict=True):
            new_ids[key] = pid
            if e.link:
                by_link.setdefault(e.link, pid)
        result.new_post_ids = list(ids)
        result.unclassified_ids = [] if guesses is not None else list(ids)
    sources = []
    for key, e in fresh:
        if key in new_ids:
            pid = new_ids[key]
        else:
            pid = by_link[e.link]  # type: ignore[index]
            result.linked += 1
        sources.append({"post_id": pid, "feed_id": owner.id, "identity_key": key, "guid": e.guid,
                        "link": e.link, "first_seen_at": now})
    ops.insert_sources(sources)
    return result
