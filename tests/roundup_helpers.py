"""Shared builders for the roundup tests: feeds and posts written straight through the models."""

from __future__ import annotations

from datetime import UTC, datetime

from curator.services import Curator, open_curator
from curator.store.tables import Feed, Post


def make_curator() -> Curator:
    return open_curator()


def add_feed(cur: Curator, url: str, *, title: str | None = None, person: str | None = None,
             org: str | None = None) -> int:
    with cur.context.db.write() as session:
        feed = Feed(url=url, title=title, person=person, org=org)
        session.add(feed)
        session.flush()
        return feed.id or 0


def add_post(cur: Curator, feed_id: int, title: str, link: str | None, *,
             theme: str | None = None, author: str | None = None,
             published: datetime | None = None, summary: str = "") -> int:
    with cur.context.db.write() as session:
        post = Post(feed_id=feed_id, title=title, link=link, theme=theme, author=author,
                    published=published or datetime.now(UTC), summary=summary)
        session.add(post)
        session.flush()
        return post.id or 0
