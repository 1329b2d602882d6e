"""Stored posts for the CLI and the TUI inbox: filtered, counted and triaged in SQL.

Everything is filtered in the database (indexed columns, one statement per call) so the inbox stays
quick at 100,000 posts. `picked` and `featured_in` come from the edition tables: a post is picked when
it is an item of the current draft edition, and featured when a published edition carried it or
another post with the same canonical link.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import ColumnElement, column, literal_column, table

from curator.errors import CuratorError, NotFoundError
from curator.services.service_base import ServiceBase
from curator.store import search as search_index
from curator.store.tables import Edition, EditionItem, Feed, Post
from curator.types import PostInfo

POST = Post.__table__  # type: ignore[attr-defined]
FEED = Feed.__table__  # type: ignore[attr-defined]
ITEM = EditionItem.__table__  # type: ignore[attr-defined]
EDITION = Edition.__table__  # type: ignore[attr-defined]
RARE_BELOW = 2000  # posts matching a search word: below this the FTS index drives the query
CHECK_EVERY = 20_000  # SQLite VM steps between checks of a caller's `cancelled()`


class QueryCancelled(CuratorError):
    """The caller's `cancelled()` turned true while its query ran (a newer keystroke came)."""

    def __init__(self) -> None:
        super().__init__("query cancelled")


