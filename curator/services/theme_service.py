"""Service methods for themes, rules and classification (the facade's ThemeService mixin).

Precedence when a post is classified: a rule (visible, shown as the reason) beats the learned model,
which blends the zero-shot seed phrases with what the facilitator taught it. Posts the user placed
by hand (theme_source 'user') or that sit in an edition are never re-bucketed.

The classifier modules load inside the methods that use them: listing themes (the inbox's first
screen) does not need them, and they cost about 15 ms of every start-up.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from curator.errors import ConflictError, CuratorError, NotFoundError
from curator.services.service_base import ServiceBase
from curator.store import post_queries, theme_rows
from curator.store.tables import Theme
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

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_BATCH = 500


class ThemeService(ServiceBase):
    """Theme operations for the CLI and the TUI."""

    _classifier_cache: tuple[str, ThemeClassifier] | None = None

    # -- themes ----------------------------------------------------------------------------------
    def ensure_themes(self) -> None:
        """Seed the default themes the first time the database is used."""
        with self.db.read() as tx:
            if theme_rows.has_themes(tx):
                return
        from curator.classify.themes_default import DEFAULT_THEMES

        with self.db.write() as tx:
            theme_rows.seed_themes(tx, DEFAULT_THEMES)

    def list_themes(self) -> list[ThemeInfo]:
        self.ensure_themes()
        with self.db.read() as tx:
            return theme_rows.theme_infos(tx)

    def add_theme(self, slug: str, name: str, description: str = "",
                  seeds: list[str] | None = None, position: int | None = None) -> ThemeInfo:
        slug = slug.strip().lower()
        if not _SLUG.match(slug):
            raise CuratorError(f"bad theme slug {slug!r}: use lowercase letters, digits, - or _")
        self.ensure_themes()
        with self.db.write() as tx:
            if theme_rows.has_theme(tx, slug):
                raise ConflictError(f"theme {slug!r} already exists")
            rows = theme_rows.themes_in_order(tx)
            theme = Theme(slug=slug, name=one_line(name) or slug, description=description.strip(),
                          seeds=_clean_seeds(seeds or []))
            at = len(rows) if position is None else max(0, min(position, len(rows)))
            rows.insert(at, theme)
            theme_rows.renumber(tx, rows)
            return theme_rows.to_info(theme)

    def edit_theme(self, slug: str, name: str | None = None, description: str | None = None,
                   seeds: list[str] | None = None, add_seeds: list[str] | None = None,
                   remove_seeds: list[str] | None = None) -> ThemeInfo:
        self.ensure_themes()
        with self.db.write() as tx:
            theme = theme_rows.theme(tx, slug)
            if name is not None:
                theme.name = one_line(name) or theme.name
            if description is not None:
                theme.description = description.strip()
            current = list(theme.seeds) if seeds is None else _clean_seeds(seeds)
            current += [s for s in _clean_seeds(add_seeds or []) if s not in current]
            drop = {s.lower() for s in remove_seeds or []}
            theme.seeds = [s for s in current if s.lower() not in drop]
            tx.add(theme)
            return theme_rows.to_info(theme)

    def remove_theme(self, slug: str) -> int:
        """Delete a theme and its rules; its posts are re-bucketed. Returns how many moved."""
        self.ensure_themes()
        with self.db.write() as tx:
            theme = theme_rows.theme(tx, slug)
            if len(theme_rows.themes_in_order(tx)) <= 1:
                raise CuratorError("cannot remove the last theme")
            ids = theme_rows.delete_theme(tx, theme)
        self.forget_classifier()
        self._classify(ids, force=True)  # even posts in an edition: their theme no longer exists
        return len(ids)

    def reorder_themes(self, slugs: list[str]) -> list[ThemeInfo]:
        """Put the named themes first, in this order; the others keep their order after them."""
        self.ensure_themes()
        with self.db.write() as tx:
            rows = theme_rows.themes_in_order(tx)
            by_slug = {t.slug: t for t in rows}
            for slug in slugs:
                if slug not in by_slug:
                    raise NotFoundError(f"no theme {slug!r}")
            if len(set(slugs)) != len(slugs):
                raise CuratorError("a theme is named twice")
            ordered = [by_slug[s] for s in slugs] + [t for t in rows if t.slug not in slugs]
            theme_rows.renumber(tx, ordered)
        self.forget_classifier()
        return self.list_themes()

    # -- rules -----------------------------------------------------------------------------------
    def list_rules(self) -> list[RuleInfo]:
        with self.db.read() as tx:
            return theme_rows.rule_infos(tx)

    def add_rule(self, field: str, pattern: str, theme: str, feed: str | None = None,
                 dry_run: bool = False, samples: int = 5) -> RuleOutcome:
        """Add a rule and apply it to stored posts now; with dry_run only report what would move."""
        from curator.classify.rules import describe, first_match, normalise_pattern
        from curator.store import training as store

        pattern = normalise_pattern(field, pattern)
        slugs = [t.slug for t in self.list_themes()]
        if theme not in slugs:
            raise NotFoundError(f"no theme {theme!r} (themes: {', '.join(slugs)})")
        with self.db.write() as tx:
            feed_id = theme_rows.feed_id(tx, feed) if feed else None
            rule_id = theme_rows.add_rule(tx, field, pattern, theme, feed_id)
            spec = store.RuleSpec(rule_id, field, pattern, theme, feed_id)
            info = RuleInfo(rule_id, field, pattern, theme, feed.strip() if feed else None)
            all_rules = store.rule_specs(tx, slugs)
            matched, moves = 0, []
            for post, feed_row, placed in theme_rows.posts_to_classify(tx, None):
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
                    theme_rows.set_guess(post, theme, 1.0, "rule", describe(spec))
                    tx.add(post)
            if dry_run:
                tx.rollback()
                info = RuleInfo(0, field, pattern, theme, info.feed_url)
        self.forget_classifier()
        return RuleOutcome(info, dry_run, matched, len(moves), moves[:samples])

    def remove_rule(self, rule_id: int) -> int:
        """Delete a rule; the posts it had classified are re-bucketed. Returns how many moved."""
        with self.db.write() as tx:
            ids = theme_rows.delete_rule(tx, rule_id)
        self.forget_classifier()
        return self._classify(ids)

    # -- learning --------------------------------------------------------------------------------
    def record_training_signal(self, post_id: int, theme: str, source: str = "edition") -> None:
        """A labelled example: the post belongs in `theme` (from an edition or the user)."""
        if source not in ("user", "edition"):
            raise CuratorError(f"unknown training signal source {source!r}")
        with self.db.write() as tx:
            theme_rows.record_signal(tx, post_id, theme, source)
        self.forget_classifier()

    def forget_classifier(self) -> None:
        """The labels changed: the next classification loads (or trains) the current model."""
        self._classifier_cache = None

    def set_post_theme(self, post_id: int, slug: str) -> PostInfo:
        """The user's explicit re-theme: final for this post, and a lesson for similar ones."""
        slugs = [t.slug for t in self.list_themes()]
        if slug not in slugs:
            raise NotFoundError(f"no theme {slug!r} (themes: {', '.join(slugs)})")
        with self.db.write() as tx:
            theme_rows.record_signal(tx, post_id, slug, "user")
            tx.flush()
            info = post_queries.get_post(tx, post_id)
        self.forget_classifier()
        return info

    def classifier(self) -> ThemeClassifier:
        """The current model: cached, else loaded from the database, else retrained and stored."""
        from curator.store import training as store

        self.ensure_themes()
        with self.db.read() as tx:
            themes = store.theme_specs(tx)
            version = store.model_version(tx, themes)
            if self._classifier_cache is not None and self._classifier_cache[0] == version:
                return self._classifier_cache[1]
            classifier, version, fresh = store.load_or_train(tx, themes)
        if fresh:
            with self.db.write() as tx:
                store.save_model(tx, classifier, version)
        self._classifier_cache = (version, classifier)
        return classifier

    def retrain(self) -> ModelInfo:
        """Rebuild the model from every stored signal now (normally this happens on demand)."""
        from curator.store import training as store

        self.forget_classifier()
        with self.db.write() as tx:
            store.forget_model(tx)
        self.classifier()
        return self.classifier_stats()

    def theme_snapshot(self) -> ThemeSnapshot:
        """The model and the enabled rules, so a poll's workers classify new posts as they parse."""
        from curator.classify.decide import ThemeSnapshot
        from curator.store import training as store

        classifier = self.classifier()
        with self.db.read() as tx:
            rules = store.rule_specs(tx, classifier.slugs)
        return ThemeSnapshot(classifier, tuple(rules))

    def classifier_stats(self) -> ModelInfo:
        """What the current model learnt from (counted in SQL: no examples are loaded)."""
        from curator.store import training as store

        classifier = self.classifier()
        with self.db.read() as tx:
            count = store.example_counts(tx, classifier.slugs)
            blob = store.model_blob(tx)
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
        with self.db.read() as tx:
            themes = store.theme_specs(tx)
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
        with self.db.read() as tx:
            ids = theme_rows.post_ids_to_reclassify(tx, since, all)
        return self._classify(ids, dry_run=dry_run)

    def low_confidence(self, threshold: float = LOW_CONFIDENCE, limit: int = 50) -> list[PostInfo]:
        """Model-classified posts the classifier is least sure of (look at these first)."""
        with self.db.read() as tx:
            return post_queries.low_confidence(tx, threshold, limit)

    def _classify(self, post_ids: list[int], dry_run: bool = False, force: bool = False) -> int:
        if not post_ids:
            return 0
        from curator.classify.decide import decide_themes
        from curator.store import training as store

        classifier = self.classifier()
        changed = 0
        for start in range(0, len(post_ids), _BATCH):
            chunk = post_ids[start:start + _BATCH]
            with self.db.write() as tx:
                slugs = classifier.slugs
                rules = store.rule_specs(tx, slugs)
                todo = [(post, store.facts_for(post, feed, slugs))
                        for post, feed, placed in theme_rows.posts_to_classify(tx, chunk)
                        if force or (post.theme_source != "user" and not placed)]
                guesses = decide_themes(classifier, rules, [facts for _post, facts in todo])
                for (post, _facts), guess in zip(todo, guesses, strict=True):
                    if post.theme != guess.theme:
                        changed += 1
                    if not dry_run:
                        theme_rows.set_guess(post, guess.theme, guess.confidence, guess.source,
                                             guess.why)
                        tx.add(post)
                if dry_run:
                    tx.rollback()
        return changed


def _clean_seeds(seeds: list[str]) -> list[str]:
    out: list[str] = []
    for seed in seeds:
        for part in seed.split(","):
            cleaned = one_line(part).lower()
            if cleaned and cleaned not in out:
                out.append(cleaned)
    return out

