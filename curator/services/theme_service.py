"""Service methods for themes, rules and classification (the facade's ThemeService mixin).

Precedence when a post is classified: a rule (visible, shown as the reason) beats the learned model,
which blends the zero-shot seed phrases with what the facilitator taught it. Posts the user placed
by hand (theme_source 'user') or that sit in an edition are never re-bucketed.

The classifier modules load inside the methods that use them: listing themes (the inbox's first
screen) does not need them, and they cost about 15 ms of every start-up.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from curator.errors import ConflictError, CuratorError, NotFoundError
from curator.services.service_base import ServiceBase
from curator.store.tables import Feed, Post, Rule, Theme, TrainingSignal
from curator.text import one_line
from curator.types import (
    LOW_CONFIDENCE,
    ModelInfo,
    PostInfo,
    RuleInfo,
    RuleMove,
    RuleOutcome,
    ThemeInfo,
)

if TYPE_CHECKING:
    from curator.classify.decide import ThemeSnapshot
    from curator.classify.model import ThemeClassifier

# The inbox's first screen lists the themes: Core SQL on the table spares it the ORM's one-off
# mapper set-up (about 15 ms), which the first ORM call pays later instead.
THEME = Theme.__table__  # type: ignore[attr-defined]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_BATCH = 500


def _theme_info(t: Theme) -> ThemeInfo:
    return ThemeInfo(t.slug, t.name, t.description, t.position, list(t.seeds))


class ThemeService(ServiceBase):
    """Theme operations for the CLI and the TUI."""

    _classifier_cache: tuple[str, ThemeClassifier] | None = None

    # -- themes ----------------------------------------------------------------------------------
    def ensure_themes(self) -> None:
        """Seed the default themes the first time the database is used."""
        with self.db.read() as session:  # Core SQL here and in list_themes: see THEME
            if session.connection().execute(core_select(THEME.c.id).limit(1)).first() is not None:
                return
        from curator.classify.themes_default import DEFAULT_THEMES

        with self.db.write() as session:
            if session.exec(select(Theme.id).limit(1)).first() is not None:
                return
            for position, spec in enumerate(DEFAULT_THEMES):
                session.add(Theme(slug=str(spec["slug"]), name=str(spec["name"]),
                                  description=str(spec["description"]), position=position,
                                  seeds=list(spec["seeds"])))  # type: ignore[call-overload]

    def list_themes(self) -> list[ThemeInfo]:
        self.ensure_themes()
        with self.db.read() as session:
            rows = session.connection().execute(
                core_select(THEME.c.slug, THEME.c.name, THEME.c.description, THEME.c.position,
                            THEME.c.seeds).order_by(THEME.c.position, THEME.c.id)).all()
        return [ThemeInfo(r.slug, r.name, r.description, r.position, list(r.seeds)) for r in rows]

    def add_theme(self, slug: str, name: str, description: str = "",
                  seeds: list[str] | None = None, position: int | None = None) -> ThemeInfo:
        slug = slug.strip().lower()
        if not _SLUG.match(slug):
            raise CuratorError(f"bad theme slug {slug!r}: use lowercase letters, digits, - or _")
        self.ensure_themes()
        with self.db.write() as session:
            if session.exec(select(Theme).where(Theme.slug == slug)).first() is not None:
                raise ConflictError(f"theme {slug!r} already exists")
            rows = list(session.exec(select(Theme).order_by(col(Theme.position))).all())
            theme = Theme(slug=slug, name=one_line(name) or slug, description=description.strip(),
                          seeds=_clean_seeds(seeds or []))
            at = len(rows) if position is None else max(0, min(position, len(rows)))
            rows.insert(at, theme)
            for i, row in enumerate(rows):
                row.position = i
                session.add(row)
            session.flush()
            return _theme_info(theme)

    def edit_theme(self, slug: str, name: str | None = None, description: str | None = None,
                   seeds: list[str] | None = None, add_seeds: list[str] | None = None,
                   remove_seeds: list[str] | None = None) -> ThemeInfo:
        self.ensure_themes()
        with self.db.write() as session:
            theme = _get_theme(session, slug)
            if name is not None:
                theme.name = one_line(name) or theme.name
            if description is not None:
                theme.description = description.strip()
            current = list(theme.seeds) if seeds is None else _clean_seeds(seeds)
            current += [s for s in _clean_seeds(add_seeds or []) if s not in current]
            drop = {s.lower() for s in remove_seeds or []}
            theme.seeds = [s for s in current if s.lower() not in drop]
            session.add(theme)
            return _theme_info(theme)

    def remove_theme(self, slug: str) -> int:
        """Delete a theme and its rules; its posts are re-bucketed. Returns how many moved."""
        self.ensure_themes()
        with self.db.write() as session:
            theme = _get_theme(session, slug)
            if len(session.exec(select(Theme.id)).all()) <= 1:
                raise CuratorError("cannot remove the last theme")
            session.delete(theme)
            for rule in session.exec(select(Rule).where(Rule.theme == slug)).all():
                session.delete(rule)
            posts = session.exec(select(Post).where(Post.theme == slug)).all()
            ids = [p.id for p in posts if p.id is not None]
            for post in posts:  # the theme is gone, so even hand-placed posts must move
                post.theme, post.theme_source, post.theme_confidence = None, None, None
                session.add(post)
            rows = session.exec(select(Theme).order_by(col(Theme.position))).all()
            for i, row in enumerate(rows):
                row.position = i
                session.add(row)
        self._classifier_cache = None
        self._classify(ids, force=True)  # even posts in an edition: their theme no longer exists
        return len(ids)

    def reorder_themes(self, slugs: list[str]) -> list[ThemeInfo]:
        """Put the named themes first, in this order; the others keep their order after them."""
        self.ensure_themes()
        with self.db.write() as session:
            rows = list(session.exec(select(Theme).order_by(col(Theme.position))).all())
            by_slug = {t.slug: t for t in rows}
            for slug in slugs:
                if slug not in by_slug:
                    raise NotFoundError(f"no theme {slug!r}")
            if len(set(slugs)) != len(slugs):
                raise CuratorError("a theme is named twice")
            ordered = [by_slug[s] for s in slugs] + [t for t in rows if t.slug not in slugs]
            for i, row in enumerate(ordered):
                row.position = i
                session.add(row)
        self._classifier_cache = None
        return self.list_themes()

    # -- rules -----------------------------------------------------------------------------------
    def list_rules(self) -> list[RuleInfo]:
        with self.db.read() as session:
            rows = session.exec(select(Rule, Feed).join(Feed, col(Feed.id) == col(Rule.feed_id),
                                                        isouter=True).order_by(col(Rule.id))).all()
            return [RuleInfo(r.id or 0, r.field, r.pattern, r.theme, f.url if f else None,
                             r.enabled) for r, f in rows]

    def add_rule(self, field: str, pattern: str, theme: str, feed: str | None = None,
                 dry_run: bool = False, samples: int = 5) -> RuleOutcome:
        """Add a rule and apply it to stored posts now; with dry_run only report what would move."""
        from curator.classify.rules import describe, first_match, normalise_pattern
        from curator.store import training as store

        pattern = normalise_pattern(field, pattern)
        slugs = [t.slug for t in self.list_themes()]
        if theme not in slugs:
            raise NotFoundError(f"no theme {theme!r} (themes: {', '.join(slugs)})")
        with self.db.write() as session:
            feed_id = None
            if feed:
                row = session.exec(select(Feed).where(Feed.url == feed.strip())).first()
                if row is None:
                    raise NotFoundError(f"no feed {feed!r}")
                feed_id = row.id
            rule = Rule(field=field, pattern=pattern, theme=theme, feed_id=feed_id)
            session.add(rule)
            session.flush()
            spec = store.RuleSpec(rule.id or 0, field, pattern, theme, feed_id)
            info = RuleInfo(rule.id or 0, field, pattern, theme, feed.strip() if feed else None)
            all_rules = store.rule_specs(session, slugs)
            matched, moves = 0, []
            for post, feed_row, placed in _iter_posts(session, None):
                facts = store.facts_for(post, feed_row, slugs)
                if first_match([spec], facts) is None:
                    continue
                matched += 1
                if placed or post.theme_source == "user" or post.theme == theme:
                    continue
                if first_match(all_rules, facts) != spec:
                    continue  # an older or feed-scoped rule still wins for this post
                moves.append(RuleMove(post.id or 0, post.title, post.theme, theme))
                if not dry_run:
                    post.theme, post.theme_source = theme, "rule"
                    post.theme_confidence, post.theme_why = 1.0, describe(spec)
                    session.add(post)
            if dry_run:
                session.rollback()
                info = RuleInfo(0, field, pattern, theme, info.feed_url)
        self._classifier_cache = None
        return RuleOutcome(info, dry_run, matched, len(moves), moves[:samples])

    def remove_rule(self, rule_id: int) -> int:
        """Delete a rule; the posts it had classified are re-bucketed. Returns how many moved."""
        with self.db.write() as session:
            rule = session.get(Rule, rule_id)
            if rule is None:
                raise NotFoundError(f"no rule #{rule_id}")
            session.delete(rule)
            ids = [p.id for p in session.exec(select(Post).where(
                Post.theme_source == "rule", Post.theme_why.startswith(  # type: ignore[union-attr]
                    f"rule #{rule_id}:"))).all() if p.id is not None]
        self._classifier_cache = None
        return self._classify(ids)

    # -- learning --------------------------------------------------------------------------------
    def record_training_signal(self, post_id: int, theme: str, source: str = "edition") -> None:
        """A labelled example: the post belongs in `theme` (from an edition or the user)."""
        if source not in ("user", "edition"):
            raise CuratorError(f"unknown training signal source {source!r}")
        with self.db.write() as session:
            post = session.get(Post, post_id)
            if post is None:
                raise NotFoundError(f"no post {post_id}")
            session.add(TrainingSignal(post_id=post_id, theme=theme, source=source))
            if source == "edition" and post.theme_source != "user":
                post.theme, post.theme_source, post.theme_confidence = theme, "edition", 1.0
                post.theme_why = "placed in an edition"
                session.add(post)
        self._classifier_cache = None

    def set_post_theme(self, post_id: int, slug: str) -> PostInfo:
        """The user's explicit re-theme: final for this post, and a lesson for similar ones."""
        slugs = [t.slug for t in self.list_themes()]
        if slug not in slugs:
            raise NotFoundError(f"no theme {slug!r} (themes: {', '.join(slugs)})")
        with self.db.write() as session:
            row = session.exec(select(Post, Feed).join(Feed, col(Feed.id) == col(Post.feed_id))
                               .where(Post.id == post_id)).first()
            if row is None:
                raise NotFoundError(f"no post {post_id}")
            post, feed = row
            post.theme, post.theme_source, post.theme_confidence = slug, "user", 1.0
            post.theme_why = "placed by you"
            session.add(post)
            session.add(TrainingSignal(post_id=post_id, theme=slug, source="user"))
            info = _post_info(post, feed)
        self._classifier_cache = None
        return info

    def classifier(self) -> ThemeClassifier:
        """The current model: cached, else loaded from the database, else retrained and stored."""
        from curator.store import training as store

        self.ensure_themes()
        with self.db.read() as session:
            themes = store.theme_specs(session)
            version = store.model_version(session, themes)
            if self._classifier_cache is not None and self._classifier_cache[0] == version:
                return self._classifier_cache[1]
            classifier, version, fresh = store.load_or_train(session, themes)
        if fresh:
            with self.db.write() as session:
                store.save_model(session, classifier, version)
        self._classifier_cache = (version, classifier)
        return classifier

    def retrain(self) -> ModelInfo:
        """Rebuild the model from every stored signal now (normally this happens on demand)."""
        from curator.store import training as store

        self._classifier_cache = None
        with self.db.write() as session:
            blob = session.get(store.ModelBlob, store.MODEL_NAME)
            if blob is not None:
                session.delete(blob)
        self.classifier()
        return self.classifier_stats()

    def theme_snapshot(self) -> ThemeSnapshot:
        """The model and the enabled rules, so a poll's workers classify new posts as they parse."""
        from curator.classify.decide import ThemeSnapshot
        from curator.store import training as store

        classifier = self.classifier()
        with self.db.read() as session:
            rules = store.rule_specs(session, classifier.slugs)
        return ThemeSnapshot(classifier, tuple(rules))

    def classifier_stats(self) -> ModelInfo:
        """What the current model learnt from (counted in SQL: no examples are loaded)."""
        from curator.store import training as store

        classifier = self.classifier()
        with self.db.read() as session:
            count = store.example_counts(session, classifier.slugs)
            blob = session.get(store.ModelBlob, store.MODEL_NAME)
        parts = ["zero-shot"] + (["linear"] if classifier.linear else []) + (
            ["memory"] if classifier.memory else [])
        return ModelInfo(sum(count.values()), count["user"], count["edition"], count["rule"],
                         blob.trained_at if blob else None, " + ".join(parts))

    def evaluate_file(self, path: str, train: str | None = None,
                      cv: int | None = None) -> dict[str, object]:
        """Measure the classifier (with the stored themes, not the stored signals) on a JSONL file."""
        from curator.classify.evaluate import load_jsonl, run_evaluation
        from curator.store import training as store

        self.ensure_themes()
        with self.db.read() as session:
            themes = store.theme_specs(session)
        slugs = [t.slug for t in themes]
        rows = load_jsonl(path, known=slugs)
        train_rows = load_jsonl(train, known=slugs) if train else None
        return run_evaluation(themes, rows, train_rows, cv)

    # -- classification --------------------------------------------------------------------------
    def classify_posts(self, post_ids: list[int]) -> None:
        """Classify freshly stored posts (called by the poller after storing them)."""
        self._classify(post_ids)

    def reclassify(self, since: datetime | None = None, all: bool = False,
                   dry_run: bool = False) -> int:
        """Re-bucket stored posts not placed by hand; returns how many changed theme.

        Default: posts with no theme yet. `since`: posts published (or first seen) since then.
        `all`: every post. User-placed posts and posts in an edition are never touched.
        """
        with self.db.read() as session:
            query = select(Post.id)
            if since is not None:
                since = since if since.tzinfo else since.replace(tzinfo=UTC)
                query = query.where((col(Post.published) >= since) | (
                    col(Post.published).is_(None) & (col(Post.first_seen_at) >= since)))
            elif not all:
                query = query.where(col(Post.theme).is_(None))
            ids = [int(i) for i in session.exec(query).all() if i is not None]
        return self._classify(ids, dry_run=dry_run)

    def low_confidence(self, threshold: float = LOW_CONFIDENCE, limit: int = 50) -> list[PostInfo]:
        """Model-classified posts the classifier is least sure of (look at these first)."""
        with self.db.read() as session:
            rows = session.exec(
                select(Post, Feed).join(Feed, col(Feed.id) == col(Post.feed_id))
                .where(col(Post.theme_source).in_(["model", "feed"]),
                       col(Post.theme_confidence) < threshold)
                .order_by(col(Post.theme_confidence), col(Post.id).desc()).limit(limit)).all()
            return [_post_info(post, feed) for post, feed in rows]

    def _classify(self, post_ids: list[int], dry_run: bool = False, force: bool = False) -> int:
        if not post_ids:
            return 0
        from curator.classify.decide import decide_themes
        from curator.store import training as store

        classifier = self.classifier()
        changed = 0
        for start in range(0, len(post_ids), _BATCH):
            chunk = post_ids[start:start + _BATCH]
            with self.db.write() as session:
                slugs = classifier.slugs
                rules = store.rule_specs(session, slugs)
                todo = [(post, store.facts_for(post, feed, slugs))
                        for post, feed, placed in _iter_posts(session, chunk)
                        if force or (post.theme_source != "user" and not placed)]
                guesses = decide_themes(classifier, rules, [facts for _post, facts in todo])
                for (post, _facts), guess in zip(todo, guesses, strict=True):
                    if post.theme != guess.theme:
                        changed += 1
                    if not dry_run:
                        post.theme, post.theme_confidence = guess.theme, guess.confidence
                        post.theme_source, post.theme_why = guess.source, guess.why
                        session.add(post)
                if dry_run:
                    session.rollback()
        return changed


