"""Queries on stored posts: the inbox's filters, counts and flags, in SQL.

Everything is filtered in the database (indexed columns, one statement per call) so the inbox stays
quick at 100,000 posts. `picked` and `featured_in` come from the edition tables: a post is picked when
it is an item of the current draft edition, and featured when a published edition carried it or
another post with the same canonical link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select, true, update
from sqlalchemy.sql import ColumnElement, column, literal_column, table

from curator.errors import NotFoundError
from curator.store import search as search_index
from curator.store.dialect import cancellable
from curator.store.engine import Tx
from curator.store.tables import (
    EDITION_ITEMS,
    EDITIONS,
    FEEDS,
    POSTS,
)
from curator.types import PostFilter, PostInfo

RARE_BELOW = 2000  # posts matching a search word: below this the FTS index drives the query


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC) if value is not None else None


def _picked() -> ColumnElement[bool]:
    return exists().where(EDITION_ITEMS.c.post_id == POSTS.c.id, EDITIONS.c.id == EDITION_ITEMS.c.edition_id,
                          EDITIONS.c.status == "draft")


def _picked_ids() -> Any:
    """Ids of the draft's posts: a `picked` filter starts from these few rows, not a scan."""
    return (select(EDITION_ITEMS.c.post_id).join(EDITIONS, EDITIONS.c.id == EDITION_ITEMS.c.edition_id)
            .where(EDITIONS.c.status == "draft", EDITION_ITEMS.c.post_id.is_not(None)))


def _featured() -> Any:
    other = POSTS.alias("same_link")
    same_story = or_(EDITION_ITEMS.c.post_id == POSTS.c.id,
                     and_(POSTS.c.link.is_not(None),
                          or_(EDITION_ITEMS.c.link == POSTS.c.link,
                              EDITION_ITEMS.c.post_id.in_(select(other.c.id)
                                                 .where(other.c.link == POSTS.c.link)
                                                 .correlate(POSTS)))))
    return (select(func.max(EDITIONS.c.number))
            .where(EDITIONS.c.id == EDITION_ITEMS.c.edition_id, EDITIONS.c.status == "published", same_story)
            .scalar_subquery())


def _recently_featured_feeds(editions: int) -> Any:
    """Feeds with a post in one of the last `editions` published editions."""
    featured_post = POSTS.alias("featured_post")
    recent = (select(EDITIONS.c.id).where(EDITIONS.c.status == "published")
              .order_by(EDITIONS.c.number.desc()).limit(editions))
    return (select(featured_post.c.feed_id)
            .join(EDITION_ITEMS, EDITION_ITEMS.c.post_id == featured_post.c.id)
            .where(EDITION_ITEMS.c.edition_id.in_(recent)))


def _search_ids(word: str, terms: list[str] | None = None) -> Any:
    """Ids of posts whose indexed text holds every trigram of `word` (a superset of those
    containing it: callers add the LIKE), or any of `terms` (quoted: never FTS5 syntax)."""
    index = table(search_index.TABLE, column("rowid"))
    phrases = (" OR ".join(search_index.fts_phrase(t) for t in terms) if terms
               else search_index.candidates_query(word))
    return (select(index.c.rowid)  # anonymous bind: several words never share a parameter
            .where(literal_column(search_index.TABLE).op("MATCH")(phrases)))



