"""Pure rules for editions: numbering, date windows, default sections, ordering, references.

Nothing here touches the database, so every rule is unit-testable with plain values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from curator.errors import CuratorError, NotFoundError
from curator.when import parse_moment

DEFAULT_WINDOW = timedelta(days=30)
BLOGS_TITLE = "From the blogs!"


@dataclass(frozen=True)
class SectionSpec:
    """A section to create in a new edition."""

    kind: str  # text | blogs | theme
    title: str
    theme: str | None = None
    body: str = ""


# the free-text sections of the real roundup, in its order; "From the blogs!" goes before the note
LEADING_TEXT_SECTIONS = ("The big news", "Other cool events", "Can you help")
CLOSING_TEXT_SECTIONS = ("A personal note",)

DEFAULT_THEMES = (
    ("openness", "Openness and engagement"),
    ("improvement", "Improvement and innovation"),
    ("tools", "Cool tools"),
    ("other", "...and"),
)


def default_sections(themes: Sequence[tuple[str, str]]) -> list[SectionSpec]:
    """The layout of a new edition: free text, the blogs header, one sub-section per theme, a note."""
    specs = [SectionSpec("text", title) for title in LEADING_TEXT_SECTIONS]
    specs.append(SectionSpec("blogs", BLOGS_TITLE))
    specs.extend(SectionSpec("theme", name, theme=slug) for slug, name in themes)
    specs.extend(SectionSpec("text", title) for title in CLOSING_TEXT_SECTIONS)
    return specs


def next_number(existing: Sequence[int]) -> int:
    return max(existing, default=0) + 1


def default_title(number: int) -> str:
    return f"Roundup #{number}"


def default_window(now: datetime, last_published_at: datetime | None,
                   since: datetime | None = None, until: datetime | None = None
                   ) -> tuple[datetime, datetime | None]:
    """Window start: `since`, else the previous publication, else 30 days before now."""
    start = since or last_published_at or (now - DEFAULT_WINDOW)
    if until is not None and until <= start:
        raise CuratorError(f"the window ends ({until:%Y-%m-%d %H:%M}) before it starts "
                           f"({start:%Y-%m-%d %H:%M})")
    return start, until


def parse_when(text: str | datetime | date | None, *, end_of_day: bool = False) -> datetime | None:
    """An edition's window bound (None when not given): see curator.when.parse_moment."""
    if text is None or text == "":
        return None
    return parse_moment(text, end_of_day=end_of_day)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "section"


def moved(order: Sequence[int], ident: int, position: int) -> list[int]:
    """`order` with `ident` moved to index `position` (clamped; negative counts from the end)."""
    rest = [x for x in order if x != ident]
    if position < 0:
        position = len(rest) + 1 + position
    position = max(0, min(position, len(rest)))
    return rest[:position] + [ident] + rest[position:]


def find_by_ref(ref: str | int, rows: Sequence[tuple[int, str, str]]) -> int:
    """Resolve a section reference to its id. `rows` are (id, key, title); a ref may be the id,
    the key (theme slug or title slug) or the title (case-insensitive)."""
    text = str(ref).strip()
    if text.isdigit():
        for ident, _key, _title in rows:
            if ident == int(text):
                return ident
    lowered = text.lower()
    for matcher in (lambda k, t: k == lowered, lambda k, t: t.lower() == lowered,
                    lambda k, t: k == slugify(text)):
        hits = [ident for ident, key, title in rows if matcher(key, title)]
        if len(hits) == 1:
            return hits[0]
    keys = ", ".join(key for _i, key, _t in rows)
    raise NotFoundError(f"no section {text!r} in this edition (sections: {keys})")