def _iter_posts(session: Session, ids: list[int] | None) -> list[tuple[Post, Feed, bool]]:
    from curator.store import training as store

    query = select(Post, Feed).join(Feed, col(Feed.id) == col(Post.feed_id))
    if ids is not None:
        query = query.where(col(Post.id).in_(ids))
    rows = session.exec(query.order_by(col(Post.id))).all()
    placed = store.placed_post_ids(session, ids)
    return [(p, f, p.id in placed) for p, f in rows]


def _get_theme(session: Session, slug: str) -> Theme:
    theme = session.exec(select(Theme).where(Theme.slug == slug)).first()
    if theme is None:
        raise NotFoundError(f"no theme {slug!r}")
    return theme


def _clean_seeds(seeds: list[str]) -> list[str]:
    out: list[str] = []
    for seed in seeds:
        for part in seed.split(","):
            cleaned = one_line(part).lower()
            if cleaned and cleaned not in out:
                out.append(cleaned)
    return out


def _post_info(post: Post, feed: Feed) -> PostInfo:
    return PostInfo(id=post.id or 0, feed_url=feed.url, title=post.title, link=post.url or post.link,
                    person=post.person, published=post.published, theme=post.theme,
                    confidence=post.theme_confidence, why=post.theme_why, org=post.org,
                    author=post.author, blog_title=feed.title or feed.feed_title,
                    summary=post.summary, tags=list(post.tags or []),
                    theme_source=post.theme_source, read=post.read, hidden=post.hidden)
