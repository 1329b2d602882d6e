"""Queries on the Feed table: the mirror of feeds.opml, feed health, what a poll pass takes.

An outline arrives here as plain column values (`url`, `title`, ... `in_opml`), keyed by the
normalised URL; the OPML itself is `curator.feeds`' business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, update
from sqlalchemy import select as core_select
from sqlmodel import select

from curator.store.dialect import raw_sqlite
from curator.store.engine import Tx
from curator.store.meta_keys import POLLS_STORED
from curator.store.poll_file import write_host_pauses, write_poll_states
from curator.store.tables import (
    FEEDS,
    HOST_PAUSES,
    POST_SOURCES,
    POSTS,
    Feed,
    Meta,
)
from curator.types import FeedInfo, FeedStatus
from curator.urls import normalise_feed_url


def to_info(row: Feed, post_count: int = 0) -> FeedInfo:
    """A feed as the CLI and TUI see it; one no longer in feeds.opml says "removed"."""
    return FeedInfo(
        url=row.url, title=row.title or row.feed_title, person=row.person, org=row.org,
        category=row.category, theme=row.theme_hint,
        status=row.status if row.in_opml else FeedStatus.REMOVED, html_url=row.html_url,
        id=row.id, http_status=row.http_status, last_error=row.last_error,
        error_count=row.error_count, last_polled_at=row.last_polled_at,
        last_success_at=row.last_success_at, next_due_at=row.next_due_at, post_count=post_count)


def feed_infos(tx: Tx, include_removed: bool, counts: bool, by_source: bool = False
               ) -> list[FeedInfo]:
    """Every feed with its post count (`by_source`: posts it carried, shared ones included)."""
    query = select(Feed)
    if not include_removed:
        query = query.where(Feed.in_opml == True)  # noqa: E712 (SQL expression)
    rows = tx.exec(query).all()
    table = POST_SOURCES if by_source else POSTS
    post_counts = ({fid: n for fid, n in tx.connection().execute(
        core_select(table.c.feed_id, func.count()).group_by(table.c.feed_id))} if counts else {})
    return [to_info(r, int(post_counts.get(r.id or 0, 0))) for r in rows]


def meta(tx: Tx, key: str) -> str | None:
    row = tx.get(Meta, key)
    return row.value if row is not None else None


def set_meta(tx: Tx, key: str, value: str) -> None:
    row = tx.get(Meta, key) or Meta(key=key, value="")
    row.value = value
    tx.add(row)


def mirror(tx: Tx, outlines: Mapping[str, dict[str, Any]], renames: Mapping[str, str],
           merge_only: bool = False) -> tuple[int, int, int]:
    """Make the Feed table describe `outlines` (normalised URL -> column values); rows of feeds
    that left the list are marked `in_opml=False` (their posts stay). `renames` (old key -> new
    URL) keep a moved feed's row and state. Returns (added, updated, removed).

    `merge_only` (a shared server, where the table is the list and a facilitator's file is one
    of many): new feeds are added and listed ones updated, but a feed missing from the file is
    not removed (another facilitator added it) and a removed one is not brought back (another
    facilitator removed it; a stale copy of the file still lists it)."""
    added = updated = removed = 0
    new_rows: list[dict[str, Any]] = []
    by_key = {normalise_feed_url(r.url): r for r in tx.exec(select(Feed)).all()}
    for old_key, new_url in renames.items():
        row, new_key = by_key.get(old_key), normalise_feed_url(new_url)
        if row is not None and new_key not in by_key:
            row.url = new_url
            by_key[new_key] = by_key.pop(old_key)
    for key, values in outlines.items():
        row = by_key.get(key)
        if row is None:
            new_rows.append(_defaults() | values)
            added += 1
            continue
        if not row.in_opml:
            if merge_only:
                continue
            added += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            updated += 1
        else:
            continue
        for name, value in values.items():
            setattr(row, name, value)
        tx.add(row)
    for key, row in by_key.items():
        if not merge_only and key not in outlines and row.in_opml:
            row.in_opml = False
            tx.add(row)
            removed += 1
    if new_rows:  # one statement: a first sync of 1000 feeds built 1000 ORM objects
        tx.connection().execute(insert(FEEDS), new_rows)
    return added, updated, removed


def mark_removed(tx: Tx, url: str, removed: bool = True) -> bool:
    """Take one feed off the list (its row, state and posts stay), or with `removed=False` put
    it back; False if there was nothing to change."""
    wanted = normalise_feed_url(url)
    for row in tx.exec(select(Feed).where(Feed.in_opml.is_(removed))).all():  # type: ignore[attr-defined]
        if normalise_feed_url(row.url) == wanted:
            row.in_opml = not removed
            tx.add(row)
            return True
    return False


def _defaults() -> dict[str, Any]:
    """A new Feed row's columns before the outline's: the model's defaults."""
    return {name: info.get_default(call_default_factory=True)
            for name, info in Feed.model_fields.items() if name != "id"}


