"""Service methods for themes, rules and classification (filled in by the classifier issue)."""

from __future__ import annotations

from sqlmodel import select

from curator.models import Feed, Post
from curator.services.base import ServiceBase


class ThemeService(ServiceBase):
    """Theme operations for the CLI and the TUI."""

    def classify_posts(self, post_ids: list[int]) -> None:
        """Classify freshly stored posts (placeholder: the feed's OPML theme hint, else 'other')."""
        if not post_ids:
            return
        with self.db.write() as session:
            rows = session.exec(select(Post, Feed).join(Feed, Feed.id == Post.feed_id)
                                .where(Post.id.in_(post_ids))).all()  # type: ignore[union-attr]
            for post, feed in rows:
                if post.theme_source == "user":
                    continue
                post.theme = feed.theme_hint or "other"
                post.theme_confidence = 0.0
                post.theme_source = "feed" if feed.theme_hint else "model"
                post.theme_why = "feed default theme" if feed.theme_hint else "no classifier yet"
                session.add(post)
