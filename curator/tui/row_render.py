"""Turn plain post data into Rich `Text`, never markup: feed strings are shown exactly as written.

Everything from a feed goes through `safe()` (control characters and bidi overrides removed, in
case a row predates ingest hygiene) and into `Text(...)` objects, so `[bold]`, `[@click=...]` or an
escape sequence in a title is displayed literally and does nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text

from curator.text import one_line, strip_controls, tidy_paragraphs
from curator.tui.inbox_page import COUNT_CAP
from curator.types import LOW_CONFIDENCE, PostInfo


def safe(value: object, limit: int | None = None) -> str:
    return one_line(str(value) if value is not None else "", limit)


def when(value: datetime | None) -> str:
    """A compact, unambiguous UTC date (the same on every machine, so snapshots are stable)."""
    if value is None:
        return "-"
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def who(post: PostInfo) -> str:
    person = safe(post.person or post.author)
    org = safe(post.org or post.blog_title)
    return " · ".join(part for part in (person, org) if part) or "-"


def confidence_text(post: PostInfo) -> Text:
    if post.theme_source == "user":
        return Text("you", style="bold")
    if post.confidence is None:
        return Text("-", style="dim")
    low = post.confidence < LOW_CONFIDENCE
    return Text(f"{post.confidence:.0%}", style="bold yellow" if low else "")


WHO_WIDTH, DATE_WIDTH, CONF_WIDTH = 16, 6, 4


def row_cells(post: PostInfo, title_width: int = 60) -> tuple[Text, Text, Text, Text, Text]:
    """(mark, title, who, date, confidence) for one inbox row, cut to fit the columns."""
    mark = Text("✔" if post.picked else ("•" if not post.read else " "),
                style="bold green" if post.picked else "cyan")
    title = Text(safe(post.title, title_width) or "(untitled)",
                 style="dim" if post.read else "bold")
    person = safe(post.person or post.author) or safe(post.org or post.blog_title) or "-"
    date = post.published.astimezone(UTC).strftime("%d %b") if post.published else "-"
    return (mark, title, Text(safe(person, WHO_WIDTH)), Text(date), confidence_text(post))


def count_text(count: int) -> str:
    """A count from `count_posts(limit=COUNT_CAP + 1)`: exact up to the cap, then "1,000+"."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def group_cells(name: str, count: int | None, collapsed: bool, shown: int,
                width: int = 60) -> tuple[Text, ...]:
    arrow = "▶" if collapsed else "▼"
    if count is None:
        figure = f"  {shown}+ …" if not collapsed else "  …"
    else:
        more = f" ({shown} shown)" if shown < count and not collapsed else ""
        figure = f"  {count_text(count)}{more}"
    head = Text(f"{arrow} ", style="bold")
    head.append(safe(name, max(8, width - len(figure) - 2)), style="bold underline")
    head.append(figure, style="dim")
    return (Text(""), head, Text(""), Text(""), Text(""))


def more_cells(count: int, shown: int) -> tuple[Text, ...]:
    """The row after a page: how many more (just "more" when the count was capped)."""
    figure = "more" if count > COUNT_CAP else f"{count - shown:,} more"
    return (Text(""), Text(f"  … {figure} (enter)", style="dim"), Text(""), Text(""), Text(""))


def detail_text(post: PostInfo, theme_name: str | None) -> Text:
    """The detail pane: title, who/when, theme and why, tags, link, readable summary."""
    out = Text()
    out.append(safe(post.title) or "(untitled)", style="bold")
    out.append("\n")
    out.append(who(post), style="italic")
    if post.blog_title:
        out.append("  ·  ")
        out.append(safe(post.blog_title))
    out.append(f"  ·  {when(post.published)}\n\n", style="dim")
    out.append("Theme: ", style="bold")
    out.append(safe(theme_name or post.theme or "unclassified"))
    out.append("  ")
    out.append_text(confidence_text(post))
    if post.why:
        out.append("\nWhy: ", style="bold")
        out.append(safe(post.why, 300))
    if post.tags:
        out.append("\nTags: ", style="bold")
        out.append(", ".join(safe(tag, 40) for tag in post.tags[:20]))
    if post.link:
        out.append("\nLink: ", style="bold")
        out.append(safe(post.link), style="underline")
    flags = [name for name, on in (("picked", post.picked), ("read", post.read),
                                   ("hidden", post.hidden)) if on]
    if post.featured_in:
        flags.append(f"featured in edition #{post.featured_in}")
    if flags:
        out.append("\n" + ", ".join(flags), style="dim")
    out.append("\n\n")
    out.append(tidy_paragraphs(strip_controls(post.summary)) or "(no summary)")
    return out
