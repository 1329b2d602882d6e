"""Blurbs: the one-line sentence that introduces each link in the roundup.

Default styles follow the real roundup and take turns down a section so a run of blurbs does not
read like a form: "{title} from {person} of {org}", "{person} writes about {title}", "{person}
blogs on {title}" (" of {org}" only when the organisation is known). The title carries the link.
When one person has several posts in a section, the later ones say so ("Dave also writes about
...") instead of repeating the name.
An edited blurb may mark its link with [square brackets] or use {title}, {person}, {org}.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from curator.roundup.views import Blurb
from curator.text import one_line

STYLES = ("{title} from {person}{of_org}", "{person}{of_org} writes about {title}",
          "{person}{of_org} blogs on {title}")
FOLLOW_UPS = ("{first} also writes about {title}", "{first} also blogs on {title}")
NOTE_DASH = "\u2013"


@dataclass(frozen=True)
class BlurbInput:
    """What a blurb needs to know about one item."""

    title: str
    person: str | None
    org: str | None
    custom: str | None = None


def who(feed_person: str | None, feed_org: str | None, post_person: str | None,
        post_org: str | None, author: str | None, blog_title: str | None
        ) -> tuple[str | None, str | None]:
    """Person and organisation for an item: the feed's OPML data, then the post (as stored at
    ingest, also from OPML), then the post's author, then the blog's title (with no org)."""
    org = one_line(feed_org or post_org) or None
    for candidate in (feed_person, post_person, author):
        name = one_line(candidate)
        if name:
            return name, org
    blog = one_line(blog_title)
    return (blog or None), (org if blog else None)


def first_name(person: str) -> str:
    """'Dave Briggs' -> 'Dave'; a name that looks like a blog or an organisation stays whole."""
    parts = person.split()
    if len(parts) == 2 and all(p[:1].isupper() and p.isalpha() for p in parts):
        return parts[0]
    return person


def _fill(template: str, item: BlurbInput, first: str) -> Blurb:
    """Expand a style: {title} becomes the link, the other fields plain text."""
    of_org = f" of {item.org}" if item.org and item.org != item.person else ""
    values = {"person": item.person or "", "org": item.org or "", "first": first,
              "of_org": of_org}
    head, sep, tail = template.partition("{title}")
    if not sep:
        return Blurb(_expand(template, values), item.title, "")
    return Blurb(_expand(head, values), item.title, _expand(tail, values))


def _expand(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(person|org|first|of_org)\}", lambda m: values.get(m.group(1), ""), text)


_BRACKETS = re.compile(r"\[([^\[\]]+)\]")


def parse_custom(text: str, item: BlurbInput) -> Blurb:
    """An edited blurb: `{title}` or the first `[bracketed words]` carry the link; with neither,
    the whole blurb is the link text."""
    clean = one_line(text)
    values = {"person": item.person or "", "org": item.org or "", "first": ""}
    if "{title}" in clean:
        head, _sep, tail = clean.partition("{title}")
        return Blurb(_expand(head, values), item.title, _expand(tail.replace("{title}", item.title),
                                                                values))
    match = _BRACKETS.search(clean)  # found before expanding, so a name cannot add brackets
    if match:
        return Blurb(_expand(clean[:match.start()], values), _expand(match.group(1), values),
                     _expand(clean[match.end():], values))
    return Blurb("", _expand(clean, values), "")


def section_blurbs(items: Sequence[BlurbInput]) -> list[Blurb]:
    """Blurbs for a run of items in one section, in order, so repeated people read naturally."""
    seen: dict[str, int] = {}
    turn = 0
    out: list[Blurb] = []
    for item in items:
        if item.custom:
            out.append(parse_custom(item.custom, item))
            if item.person:
                if not seen.get(item.person):
                    turn += 1  # the turn its default would have taken: editing one blurb
                    # leaves the wording of the others as it was
                seen[item.person] = seen.get(item.person, 0) + 1
            continue
        if not item.person:
            out.append(Blurb("", item.title, ""))
            continue
        earlier = seen.get(item.person, 0)
        seen[item.person] = earlier + 1
        if earlier:
            style = FOLLOW_UPS[(earlier - 1) % len(FOLLOW_UPS)]
        else:
            style = STYLES[turn % len(STYLES)]
            turn += 1
        out.append(_fill(style, item, first_name(item.person)))
    return out


def note_suffix(note: str | None) -> str:
    clean = one_line(note)
    if clean.startswith((NOTE_DASH, "-", "\u2014")):
        clean = clean.lstrip("-\u2013\u2014 ").strip()
    return f" {NOTE_DASH} {clean}" if clean else ""
