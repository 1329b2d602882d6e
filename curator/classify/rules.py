"""Visible, editable rules (NewsBlur/Miniflux style): a match in one field sends a post to a theme.

Rules are plain data and pure functions here; they always beat the learned model and are shown as
the reason. Matching is case-insensitive: `phrase` is a whole-word phrase in the title or text,
`tag` an exact tag, `author` the person or author name, `feed` the feed URL or title, `domain` the
link's host (or any subdomain of it). A rule may be scoped to one feed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from curator.classify.features import Doc, domain_of
from curator.errors import CuratorError

FIELDS = ("phrase", "tag", "author", "feed", "domain")


@dataclass(frozen=True)
class RuleSpec:
    id: int
    field: str
    pattern: str
    theme: str
    feed_id: int | None = None


@dataclass(frozen=True)
class PostFacts:
    """Everything a rule can look at for one post."""

    doc: Doc
    feed_id: int | None = None
    feed_url: str | None = None
    feed_title: str | None = None
    person: str | None = None


def normalise_pattern(field: str, pattern: str) -> str:
    """Validate a rule; return the pattern as stored (raises a one-line CuratorError)."""
    if field not in FIELDS:
        raise CuratorError(f"unknown rule field {field!r} (use one of: {', '.join(FIELDS)})")
    cleaned = " ".join(pattern.split())
    if not cleaned:
        raise CuratorError("a rule needs a non-empty pattern")
    if len(cleaned) > 200:
        raise CuratorError("a rule pattern must be at most 200 characters")
    if field == "domain":
        host = domain_of(cleaned) or ""
        if not host or " " in host:
            raise CuratorError(f"not a domain: {pattern!r}")
        return host.lower()
    return cleaned


@lru_cache(maxsize=1024)
def _phrase_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(pattern.casefold()).replace(r"\ ", r"\s+") + r"(?!\w)")


def matches(rule: RuleSpec, facts: PostFacts) -> bool:
    if rule.feed_id is not None and rule.feed_id != facts.feed_id:
        return False
    pattern = rule.pattern.casefold()
    doc = facts.doc
    if rule.field == "phrase":
        regex = _phrase_regex(rule.pattern)
        return bool(regex.search(doc.title.casefold()) or regex.search(doc.summary.casefold()))
    if rule.field == "tag":
        return any(" ".join(t.split()).casefold() == pattern for t in doc.tags)
    if rule.field == "author":
        names = (facts.person, doc.author)
        return any(n is not None and " ".join(n.split()).casefold() == pattern for n in names)
    if rule.field == "feed":
        return any(v is not None and v.strip().casefold() == pattern
                   for v in (facts.feed_url, facts.feed_title))
    if rule.field == "domain":
        host = (domain_of(doc.link) or "").lower()
        return host == pattern or host.endswith("." + pattern)
    return False


def precedence(rules: Sequence[RuleSpec]) -> list[RuleSpec]:
    """Feed-scoped rules first (more specific), then global ones; oldest first within each."""
    return sorted(rules, key=lambda r: (r.feed_id is None, r.id))


def first_match(rules: Sequence[RuleSpec], facts: PostFacts,
                ordered: bool = False) -> RuleSpec | None:
    """The rule that decides a post, if any (`ordered`: `rules` already is in precedence order)."""
    for rule in rules if ordered else precedence(rules):
        if matches(rule, facts):
            return rule
    return None


def describe(rule: RuleSpec) -> str:
    """The reason shown on a post: "rule #3: tag 'foi'"."""
    where = " in the title or text" if rule.field == "phrase" else ""
    scope = " (this feed only)" if rule.feed_id is not None else ""
    return f"rule #{rule.id}: {rule.field} {rule.pattern!r}{where}{scope}"