class PostQueries:
    """The inbox's questions, asked on one store; remembers whether the search index exists."""

    def __init__(self) -> None:
        self._search_index: bool | None = None

    def has_search_index(self, tx: Tx) -> bool:
        """Whether the FTS5 search index exists (looked up once)."""
        if self._search_index is None:
            self._search_index = search_index.exists(tx.connection())
        return self._search_index

    def _is_rare(self, tx: Tx, word: str) -> bool:
        """Whether few posts contain `word`, so the index beats a scan in inbox order.

        A common word matches most posts: the newest page is found after a short LIKE scan,
        while the index would hand back tens of thousands of ids to sort (slower than before).
        Either way the results are the same; this only picks the quicker plan.
        """
        probe = select(func.count()).select_from(_search_ids(word).limit(RARE_BELOW).subquery())
        return int(tx.connection().execute(probe).scalar_one()) < RARE_BELOW

    def where(self, tx: Tx, f: PostFilter) -> list[ColumnElement[bool]]:
        """The WHERE clauses of a filter (search words looked up once, here)."""
        when = func.coalesce(POSTS.c.published, POSTS.c.first_seen_at)
        clauses: list[ColumnElement[bool]] = []
        if f.since is not None:
            clauses.append(when >= _aware(f.since))
        if f.until is not None:
            clauses.append(when < _aware(f.until))
        if f.theme:
            clauses.append(_theme_is(f.theme, f.feed_url))
        if f.feed_url:
            clauses.append(POSTS.c.feed_id == select(FEEDS.c.id).where(FEEDS.c.url == f.feed_url)
                           .scalar_subquery())
        if f.search and f.search.strip():
            clauses.extend(self._search_clauses(tx, f.search))
        if f.picked is not None:
            clauses.append(POSTS.c.id.in_(_picked_ids()) if f.picked else ~_picked())
        if f.unread_only:
            clauses.append(POSTS.c.read.is_(false()))
        if not f.include_hidden:
            clauses.append(POSTS.c.hidden.is_(false()))
        if f.unfeatured_in:
            clauses.append(POSTS.c.feed_id.not_in(_recently_featured_feeds(f.unfeatured_in)))
        return clauses

    def _search_clauses(self, tx: Tx, search: str) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        indexed = self.has_search_index(tx)
        for word in search.split()[:8]:
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            like = or_(POSTS.c.title.ilike(pattern, escape="\\"),
                       POSTS.c.summary.ilike(pattern, escape="\\"),
                       POSTS.c.person.ilike(pattern, escape="\\"),
                       POSTS.c.org.ilike(pattern, escape="\\"),
                       POSTS.c.author.ilike(pattern, escape="\\"))
            # The index finds candidates without a scan; LIKE on those few rows keeps the
            # exact old meaning (trigram also folds non-ASCII case, LIKE does not).
            if not indexed:
                clauses.append(like)
            elif len(word) >= search_index.MIN_WORD:
                rare = self._is_rare(tx, word)
                clauses.append(and_(POSTS.c.id.in_(_search_ids(word)), like) if rare else like)
            elif word.isascii():  # a short word: through the trigrams that start with it
                terms = search_index.short_terms(tx.connection(), word, RARE_BELOW)
                if terms is None:
                    clauses.append(like)
                else:
                    clauses.append(and_(POSTS.c.id.in_(_search_ids(word, terms)), like)
                                   if terms else false())
            else:
                clauses.append(like)
        return clauses

    def page(self, tx: Tx, f: PostFilter, limit: int | None = None, offset: int = 0,
             cancelled: Callable[[], bool] | None = None) -> list[PostInfo]:
        """Newest first; every filter runs in SQL."""
        query = _with_feed().where(*self.where(tx, f)).order_by(
            func.coalesce(POSTS.c.published, POSTS.c.first_seen_at).desc(), POSTS.c.id.desc())
        if limit is not None:
            query = query.limit(max(0, limit))
        if offset:
            query = query.offset(max(0, offset))
        conn = tx.connection()
        with cancellable(conn, cancelled):
            rows = conn.execute(query).mappings().all()
        return [_info(row) for row in rows]

    def count(self, tx: Tx, where: list[ColumnElement[bool]], limit: int | None,
              cancelled: Callable[[], bool] | None) -> int:
        if limit is None:
            query = select(func.count()).select_from(POSTS).where(*where)
        else:
            capped = select(POSTS.c.id).where(*where).limit(max(0, limit)).subquery()
            query = select(func.count()).select_from(capped)
        conn = tx.connection()
        with cancellable(conn, cancelled):
            return int(conn.execute(query).scalar_one())

    @staticmethod
    def of_theme(where: list[ColumnElement[bool]], slug: str | None,
                 feed_url: str | None) -> list[ColumnElement[bool]]:
        """`where` narrowed to one theme (None: every theme; "": posts without one)."""
        if slug is None:
            return where
        if slug == "":
            return [*where, or_(POSTS.c.theme.is_(None), POSTS.c.theme == "")]
        return [*where, _theme_is(slug, feed_url)]


def get_post(tx: Tx, post_id: int) -> PostInfo:
    row = tx.connection().execute(_with_feed().where(POSTS.c.id == post_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no post with id {post_id}")
    return _info(row)


def low_confidence(tx: Tx, threshold: float, limit: int) -> list[PostInfo]:
    """Model-classified posts the classifier is least sure of."""
    query = (_with_feed().where(POSTS.c.theme_source.in_(["model", "feed"]),
                                POSTS.c.theme_confidence < threshold)
             .order_by(POSTS.c.theme_confidence, POSTS.c.id.desc()).limit(limit))
    return [_info(row) for row in tx.connection().execute(query).mappings().all()]


def set_flag(tx: Tx, column: str, ids: Sequence[int], value: bool) -> int:
    """Set `read` or `hidden` on posts; returns how many rows exist among `ids`."""
    wanted = sorted({int(i) for i in ids})
    conn = tx.connection()
    changed = 0
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        result = conn.execute(update(POSTS).where(POSTS.c.id.in_(chunk))
                              .values({column: true() if value else false()}))
        changed += result.rowcount or 0
    return changed


def _with_feed() -> Any:
    """A post with its blog's names, whether the draft holds it and where it was featured."""
    return (select(POSTS, FEEDS.c.url.label("feed_url"), FEEDS.c.title.label("feed_opml_title"),
                   FEEDS.c.feed_title.label("feed_own_title"), _picked().label("is_picked"),
                   _featured().label("featured"))
            .join(FEEDS, FEEDS.c.id == POSTS.c.feed_id))


def _theme_is(slug: str, feed_url: str | None) -> ColumnElement[bool]:
    """`theme = slug`; with a feed filter as well, written so SQLite cannot use a theme index.

    Without statistics SQLite may pick ix_post_theme_when for "feed X, theme Y" and walk every
    post of the theme in the window (160 ms at 100,000 posts); one blog's posts, through
    ix_post_feed_when, are always the shorter walk.
    """
    if feed_url:
        return POSTS.c.theme.concat("") == slug
    return POSTS.c.theme == slug


def _info(row: Any) -> PostInfo:
    return PostInfo(
        id=row["id"], feed_url=row["feed_url"], title=row["title"], link=row["url"] or row["link"],
        person=row["person"], published=_aware(row["published"]), theme=row["theme"],
        confidence=row["theme_confidence"], why=row["theme_why"], org=row["org"],
        author=row["author"], blog_title=row["feed_opml_title"] or row["feed_own_title"],
        summary=row["summary"] or "", tags=list(row["tags"] or []),
        theme_source=row["theme_source"], read=bool(row["read"]), hidden=bool(row["hidden"]),
        picked=bool(row["is_picked"]), featured_in=row["featured"])