def feed_id(tx: Tx, url: str) -> int | None:
    """The feed's id by its exact URL, else by its normalised one."""
    conn = tx.connection()
    row = conn.execute(core_select(FEEDS.c.id).where(FEEDS.c.url == url.strip())).first()
    if row is not None:
        return int(row[0])
    wanted = normalise_feed_url(url)
    for fid, other in conn.execute(core_select(FEEDS.c.id, FEEDS.c.url)):
        if normalise_feed_url(other) == wanted:
            return int(fid)
    return None


def due_rows(tx: Tx, force: bool, only: int | None, now: datetime,
             polled_before: datetime | None = None,
             ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    """What a pass polls, as the poller's task fields: the rule of `curator.poll.schedule.is_due`
    in SQL (a test holds the two equal). `polled_before` (a forced run of a fleet): leave out
    feeds another poller polled since this run began. `ids`: only those of these feeds."""
    query = core_select(FEEDS.c.id, FEEDS.c.url, FEEDS.c.etag, FEEDS.c.last_modified,
                        FEEDS.c.error_count, FEEDS.c.person, FEEDS.c.org,
                        func.coalesce(FEEDS.c.title, FEEDS.c.feed_title), FEEDS.c.html_url,
                        FEEDS.c.theme_hint)
    if only is not None:
        query = query.where(FEEDS.c.id == only)
    else:
        query = query.where(FEEDS.c.in_opml.is_(True), FEEDS.c.status != FeedStatus.GONE)
        if not force:
            query = query.where(or_(FEEDS.c.next_due_at.is_(None), FEEDS.c.next_due_at <= now))
    if ids is not None:
        query = query.where(FEEDS.c.id.in_(list(ids)))
    if polled_before is not None:
        query = query.where(or_(FEEDS.c.last_polled_at.is_(None),
                                FEEDS.c.last_polled_at < polled_before))
    return [tuple(row) for row in tx.connection().execute(query.order_by(FEEDS.c.id))]


def host_pauses(tx: Tx, now: datetime) -> dict[str, float]:
    """Hosts still asking us to wait: host -> seconds left."""
    rows = tx.connection().execute(
        core_select(HOST_PAUSES.c.host, HOST_PAUSES.c.until).where(HOST_PAUSES.c.until > now)).all()
    return {host: (_aware(until) - now).total_seconds() for host, until in rows}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def pause_hosts(tx: Tx, pauses: Mapping[str, datetime]) -> None:
    """Remember hosts that asked us to wait (429/503 Retry-After); one row per host, the later
    pause wins."""
    conn = tx.connection()
    raw = raw_sqlite(conn)
    if raw is not None:
        write_host_pauses(raw.cursor(), pauses)
        return
    for host, until in pauses.items():
        conn.execute(delete(HOST_PAUSES).where(HOST_PAUSES.c.host == host, HOST_PAUSES.c.until < until))
        if conn.execute(core_select(HOST_PAUSES.c.host).where(HOST_PAUSES.c.host == host)).first() is None:
            conn.execute(insert(HOST_PAUSES).values(host=host, until=until,
                                              reason="429/503 Retry-After"))




def polls_stored(tx: Tx) -> int:
    """The poll counter: an open screen compares it each second to see any poller's work."""
    return int(meta(tx, POLLS_STORED) or 0)


def save_poll_state(tx: Tx, states: list[dict[str, Any]]) -> None:
    """Each polled feed's new state in one statement: keys fid, etag, lm, status, http_status,
    last_error, error_count, polled, success, next_due, interval, feed_title (None keeps the
    stored success time, interval and title). Bumps the poll counter in the same transaction."""
    if not states:
        return
    raw = raw_sqlite(tx.connection())
    if raw is not None:  # one statement, not one GIL hand-off per feed (store.sqlite_batch)
        write_poll_states(raw.cursor(), states)
        return
    set_meta(tx, POLLS_STORED, str(polls_stored(tx) + 1))
    tx.connection().execute(
        update(FEEDS).where(FEEDS.c.id == bindparam("fid")).values(
            etag=bindparam("etag"), last_modified=bindparam("lm"),
            status=bindparam("status"), http_status=bindparam("http_status"),
            last_error=bindparam("last_error"), error_count=bindparam("error_count"),
            last_polled_at=bindparam("polled"),
            last_success_at=func.coalesce(bindparam("success", type_=FEEDS.c.last_success_at.type),
                                          FEEDS.c.last_success_at),
            next_due_at=bindparam("next_due"),
            interval_seconds=func.coalesce(bindparam("interval", type_=FEEDS.c.interval_seconds
                                                     .type), FEEDS.c.interval_seconds),
            feed_title=func.coalesce(bindparam("feed_title", type_=FEEDS.c.feed_title.type),
                                     FEEDS.c.feed_title)),
        states)
