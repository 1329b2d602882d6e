"""Human-readable reasons: turn weighted features into "open data, transparency (title); tag: foi"."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from curator.classify.features import surface

_FIELD_LABEL = {"t": "title", "w": "text", "title": "title", "text": "text"}


@lru_cache(maxsize=100_000)
def readable_feature(name: str) -> tuple[str, str]:
    """('open data', 'title') for 't:open data'; ('foi', 'tag') for 'tag:foi'."""
    prefix, _, value = name.partition(":")
    if prefix in ("t", "w"):
        return " ".join(surface(tok) for tok in value.split()), _FIELD_LABEL[prefix]
    return value, prefix


def _inside(key: str, phrases: list[str]) -> bool:
    for other in phrases:  # noqa: SIM110 - a plain loop: short lists, a generator costs more
        if key in other:
            return True
    return False


def format_reasons(items: Iterable[tuple[str, str]], limit: int = 5) -> str:
    """Group (phrase, field) pairs by field in first-seen order; drop repeats and sub-phrases."""
    groups: dict[str, list[str]] = {}
    seen: set[str] = set()
    spaced: list[str] = []  # the seen phrases of several words
    count = 0
    for phrase, field in items:
        if count >= limit:
            break
        key = phrase.lower()
        if not phrase or key in seen:
            continue
        if spaced and _inside(key, spaced):
            continue  # "data" adds nothing after "open data"
        seen.add(key)
        if " " in key:
            spaced.append(key)
        groups.setdefault(field, []).append(phrase)
        count += 1
    parts = []
    for field, phrases in groups.items():
        if field in ("title", "text"):
            parts.append(f"{', '.join(phrases)} ({field})")
        elif field == "feed":
            parts.append("feed default theme")
        elif field == "similar":
            parts.extend(phrases)
        else:
            parts.append(f"{field}: {', '.join(phrases)}")
    return "; ".join(parts)
