"""Stored posts for the CLI and the TUI inbox: filtered, counted and triaged (SQL in the store).

Everything is filtered in the database (indexed columns, one statement per call) so the inbox stays
quick at 100,000 posts. `picked` and `featured_in` come from the edition tables: a post is picked when
it is an item of the current draft edition, and featured when a published edition carried it or
another post with the same canonical link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from curator.services.service_base import ServiceBase, ServiceContext
from curator.store.post_queries import PostQueries, get_post, set_flag
from curator.types import PostFilter, PostInfo


class PostService(ServiceBase):
    """Posts operations for the CLI and the TUI.

    `cancelled`, where a method takes it: a thread-safe callable; when it turns true the query is
    aborted and `QueryCancelled` raised (the TUI passes its worker's flag).
    """

    def __init__(self, context: ServiceContext) -> None:
        super().__init__(context)
        self.queries = PostQueries()

    def list_posts(self, since: datetime | None = None, until: datetime | None = None,
                   theme: str | None = None, feed_url: str | None = None,
                   search: str | None = None, picked: bool | None = None,
                   unread_only: bool = False, include_hidden: bool = False,
                   unfeatured_in: int | None = None, limit: int | None = None, offset: int = 0,
                   cancelled: Callable[[], bool] | None = None) -> list[PostInfo]:
        """Newest first; every filter runs in SQL."""
        wanted = PostFilter(since, until, theme, feed_url, search, picked, unread_only,
                            include_hidden, unfeatured_in)
        with self.db.read() as tx:
            return self.queries.page(tx, wanted, limit, offset, cancelled)

    def count_posts(self, since: datetime | None = None, until: datetime | None = None,
                    theme: str | None = None, feed_url: str | None = None,
                    search: str | None = None, picked: bool | None = None,
                    unread_only: bool = False, include_hidden: bool = False,
                    unfeatured_in: int | None = None, limit: int | None = None,
                    cancelled: Callable[[], bool] | None = None) -> int:
        """How many posts match, counting no further than `limit` when given (an exact count
        of a common word reads every post; the inbox only needs "more than 1,000")."""
        wanted = PostFilter(since, until, theme, feed_url, search, picked, unread_only,
                            include_hidden, unfeatured_in)
        with self.db.read() as tx:
            return self.queries.count(tx, self.queries.where(tx, wanted), limit, cancelled)

    def count_posts_by_theme(self, themes: Sequence[str | None], since: datetime | None = None,
                             until: datetime | None = None, feed_url: str | None = None,
                             search: str | None = None, picked: bool | None = None,
                             unread_only: bool = False, include_hidden: bool = False,
                             unfeatured_in: int | None = None, limit: int | None = None,
                             cancelled: Callable[[], bool] | None = None
                             ) -> dict[str | None, int]:
        """`count_posts` for each theme slug (None: every theme; "": posts without one), with
        the filters worked out once (search words are looked up once, not once per theme)."""
        wanted = PostFilter(since, until, None, feed_url, search, picked, unread_only,
                            include_hidden, unfeatured_in)
        with self.db.read() as tx:
            where = self.queries.where(tx, wanted)
            return {slug: self.queries.count(tx, self.queries.of_theme(where, slug, feed_url),
                                             limit, cancelled) for slug in themes}

    def get_post(self, post_id: int) -> PostInfo:
        with self.db.read() as tx:
            return get_post(tx, post_id)

    def mark_read(self, ids: Sequence[int], read: bool = True) -> int:
        """Mark posts read (or unread); returns how many rows exist among `ids`."""
        with self.db.write() as tx:
            return set_flag(tx, "read", ids, read)

    def set_hidden(self, ids: Sequence[int], hidden: bool = True) -> int:
        """Hide posts from the inbox (or bring them back)."""
        with self.db.write() as tx:
            return set_flag(tx, "hidden", ids, hidden)