@contextmanager
def _cancellable(conn: Connection, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Abort the running SQLite statement once `cancelled()` is true (checked every few ms), so
    an outdated inbox query stops using the CPU instead of running to its end."""
    raw = conn.connection.driver_connection
    if cancelled is None or not isinstance(raw, sqlite3.Connection):
        yield
        return
    if cancelled():
        raise QueryCancelled
    raw.set_progress_handler(lambda: 1 if cancelled() else 0, CHECK_EVERY)
    try:
        yield
    except OperationalError as exc:
        if cancelled():
            raise QueryCancelled from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC) if value is not None else None


def _picked() -> ColumnElement[bool]:
    return exists().where(ITEM.c.post_id == POST.c.id, EDITION.c.id == ITEM.c.edition_id,
                          EDITION.c.status == "draft")


def _picked_ids() -> Any:
    """Ids of the draft's posts: a `picked` filter starts from these few rows, not a scan."""
    return (select(ITEM.c.post_id).join(EDITION, EDITION.c.id == ITEM.c.edition_id)
            .where(EDITION.c.status == "draft", ITEM.c.post_id.is_not(None)))


def _featured() -> Any:
    other = POST.alias("same_link")
    same_story = or_(ITEM.c.post_id == POST.c.id,
                     and_(POST.c.link.is_not(None),
                          or_(ITEM.c.link == POST.c.link,
                              ITEM.c.post_id.in_(select(other.c.id)
                                                 .where(other.c.link == POST.c.link)
                                                 .correlate(POST)))))
    return (select(func.max(EDITION.c.number))
            .where(EDITION.c.id == ITEM.c.edition_id, EDITION.c.status == "published", same_story)
            .scalar_subquery())


def _search_ids(word: str, terms: list[str] | None = None) -> Any:
    """Ids of posts whose indexed text holds every trigram of `word` (a superset of those
    containing it: callers add the LIKE), or any of `terms` (quoted: never FTS5 syntax)."""
    index = table(search_index.TABLE, column("rowid"))
    phrases = (" OR ".join(search_index.fts_phrase(t) for t in terms) if terms
               else search_index.candidates_query(word))
    return (select(index.c.rowid)  # anonymous bind: several words never share a parameter
            .where(literal_column(search_index.TABLE).op("MATCH")(phrases)))


class PostService(ServiceBase):
    """Posts operations for the CLI and the TUI."""

    def _has_search_index(self) -> bool:
        """Whether the FTS5 search index exists (looked up once per service instance)."""
        cached: bool | None = getattr(self, "_search_index_cached", None)
        if cached is None:
            with self.db.read() as session:
                cached = search_index.exists(session.connection())
            self._search_index_cached = cached
        return cached

    def _is_rare(self, word: str) -> bool:
        """Whether few posts contain `word`, so the index beats a scan in inbox order.

        A common word matches most posts: the newest page is found after a short LIKE scan,
        while the index would hand back tens of thousands of ids to sort (slower than before).
        Either way the results are the same; this only picks the quicker plan.
        """
        probe = select(func.count()).select_from(_search_ids(word).limit(RARE_BELOW).subquery())
        with self.db.read() as session:
            return int(session.connection().execute(probe).scalar_one()) < RARE_BELOW

    def _short_terms(self, word: str) -> list[str] | None:
        """Index terms covering a one- or two-character word when it is rare (else None)."""
        with self.db.read() as session:
            return search_index.short_terms(session.connection(), word, RARE_BELOW)

    def _where(self, since: datetime | None, until: datetime | None, theme: str | None,
               feed_url: str | None, search: str | None, picked: bool | None,
               unread_only: bool, include_hidden: bool) -> list[ColumnElement[bool]]:
        when = func.coalesce(POST.c.published, POST.c.first_seen_at)
        clauses: list[ColumnElement[bool]] = []
        if since is not None:
            clauses.append(when >= _aware(since))
        if until is not None:
            clauses.append(when < _aware(until))
        if theme:
            clauses.append(_theme_is(theme, feed_url))
        if feed_url:
            clauses.append(POST.c.feed_id == select(FEED.c.id).where(FEED.c.url == feed_url)
                           .scalar_subquery())
        if search and search.strip():
            indexed = self._has_search_index()
            for word in search.split()[:8]:
                pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                like = or_(POST.c.title.ilike(pattern, escape="\\"),
                           POST.c.summary.ilike(pattern, escape="\\"),
                           POST.c.person.ilike(pattern, escape="\\"),
                           POST.c.org.ilike(pattern, escape="\\"),
                           POST.c.author.ilike(pattern, escape="\\"))
                # The index finds candidates without a scan; LIKE on those few rows keeps the
                # exact old meaning (trigram also folds non-ASCII case, LIKE does not).
                if not indexed:
                    clauses.append(like)
                elif len(word) >= search_index.MIN_WORD:
                    rare = self._is_rare(word)
                    clauses.append(and_(POST.c.id.in_(_search_ids(word)), like) if rare else like)
                elif word.isascii():  # a short word: through the trigrams that start with it
                    terms = self._short_terms(word)
                    if terms is None:
                        clauses.append(like)
                    else:
                        clauses.append(and_(POST.c.id.in_(_search_ids(word, terms)), like)
                                       if terms else false())
                else:
                    clauses.append(like)
        if picked is not None:
            clauses.append(POST.c.id.in_(_picked_ids()) if picked else ~_picked())
        if unread_only:
            clauses.append(POST.c.read.is_(false()))
        if not include_hidden:
            clauses.append(POST.c.hidden.is_(false()))
        return clauses

    def list_posts(self, since: datetime | None = None, until: datetime | None = None,
                   theme: str | None = None, feed_url: str | None = None,
                   search: str | None = None, picked: bool | None = None,
                   unread_only: bool = False, include_hidden: bool = False,
                   limit: int | None = None, offset: int = 0,
                   cancelled: Callable[[], bool] | None = None) -> list[PostInfo]:
        """Newest first; every filter runs in SQL. `cancelled`: see `count_posts`."""
        query = (select(POST, FEED.c.url.label("feed_url"), FEED.c.title.label("feed_opml_title"),
                        FEED.c.feed_title.label("feed_own_title"), _picked().label("is_picked"),
                        _featured().label("featured"))
                 .join(FEED, FEED.c.id == POST.c.feed_id)
                 .where(*self._where(since, until, theme, feed_url, search, picked, unread_only,
                                     include_hidden))
                 .order_by(func.coalesce(POST.c.published, POST.c.first_seen_at).desc(),
                           POST.c.id.desc()))
        if limit is not None:
            query = query.limit(max(0, limit))
        if offset:
            query = query.offset(max(0, offset))
        with self.db.read() as session:
            conn = session.connection()
            with _cancellable(conn, cancelled):
                rows = conn.execute(query).mappings().all()
        return [_info(row) for row in rows]

    def count_posts(self, since: datetime | None = None, until: datetime | None = None,
                    theme: str | None = None, feed_url: str | None = None,
                    search: str | None = None, picked: bool | None = None,
                    unread_only: bool = False, include_hidden: bool = False,
                    limit: int | None = None,
                    cancelled: Callable[[], bool] | None = None) -> int:
        """How many posts match, counting no further than `limit` when given (an exact count
        of a common word reads every post; the inbox only needs "more than 1,000").

        `cancelled`: a thread-safe callable; when it turns true the query is aborted and
        `QueryCancelled` raised (the TUI passes its worker's flag).
        """
        where = self._where(since, until, theme, feed_url, search, picked, unread_only,
                            include_hidden)
        return self._count(where, limit, cancelled)

    def count_posts_by_theme(self, themes: Sequence[str | None], since: datetime | None = None,
                             until: datetime | None = None, feed_url: str | None = None,
                             search: str | None = None, picked: bool | None = None,
                             unread_only: bool = False, include_hidden: bool = False,
                             limit: int | None = None,
                             cancelled: Callable[[], bool] | None = None
                             ) -> dict[str | None, int]:
        """`count_posts` for each theme slug (None: every theme; "": posts without one), with
        the filters worked out once (search words are looked up once, not once per theme)."""
        where = self._where(since, until, None, feed_url, search, picked, unread_only,
                            include_hidden)

        def of(slug: str | None) -> list[ColumnElement[bool]]:
            if slug is None:
                return where
            if slug == "":
                return [*where, or_(POST.c.theme.is_(None), POST.c.theme == "")]
            return [*where, _theme_is(slug, feed_url)]

        return {slug: self._count(of(slug), limit, cancelled) for slug in themes}

    def _count(self, where: list[ColumnElement[bool]], limit: int | None,
               cancelled: Callable[[], bool] | None) -> int:
        if limit is None:
            query = select(func.count()).select_from(POST).where(*where)
        else:
            capped = select(POST.c.id).where(*where).limit(max(0, limit)).subquery()
            query = select(func.count()).select_from(capped)
        with self.db.read() as session:
            conn = session.connection()
            with _cancellable(conn, cancelled):
                return int(conn.execute(query).scalar_one())

    def get_post(self, post_id: int) -> PostInfo:
        query = (select(POST, FEED.c.url.label("feed_url"), FEED.c.title.label("feed_opml_title"),
                        FEED.c.feed_title.label("feed_own_title"), _picked().label("is_picked"),
                        _featured().label("featured"))
                 .join(FEED, FEED.c.id == POST.c.feed_id).where(POST.c.id == post_id))
        with self.db.read() as session:
            row = session.connection().execute(query).mappings().first()
        if row is None:
            raise NotFoundError(f"no post with id {post_id}")
        return _info(row)

    def _set_flag(self, column: str, ids: Sequence[int], value: bool) -> int:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return 0
        with self.db.write() as session:
            conn = session.connection()
            changed = 0
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                result = conn.execute(update(POST).where(POST.c.id.in_(chunk))
                                      .values({column: true() if value else false()}))
                changed += result.rowcount or 0
        return changed

    def mark_read(self, ids: Sequence[int], read: bool = True) -> int:
        """Mark posts read (or unread); returns how many rows exist among `ids`."""
        return self._set_flag("read", ids, read)

    def set_hidden(self, ids: Sequence[int], hidden: bool = True) -> int:
        """Hide posts from the inbox (or bring them back)."""
        return self._set_flag("hidden", ids, hidden)


def _theme_is(slug: str, feed_url: str | None) -> ColumnElement[bool]:
    """`theme = slug`; with a feed filter as well, written so SQLite cannot use a theme index.

    Without statistics SQLite may pick ix_post_theme_when for "feed X, theme Y" and walk every
    post of the theme in the window (160 ms at 100,000 posts); one blog's posts, through
    ix_post_feed_when, are always the shorter walk.
    """
    if feed_url:
        return POST.c.theme.concat("") == slug
    return POST.c.theme == slug


def _info(row: Any) -> PostInfo:
    return PostInfo(
        id=row["id"], feed_url=row["feed_url"], title=row["title"], link=row["url"] or row["link"],
        person=row["person"], published=_aware(row["published"]), theme=row["theme"],
        confidence=row["theme_confidence"], why=row["theme_why"], org=row["org"],
        author=row["author"], blog_title=row["feed_opml_title"] or row["feed_own_title"],
        summary=row["summary"] or "", tags=list(row["tags"] or []),
        theme_source=row["theme_source"], read=bool(row["read"]), hidden=bool(row["hidden"]),
        picked=bool(row["is_picked"]), featured_in=row["featured"])
