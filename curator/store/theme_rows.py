"""Queries on themes, rules, training signals and the posts a classification pass touches.

Light on purpose (no classifier import): listing the themes is part of the inbox's first screen.
The model's own rows (examples, the stored model) are in `curator.store.training`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import col, select

from curator.errors import NotFoundError
from curator.store.engine import Tx
from curator.store.tables import THEMES, EditionItem, Feed, Post, Rule, Theme, TrainingSignal
from curator.types import RuleInfo, ThemeInfo

# Core SQL for the first screen's reads spares it the ORM's one-off mapper set-up (about 15 ms).


def has_themes(tx: Tx) -> bool:
    return tx.connection().execute(core_select(THEMES.c.id).limit(1)).first() is not None


def seed_themes(tx: Tx, specs: Sequence[dict[str, Any]]) -> None:
    """The default themes, unless another process seeded them first (checked in this write)."""
    if tx.exec(select(Theme.id).limit(1)).first() is not None:
        return
    for position, spec in enumerate(specs):
        tx.add(Theme(slug=str(spec["slug"]), name=str(spec["name"]),
                     description=str(spec["description"]), position=position,
                     seeds=list(spec["seeds"])))


def theme_infos(tx: Tx) -> list[ThemeInfo]:
    rows = tx.connection().execute(
        core_select(THEMES.c.slug, THEMES.c.name, THEMES.c.description, THEMES.c.position,
                    THEMES.c.seeds).order_by(THEMES.c.position, THEMES.c.id)).all()
    return [ThemeInfo(r.slug, r.name, r.description, r.position, list(r.seeds)) for r in rows]


def to_info(theme: Theme) -> ThemeInfo:
    return ThemeInfo(theme.slug, theme.name, theme.description, theme.position, list(theme.seeds))


def themes_in_order(tx: Tx) -> list[Theme]:
    return list(tx.exec(select(Theme).order_by(col(Theme.position), col(Theme.id))).all())


def theme(tx: Tx, slug: str) -> Theme:
    row = tx.exec(select(Theme).where(Theme.slug == slug)).first()
    if row is None:
        raise NotFoundError(f"no theme {slug!r}")
    return row


def has_theme(tx: Tx, slug: str) -> bool:
    return tx.exec(select(Theme.id).where(Theme.slug == slug)).first() is not None


def renumber(tx: Tx, rows: Sequence[Theme]) -> None:
    for position, row in enumerate(rows):
        row.position = position
        tx.add(row)


def delete_theme(tx: Tx, row: Theme) -> list[int]:
    """Delete a theme and its rules; its posts lose their theme (even hand-placed ones: the
    theme is gone). Returns their ids, for reclassification."""
    tx.delete(row)
    for rule in tx.exec(select(Rule).where(Rule.theme == row.slug)).all():
        tx.delete(rule)
    posts = tx.exec(select(Post).where(Post.theme == row.slug)).all()
    for post in posts:
        post.theme, post.theme_source, post.theme_confidence = None, None, None
        tx.add(post)
    tx.flush()
    renumber(tx, themes_in_order(tx))
    return [p.id for p in posts if p.id is not None]


def rule_infos(tx: Tx) -> list[RuleInfo]:
    rows = tx.exec(select(Rule, Feed).join(Feed, col(Feed.id) == col(Rule.feed_id), isouter=True)
                   .order_by(col(Rule.id))).all()
    return [RuleInfo(r.id or 0, r.field, r.pattern, r.theme, f.url if f else None, r.enabled)
            for r, f in rows]


def feed_id(tx: Tx, url: str) -> int:
    row = tx.exec(select(Feed.id).where(Feed.url == url.strip())).first()
    if row is None:
        raise NotFoundError(f"no feed {url!r}")
    return int(row)


def add_rule(tx: Tx, field: str, pattern: str, theme_slug: str, feed: int | None) -> int:
    rule = Rule(field=field, pattern=pattern, theme=theme_slug, feed_id=feed)
    tx.add(rule)
    tx.flush()
    return rule.id or 0


def delete_rule(tx: Tx, rule_id: int) -> list[int]:
    """Delete a rule; returns the posts it had classified (for reclassification)."""
    rule = tx.get(Rule, rule_id)
    if rule is None:
        raise NotFoundError(f"no rule #{rule_id}")
    tx.delete(rule)
    rows = tx.exec(select(Post.id).where(Post.theme_source == "rule", col(Post.theme_why)
                                         .startswith(f"rule #{rule_id}:"))).all()
    return [int(pid) for pid in rows if pid is not None]


def record_signal(tx: Tx, post_id: int, theme_slug: str, source: str) -> None:
    """A labelled example: the post belongs in the theme. Placed in an edition, the post takes
    the theme too (unless the user placed it by hand); placed by the user, it is final."""
    post = tx.get(Post, post_id)
    if post is None:
        raise NotFoundError(f"no post {post_id}")
    tx.add(TrainingSignal(post_id=post_id, theme=theme_slug, source=source))
    if source == "user":
        post.theme, post.theme_source, post.theme_confidence = theme_slug, "user", 1.0
        post.theme_why = "placed by you"
    elif post.theme_source != "user":
        was = (post.theme_why or "").strip()
        if post.theme_source == "edition" or not was:
            why = was or "placed in an edition"  # placed again: the first reason stays
        else:
            why = f"placed in an edition; before that, {was}"
        post.theme, post.theme_source, post.theme_confidence = theme_slug, "edition", 1.0
        post.theme_why = why[:500]
    tx.add(post)


def placed_post_ids(tx: Tx, post_ids: Sequence[int] | None = None) -> set[int]:
    """Posts in any edition: their theme is an editorial decision, never re-bucketed."""
    query = select(EditionItem.post_id).where(col(EditionItem.post_id).is_not(None))
    if post_ids is not None:
        query = query.where(col(EditionItem.post_id).in_(list(post_ids)))
    return {int(pid) for pid in tx.exec(query).all() if pid is not None}


def posts_to_classify(tx: Tx, ids: Sequence[int] | None) -> list[tuple[Post, Feed, bool]]:
    """(post, its feed, whether an edition holds it), for the given posts or every post."""
    query = select(Post, Feed).join(Feed, col(Feed.id) == col(Post.feed_id))
    if ids is not None:
        query = query.where(col(Post.id).in_(list(ids)))
    rows = tx.exec(query.order_by(col(Post.id))).all()
    placed = placed_post_ids(tx, ids)
    return [(p, f, p.id in placed) for p, f in rows]


def set_guess(post: Post, theme_slug: str | None, confidence: float | None, source: str | None,
              why: str | None) -> None:
    post.theme, post.theme_confidence = theme_slug, confidence
    post.theme_source, post.theme_why = source, why


def post_ids_to_reclassify(tx: Tx, since: datetime | None, every: bool) -> list[int]:
    """Posts published (or first seen) since then; else every post, or those with no theme."""
    query = select(Post.id)
    if since is not None:
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        query = query.where((col(Post.published) >= since) | (
            col(Post.published).is_(None) & (col(Post.first_seen_at) >= since)))
    elif not every:
        query = query.where(col(Post.theme).is_(None))
    return [int(i) for i in tx.exec(query).all() if i is not None]
