"""Deciding a theme for posts: the user's rules first, then the model, as plain data.

One function serves both places posts get a theme:
- the poller, which classifies new entries right after parsing them (`decide_entries`: in the
  parse workers, both cores, or for a few posts in the poller itself; either way no database
  round trip, the post is inserted already classified);
- `ThemeService` when it (re)classifies stored posts.
`ThemeSnapshot` is the picklable pair (model, rules) a poll run hands to its workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from curator.classify.features import Doc, domain_of
from curator.classify.model import ThemeClassifier
from curator.classify.rules import PostFacts, RuleSpec, describe, first_match, precedence

if TYPE_CHECKING:
    from curator.types import ParsedEntry


@dataclass(frozen=True)
class ThemeGuess:
    """A post's theme with its confidence, where it came from (rule/model/feed) and why."""

    theme: str
    confidence: float
    source: str
    why: str


@dataclass(frozen=True)
class FeedFacts:
    """What rules and features need to know about the feed a post came from."""

    feed_id: int
    url: str
    title: str | None = None
    html_url: str | None = None
    theme_hint: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class ThemeSnapshot:
    """The classifier and the enabled rules at the start of a poll run."""

    classifier: ThemeClassifier
    rules: tuple[RuleSpec, ...]


def post_facts(feed: FeedFacts | None, slugs: Sequence[str], *, title: str, summary: str,
               tags: Sequence[str], author: str | None, link: str | None, person: str | None,
               feed_id: int | None = None) -> PostFacts:
    """A post's facts from its columns and its feed (stored post or freshly parsed entry)."""
    hint = feed.theme_hint if feed is not None and feed.theme_hint in slugs else None
    site = domain_of(link) or (domain_of(feed.html_url) if feed is not None else None)
    doc = Doc(title=title or "", summary=summary or "", tags=list(tags or []),
              author=person or author, site=site, hint=hint,
              feed=feed.url if feed is not None else None, link=link)
    return PostFacts(doc=doc, feed_id=feed_id if feed_id is not None else
                     (feed.feed_id if feed else None), feed_url=feed.url if feed else None,
                     feed_title=feed.title if feed else None, person=person)


def decide_themes(classifier: ThemeClassifier, rules: Sequence[RuleSpec],
                  facts: Sequence[PostFacts]) -> list[ThemeGuess]:
    """A rule's theme where one matches (confidence 1), the model's prediction otherwise."""
    ordered = precedence(rules)
    matched = ([first_match(ordered, f, ordered=True) for f in facts] if ordered
               else [None] * len(facts))
    unruled = [f.doc for f, rule in zip(facts, matched, strict=True) if rule is None]
    predictions = iter(classifier.predict_many(unruled))
    out = []
    for rule in matched:
        if rule is not None:
            out.append(ThemeGuess(rule.theme, 1.0, "rule", describe(rule)))
        else:
            pred = next(predictions)
            out.append(ThemeGuess(pred.theme, pred.confidence, pred.source, pred.why))
    return out


def decide_entries(snapshot: ThemeSnapshot, feed: FeedFacts,
                   entries: Sequence[ParsedEntry]) -> list[ThemeGuess]:
    """One guess per freshly parsed entry of `feed` (in a parse worker, or in the poller when a
    poll stores a few posts): the same facts the stored post will give later."""
    slugs = snapshot.classifier.slugs
    return decide_themes(snapshot.classifier, snapshot.rules, [
        post_facts(feed, slugs, title=e.title, summary=e.summary, tags=e.tags, author=e.author,
                   link=e.link, person=feed.person) for e in entries])
