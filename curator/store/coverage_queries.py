"""The facts behind `curator coverage`: per blog, its posts over time and its health; per
published edition, whose posts and links it featured. Two grouped queries, whatever the size."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select

from curator.roundup.coverage import BlogFacts, FeaturedFact
from curator.store.engine import Tx
from curator.store.tables import EDITION_ITEMS, EDITIONS, FEEDS, POSTS


def blog_facts(tx: Tx, since: datetime) -> list[BlogFacts]:
    """Every subscribed blog (in the feed list), with its posts since `since`."""
    when = func.coalesce(POSTS.c.published, POSTS.c.first_seen_at)
    posts = (select(POSTS.c.feed_id, func.sum(case((when >= since, 1), else_=0)).label("recent"),
                    func.max(when).label("last_post"))
             .group_by(POSTS.c.feed_id).subquery())
    query = (select(FEEDS.c.id, FEEDS.c.url, func.coalesce(FEEDS.c.title, FEEDS.c.feed_title),
                    FEEDS.c.person, FEEDS.c.org, FEEDS.c.status, FEEDS.c.error_count,
                    FEEDS.c.last_error, FEEDS.c.created_at, FEEDS.c.last_success_at,
                    func.coalesce(posts.c.recent, 0), posts.c.last_post)
             .select_from(FEEDS.outerjoin(posts, posts.c.feed_id == FEEDS.c.id))
             .where(FEEDS.c.in_opml.is_(True)).order_by(FEEDS.c.id))
    return [BlogFacts(int(r[0]), r[1], r[2], r[3], r[4], r[5], int(r[6] or 0), r[7], r[8], r[9],
                      int(r[10] or 0), r[11])
            for r in tx.connection().execute(query)]


def featured_facts(tx: Tx) -> list[FeaturedFact]:
    """Every item of every published edition: which blog (through its post) and which person."""
    query = (select(POSTS.c.feed_id, EDITION_ITEMS.c.person, EDITIONS.c.number,
                    EDITIONS.c.published_at)
             .select_from(EDITION_ITEMS.join(EDITIONS, EDITIONS.c.id == EDITION_ITEMS.c.edition_id)
                          .outerjoin(POSTS, POSTS.c.id == EDITION_ITEMS.c.post_id))
             .where(EDITIONS.c.status == "published"))
    return [FeaturedFact(None if r[0] is None else int(r[0]), r[1], int(r[2]), r[3])
            for r in tx.connection().execute(query)]
