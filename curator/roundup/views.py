"""Plain value objects for editions: what the CLI prints, the TUI shows and the templates render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class EditionInfo:
    number: int
    title: str
    status: str  # draft | published
    window_start: datetime | None
    window_end: datetime | None
    created_at: datetime | None = None
    published_at: datetime | None = None
    item_count: int = 0


@dataclass(frozen=True)
class Blurb:
    """One blurb split around its single link: `before` + [`link_text`](link) + `after`."""

    before: str
    link_text: str
    after: str = ""

    @property
    def text(self) -> str:
        return f"{self.before}{self.link_text}{self.after}"


@dataclass(frozen=True)
class ItemView:
    id: int
    section_id: int
    position: int
    title: str
    link: str | None  # None when the stored link is not http(s): shown as text, never linked
    person: str | None
    org: str | None
    note: str | None
    blurb: str  # the rendered blurb as plain text (without the note)
    blurb_parts: Blurb
    custom_blurb: str | None = None  # the facilitator's own blurb, None = generated
    post_id: int | None = None
    featured_in: int | None = None  # another published edition that already featured this link


@dataclass(frozen=True)
class SectionView:
    id: int
    key: str  # theme slug for theme sections, a slug of the title otherwise
    kind: str  # text | blogs | theme
    title: str
    body: str
    theme: str | None
    position: int
    level: int  # 1 = top-level section, 2 = a theme sub-section of "From the blogs!"
    items: list[ItemView] = field(default_factory=list)


@dataclass(frozen=True)
class EditionView:
    info: EditionInfo
    sections: list[SectionView]

    @property
    def items(self) -> list[ItemView]:
        return [item for section in self.sections for item in section.items]


@dataclass(frozen=True)
class LinkResult:
    url: str
    status: str  # ok | redirected | dead
    http_status: int | None = None
    final_url: str | None = None
    error: str | None = None
    item_ids: list[int] = field(default_factory=list)
    title: str = ""
    sections: list[str] = field(default_factory=list)  # titles of sections whose text links it

    @property
    def where(self) -> str:
        """Where the link sits, for a one-line report: "item 12", "section “Can you help”"."""
        places = [f"item {i}" for i in self.item_ids]
        places += [f"section \u201c{title}\u201d" for title in self.sections]
        return ", ".join(places)


@dataclass(frozen=True)
class LinkReport:
    results: list[LinkResult]

    @property
    def dead(self) -> list[LinkResult]:
        return [r for r in self.results if r.status == "dead"]

    @property
    def redirected(self) -> list[LinkResult]:
        return [r for r in self.results if r.status == "redirected"]

    @property
    def ok(self) -> list[LinkResult]:
        return [r for r in self.results if r.status == "ok"]


@dataclass(frozen=True)
class Publication:
    """A published edition and, when its links were checked first, what the check found."""

    info: EditionInfo
    links: LinkReport | None = None


@dataclass(frozen=True)
class Suggestion:
    """A post offered for "Other cool events" (kind `event`) or "Can you help" (kind `ask`)."""

    post_id: int
    kind: str
    title: str
    link: str | None
    person: str | None
    line: str  # the roundup line as it would read
    blurb: str  # the same, with the link's words in [brackets]
    why: str  # the words and the date found
    date: str | None = None  # ISO date of the event (or the ask's deadline)
    date_text: str | None = None  # as the line shows it: "12 May", "June or July"
    place: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """An edition sent (or, in a dry run, written to an .eml file)."""

    edition: int
    subject: str
    recipients: list[str]
    refused: list[str] = field(default_factory=list)  # the server took the others
    path: str | None = None  # the .eml written instead of sending
    size: int = 0  # bytes of the message
