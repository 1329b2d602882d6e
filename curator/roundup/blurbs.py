"""Blurbs: the one-line sentence that introduces each link in the roundup.

Default styles follow the real roundup and vary from item to item so a run of blurbs does not
read like a form: "{title} from {person} of {org}", "{person} writes about {title}", "{person}
blogs on {title}" (" of {org}" only when the organisation is known and is not already in the
name). The style is chosen by the item itself (its id), so moving items never rewords the others.
The title carries the link and reads as part of the sentence ("writes about how we ran…", see
curator.roundup.casing). A person's later posts in the edition use their first name ("Dave also
writes about ...") instead of repeating the full name.
An edited blurb may mark its link with [square brackets] or use {title}, {person}, {org}.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from curator.roundup.casing import in_sentence, is_common
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
    key: int = 0  # the item's id: picks its style, so the wording does not depend on order
    context: str | None = None  # the post's own text: how it writes its words (casing)


def who(feed_person: str | None, feed_org: str | None, post_person: str | None,
        post_org: str | None, author: str | None, blog_title: str | None,
        multi_author: bool = False) -> tuple[str | None, str | None]:
    """Person and organisation for an item: the feed's OPML data, then the post (as stored at
    ingest, also from OPML), then the post's author, then the blog's title (with no org).

    A feed written by many people (an aggregator, a group blog: `multi_author`) credits the
    post's own author first, without the feed's organisation, which is not the author's."""
    if multi_author and one_line(author):
        return one_line(author), (one_line(post_org) or None)
    org = one_line(feed_org or post_org) or None
    for candidate in (feed_person, post_person, author):
        name = one_line(candidate)
        if name:
            return name, org
    blog = one_line(blog_title)
    return (blog or None), (org if blog else None)


_HONORIFICS = {"dr", "dr.", "cllr", "cllr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms",
               "ms.", "sir", "dame", "lord", "lady", "rev", "rev."}
_NAME_PART = re.compile(r"[A-Z\u00c0-\u00de][\w'\u2019.-]*$")


def first_name(person: str) -> str:
    """'Dave Briggs' -> 'Dave', 'Ann Smith-Jones' -> 'Ann', 'Cllr Jo de Souza' -> 'Jo'; a name
    that reads like a blog or an organisation ('Weekly Blog Club') stays whole."""
    parts = person.split()
    if parts and parts[0].lower() in _HONORIFICS:
        parts = parts[1:]
    if not 2 <= len(parts) <= 4 or not _NAME_PART.match(parts[0]) or "." in parts[0]:
        return person  # one word, an initial ("J. Smith") or too long to be a name
    surname = [p for p in parts[1:] if p.lower() not in {"de", "van", "von", "der", "la", "le",
                                                         "da", "di", "du", "bin", "al"}]
    if not surname or not all(_NAME_PART.match(p) for p in surname):
        return person
    if any(is_common(p.strip(".").lower()) for p in surname):
        return person  # "Weekly Blog Club", "Digital Leaders"
    return parts[0]


def _org_suffix(item: BlurbInput) -> str:
    """" of Preston Council", unless there is no org or the name already says it."""
    org, person = (item.org or "").strip(), (item.person or "").strip()
    if not org or org.casefold() in person.casefold() or person.casefold() in org.casefold():
        return ""
    return f" of {org}"


def _fill(template: str, item: BlurbInput, first: str) -> Blurb:
    """Expand a style: {title} becomes the link (in sentence casing), the others plain text."""
    values = {"person": item.person or "", "org": item.org or "", "first": first,
              "of_org": _org_suffix(item)}
    head, sep, tail = template.partition("{title}")
    if not sep:
        return Blurb(_expand(template, values), item.title, "")
    title = in_sentence(item.title, item.context, at_start=not head)
    return Blurb(_expand(head, values), title, _expand(tail, values))


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


def section_blurbs(items: Sequence[BlurbInput], seen: dict[str, int] | None = None
                   ) -> list[Blurb]:
    """Blurbs for a run of items in one section, in order. `seen` counts the people already
    named earlier in the edition (shared across its sections), so their later posts use the
    first name."""
    seen = {} if seen is None else seen
    out: list[Blurb] = []
    for item in items:
        if item.custom:
            blurb = parse_custom(item.custom, item)
            if item.person and item.person in blurb.text:  # it named them: later posts may not
                seen[item.person] = seen.get(item.person, 0) + 1
            out.append(blurb)
            continue
        earlier = seen.get(item.person, 0) if item.person else 0
        if item.person:
            seen[item.person] = earlier + 1
        if not item.person:
            out.append(Blurb("", in_sentence(item.title, item.context, at_start=True), ""))
        elif earlier:
            style = FOLLOW_UPS[(item.key - 1) % len(FOLLOW_UPS)]
            out.append(_fill(style, item, first_name(item.person)))
        else:
            out.append(_fill(STYLES[(item.key - 1) % len(STYLES)], item, first_name(item.person)))
    return out


def note_suffix(note: str | None) -> str:
    clean = one_line(note)
    if clean.startswith((NOTE_DASH, "-", "\u2014")):
        clean = clean.lstrip("-\u2013\u2014 ").strip()
    return f" {NOTE_DASH} {clean}" if clean else ""
