"""Bridging stored rows and the classifier: docs from posts, training examples, the model blob.

Everything here takes an open transaction; nothing commits. It imports the classifier, so the
services load it only when they classify (themes and rules are in `curator.store.theme_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from curator.classify.decide import FeedFacts, post_facts
from curator.classify.features import Doc, domain_of
from curator.classify.model import Example, ThemeClassifier
from curator.classify.rules import PostFacts, RuleSpec
from curator.classify.zeroshot import ThemeSpec
from curator.store.classifier_file import MODEL_NAME
from curator.store.classifier_file import model_version as version_of
from curator.store.tables import Feed, ModelBlob, Post, Rule, Theme, TrainingSignal


def theme_specs(session: Session) -> list[ThemeSpec]:
    rows = session.exec(select(Theme).order_by(col(Theme.position), col(Theme.id))).all()
    return [ThemeSpec(t.slug, t.name, t.description, tuple(t.seeds)) for t in rows]


def rule_specs(session: Session, themes: Sequence[str]) -> list[RuleSpec]:
    rows = session.exec(select(Rule).where(col(Rule.enabled)).order_by(col(Rule.id))).all()
    return [RuleSpec(r.id or 0, r.field, r.pattern, r.theme, r.feed_id) for r in rows
            if r.theme in themes]


def feed_facts(feed: Feed) -> FeedFacts:
    return FeedFacts(feed_id=feed.id or 0, url=feed.url, title=feed.title or feed.feed_title,
                     html_url=feed.html_url, theme_hint=feed.theme_hint, person=feed.person)


def facts_for(post: Post, feed: Feed | None, slugs: Sequence[str]) -> PostFacts:
    return post_facts(feed_facts(feed) if feed is not None else None, slugs, title=post.title,
                      summary=post.summary, tags=list(post.tags or []), author=post.author,
                      link=post.link, person=post.person, feed_id=post.feed_id)


_EXAMPLE_COLUMNS = [col(c) for c in (
    Post.id, Post.title, Post.summary, Post.tags, Post.person, Post.author, Post.link, Post.theme,
    Feed.url, Feed.html_url, Feed.theme_hint)]


def training_examples(session: Session, slugs: Sequence[str]) -> list[Example]:
    """The latest signal per post (user or edition), plus rule-classified posts as weak labels.

    Reads plain columns, not ORM rows: retraining from thousands of posts stays quick.
    """
    latest: dict[int, tuple[str, str]] = {}
    for post_id, theme, source in session.exec(select(
            TrainingSignal.post_id, TrainingSignal.theme, TrainingSignal.source).order_by(
            col(TrainingSignal.id))).all():
        if theme in slugs:
            latest[post_id] = (theme, source)
    base = sa_select(*_EXAMPLE_COLUMNS).join(Feed, col(Feed.id) == col(Post.feed_id))
    rows: list[Any] = list(session.execute(base.where(col(Post.theme_source) == "rule")).all())
    ids = sorted(latest)
    for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        rows += session.execute(base.where(col(Post.id).in_(ids[start:start + 900]),
                                           col(Post.theme_source).is_distinct_from("rule"))).all()
    examples: list[Example] = []
    for (post_id, title, summary, tags, person, author, link, theme, feed_url, html_url,
         hint) in rows:
        doc = Doc(title=title or "", summary=summary or "", tags=list(tags or []),
                  author=person or author, site=domain_of(link) or domain_of(html_url),
                  hint=hint if hint in slugs else None, feed=feed_url, link=link)
        found = latest.get(post_id)
        if found is not None:
            examples.append(Example(doc, found[0], "user" if found[1] == "user" else "edition"))
        elif theme in slugs:
            examples.append(Example(doc, str(theme), "rule"))
    return examples


def example_counts(session: Session, slugs: Sequence[str]) -> dict[str, int]:
    """How many examples of each source `training_examples` would return (the latest signal per
    post decides its source; rule-placed posts without a signal are weak labels)."""
    latest = (select(TrainingSignal.post_id, func.max(TrainingSignal.id).label("last"))
              .where(col(TrainingSignal.theme).in_(list(slugs)))
              .group_by(col(TrainingSignal.post_id)).subquery())
    rows = session.exec(select(TrainingSignal.source, func.count()).join(
        latest, col(TrainingSignal.id) == latest.c.last).group_by(col(TrainingSignal.source))).all()
    counts = {"user": 0, "edition": 0, "rule": 0}
    for source, n in rows:
        counts["user" if source == "user" else "edition"] += int(n)
    signalled = select(TrainingSignal.post_id).where(col(TrainingSignal.theme).in_(list(slugs)))
    counts["rule"] = int(session.exec(select(func.count()).select_from(Post).where(
        col(Post.theme_source) == "rule", col(Post.theme).in_(list(slugs)),
        col(Post.id).not_in(signalled))).one())
    return counts


def model_version(session: Session, themes: Sequence[ThemeSpec]) -> str:
    """Changes whenever the labels the model learns from change (see `classifier_file`)."""
    last_signal = session.exec(select(TrainingSignal.id).order_by(
        col(TrainingSignal.id).desc()).limit(1)).first()
    n_signals = session.exec(select(func.count()).select_from(TrainingSignal)).one()
    rule_hits = session.exec(select(Post.id, Post.theme).where(
        col(Post.theme_source) == "rule").order_by(col(Post.id))).all()
    return version_of([t.slug for t in themes], last_signal, int(n_signals),
                      [(hit[0], hit[1]) for hit in rule_hits])


def load_or_train(session: Session, themes: Sequence[ThemeSpec]
                  ) -> tuple[ThemeClassifier, str, bool]:
    """The stored model when it is current, else one trained from the stored signals (fresh=True)."""
    version = model_version(session, themes)
    blob = session.get(ModelBlob, MODEL_NAME)
    if blob is not None and blob.version == version:
        loaded = ThemeClassifier.from_bytes(blob.data, themes)
        if loaded is not None:
            return loaded, version, False
    examples = training_examples(session, [t.slug for t in themes])
    classifier = ThemeClassifier.fit(themes, examples)
    return classifier, version, True


def save_model(session: Session, classifier: ThemeClassifier, version: str) -> None:
    from curator.store.tables import utcnow

    blob = session.get(ModelBlob, MODEL_NAME)
    if blob is None:
        blob = ModelBlob(name=MODEL_NAME, version=version, data=b"")
    blob.version = version
    blob.data = classifier.to_bytes()
    blob.n_examples = classifier.n_examples
    blob.trained_at = utcnow()
    session.add(blob)


def model_blob(session: Session) -> ModelBlob | None:
    return session.get(ModelBlob, MODEL_NAME)


def forget_model(session: Session) -> None:
    """Drop the stored model: the next use retrains it from every signal."""
    blob = model_blob(session)
    if blob is not None:
        session.delete(blob)
