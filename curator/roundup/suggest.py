"""Events and asks hidden in posts, offered for "Other cool events" and "Can you help".

An event is a post with event words (hack, camp, meetup, conference, webinar, workshop,
unconference…) and a date after it was published; it is offered as one line in the roundup's
style: "ReWiredState Norwich – a weekend hack making better use of data in Norfolk – 7 May",
"MailCamp – an afternoon on e-mail – 12 May in Central London, late afternoon". An ask is a post
that asks its readers to act (a survey, a consultation, "we need your input", a call for
participants). Every suggestion says why: the words and the date it found.

Dates are read by dateparser (curator.roundup.dates); the rest is plain text rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from curator.roundup.casing import in_sentence
from curator.roundup.dates import find_event_date
from curator.text import one_line

EVENT_WORDS = re.compile(
    r"\b(hack(?:s|day|days|athon|athons|ing)?|\w*camp|unconference\w*|conference\w*|meet-?ups?|"
    r"webinars?|workshops?|summits?|festivals?|symposi\w+|seminars?|hangouts?|drop-in|"
    r"barcamp\w*|open day|show and tell|tickets?|book (?:your|a) place|save the date|"
    r"sign up|register)\b", re.I)
ASK_TOPIC = re.compile(
    r"\b(surveys?|questionnaires?|consultations?|volunteers?|participants|user research|"
    r"research|interviews?|feedback|views|input|ideas|experiences?|stories|help|pilot|"
    r"testers?|beta)\b", re.I)
ASK_ACTION = re.compile(
    r"\b(please|fill (?:in|out)|complete (?:our|the|a|this)|take part|take (?:our|the|a|this) "
    r"survey|respond|tell us|let us know|share your|have your say|get involved|sign up|join us|"
    r"(?:we|i) need|(?:we|i)(?:'re| are| am) looking for|can you|could you|would you|"
    r"do you (?:want|have)|help us|get in touch|volunteer (?:with|for|at)|call for)\b", re.I)
# asks that need no topic word beside them: the request is the whole point
ASK_ON_ITS_OWN = re.compile(
    r"\b(have your say|can you help|could you help|help us|tell us|let us know|"
    r"call for (?:participants|papers|evidence|volunteers|proposals|ideas)|we need your)\b",
    re.I)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_PLACE = re.compile(r"\b(?P<prep>in|at)\s+(?P<name>(?:the\s+)?[A-Z][\w'&-]*(?:\s+(?:of\s+|on\s+|"
                    r"upon\s+)?[A-Z][\w'&-]*){0,4})")
_NOT_PLACES = re.compile(r"^(?:the\s+)?(?:January|February|March|April|May|June|July|August|"
                         r"September|October|November|December|Monday|Tuesday|Wednesday|"
                         r"Thursday|Friday|Saturday|Sunday|I|We|The|This|That|It)\b")
_TIME_OF_DAY = re.compile(r"\b((?:late |early |mid-?)?(?:morning|afternoon|evening|lunchtime)|"
                          r"\d{1,2}(?::\d\d)?\s?(?:am|pm)(?:\s?(?:-|to|\u2013)\s?"
                          r"\d{1,2}(?::\d\d)?\s?(?:am|pm))?)\b", re.I)
_ONLINE = re.compile(r"\b(online|webinar|zoom|teams call|virtual|livestream)\b", re.I)
_TITLE_SPLIT = re.compile(r"\s+[\u2013\u2014-]\s+|:\s+")
MAX_WHAT_WORDS = 14
DASH = "\u2013"


@dataclass(frozen=True)
class Finding:
    """One suggestion from one post: the line to add, its link words, and the reasons."""

    kind: str  # event | ask
    line: str  # plain text, as it will read
    blurb: str  # the same with the link's words in [brackets] (a custom blurb)
    why: str
    date: datetime | None = None
    date_text: str | None = None
    place: str | None = None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _words(matches: list[str]) -> str:
    return ", ".join(dict.fromkeys(m.lower() for m in matches))


def _short(text: str, words: int = MAX_WHAT_WORDS) -> str:
    parts = one_line(text).rstrip(".!?").split()
    return " ".join(parts[:words]) + ("\u2026" if len(parts) > words else "")


def _place(text: str, after: int) -> str | None:
    """"in Central London", "at the Forum": a capitalised place after "in"/"at", the nearest
    one after the date; else "online" for a webinar or a call."""
    best: tuple[int, str] | None = None
    for match in _PLACE.finditer(text):
        name = match.group("name").strip()
        if _NOT_PLACES.match(name) or len(name) < 3:
            continue
        distance = match.start() - after if match.start() >= after else 10_000 + after
        if best is None or distance < best[0]:
            best = (distance, f"{match.group('prep')} {name}")
    if best is not None:
        return best[1]
    return "online" if _ONLINE.search(text) else None


def _name_and_what(title: str, summary: str, date_text: str) -> tuple[str, str]:
    """The event's name and a few words on what it is. "ReWiredState Norwich: a weekend hack"
    splits at the colon or dash ("Webinar: open data" names the second part); otherwise a
    capitalised word of the title that holds an event word ("LocalGovCamp") or the whole title
    names it, and the summary's first sentence about it (without a leading "<name> is") says
    what, cut before the date, which the line gives anyway."""
    parts = _TITLE_SPLIT.split(one_line(title), maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        head, tail = parts
        if EVENT_WORDS.fullmatch(head.strip()):
            return tail[:1].upper() + tail[1:], f"a {head.strip().lower()}"
        return head, in_sentence(_short(tail), summary)
    token = re.search(r"\b[A-Z]\w*(?:camp|hack\w*|con|fest)\b(?:\s+\d{2,4})?", title, re.I)
    name = token.group(0) if token and token.group(0)[0].isupper() else one_line(title)
    for sentence in _sentences(summary):
        rest = re.sub(rf"^(?:{re.escape(name)}|it|this|the event)\s+(?:is|will be|are)\s+", "",
                      sentence, flags=re.I)
        if rest != sentence or EVENT_WORDS.search(sentence):
            if date_text and date_text in rest:
                rest = re.sub(r"[\s,]*(?:\b(?:on|in|at|probably|from|until|by)\s*)*$", "",
                              rest[:rest.index(date_text)])
            return name, in_sentence(_short(rest), summary) if rest else ""
    return name, ""


def find_event(title: str, summary: str, published: datetime | None) -> Finding | None:
    """An event announced by the post, or None."""
    text = f"{one_line(title)}.\n{summary or ''}"
    words = [m.group(0) for m in EVENT_WORDS.finditer(text)]
    if not words:
        return None
    found = find_event_date(text, published)
    if found is None:
        return None
    name, what = _name_and_what(title, summary or "", found.text)
    place = _place(text, found.end)
    when = found.label + (f" {place}" if place else "")
    time_of_day = _TIME_OF_DAY.search(text[found.start:found.end + 80])
    if time_of_day and time_of_day.group(1).lower() not in found.label.lower():
        when += f", {time_of_day.group(1)}"
    pieces = [p for p in (what, when) if p]
    tail = "".join(f" {DASH} {p}" for p in pieces)
    why = (f"event words: {_words(words)}; date: \u201c{found.text}\u201d \u2192 "
           f"{found.describe(published)}" + (f"; place: {place}" if place else ""))
    return Finding("event", f"{name}{tail}", f"[{name}]{tail}", why, found.when, found.label,
                   place)


def find_ask(title: str, summary: str, published: datetime | None) -> Finding | None:
    """A request to readers (a survey, a consultation, a call for participants), or None.

    The request must be made in one sentence: an action addressed to the reader ("please fill
    in", "can you", "we need", "take part") beside what is asked for (a survey, views,
    volunteers), or a request that says it all ("have your say", "call for participants"). A
    post about a survey, or one that mentions volunteers, is not an ask."""
    clean_title = one_line(title)
    text = f"{clean_title}.\n{summary or ''}"
    asking, words = "", []
    for sentence in [*_sentences(summary or ""), clean_title]:  # the body says more: first
        actions = [m.group(0) for m in ASK_ACTION.finditer(sentence)]
        alone = [m.group(0) for m in ASK_ON_ITS_OWN.finditer(sentence)]
        topics = [m.group(0) for m in ASK_TOPIC.finditer(sentence)]
        if alone or (actions and topics):
            asking, words = sentence, alone + actions + topics
            break
    if not asking:
        return None
    deadline = find_event_date(text, published, deadline=True)
    if asking == clean_title:  # the title asks: the summary's first sentence says what for
        asking = next(iter(_sentences(summary or "")), "")
    said = asking.rstrip(".!?")
    line_tail = f" {DASH} {in_sentence(_short(said, 18), summary)}" if said else ""
    if deadline is not None and deadline.label not in line_tail:
        line_tail += f" (by {deadline.label})"
    why = f"asks readers: {_words(words)}" + (
        f"; by \u201c{deadline.text}\u201d \u2192 {deadline.describe(published)}"
        if deadline else "")
    return Finding("ask", f"{clean_title}{line_tail}", f"[{clean_title}]{line_tail}", why,
                   deadline.when if deadline else None, deadline.label if deadline else None)

