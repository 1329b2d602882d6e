"""Dates written in posts ("7 May", "Tuesday 3rd May at 2pm", "2011-06-14", "June or July"),
read relative to the day the post was published.

dateparser does the reading: it knows the many ways people write a day (ordinals, weekdays,
numeric orders, abbreviations) and resolves a date without a year to the next one after the post,
which is what an announcement means. It is only asked about sentences that name a month, a
weekday or a numeric date, so a post without any costs a regular-expression scan. A month
without a day ("in June or July") is read here, since dateparser would invent a day for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_MONTH_NAMES = "|".join(MONTHS)
_DATEISH = re.compile(
    rf"\b(?:{_MONTH_NAMES}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}\b")
_MONTH_ONLY = re.compile(
    rf"\b(?:in|during|early|late|mid-?|until|from|around|by)\s+(?:early\s+|late\s+|mid-?)?"
    rf"(?P<label>(?P<first>{_MONTH_NAMES})(?:\s+(?:or|and|to|\u2013|-)\s+(?:{_MONTH_NAMES}))?)"
    r"(?:\s+(?P<year>20\d\d))?\b")
_SENTENCE = re.compile(r"[^.!?\n]+")
_LEAD = re.compile(r"^(?:(?:on|from|by|until|at|the)\s+)+", re.I)
_TAIL = re.compile(r"(?:\s+(?:in|at|on|from|the|we|i|you|they|,))+$", re.I)
HORIZON = timedelta(days=400)  # an announcement looks ahead about a year at most
YEARLESS_HORIZON = timedelta(days=240)  # "2 April" read as next year's is more likely the past
_PAST = re.compile(r"\b(?:held|was|were|took place|happened|went|ran|attended|enjoyed|"
                   r"last (?:week|month|year))\b", re.I)


@dataclass(frozen=True)
class FoundDate:
    text: str  # as written ("12 May", "June or July")
    when: datetime  # naive UTC; the first day for a month
    label: str  # as the roundup line shows it ("12 May", "June or July")
    start: int  # where the text sits in what was searched
    end: int

    def describe(self, published: datetime | None) -> str:
        if published is None:
            return f"{self.when:%Y-%m-%d}"
        days = (self.when.date() - _naive(published).date()).days
        return f"{self.when:%Y-%m-%d}, {days} day{'s' if days != 1 else ''} after publication"


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _settings(base: datetime) -> dict[str, Any]:
    return {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
            "REQUIRE_PARTS": ["day", "month"], "RETURN_AS_TIMEZONE_AWARE": False}


def _label(when: datetime, base: datetime) -> str:
    return f"{when.day} {when:%B}" + (f" {when.year}" if when.year != base.year else "")


def find_event_date(text: str, published: datetime | None,
                    deadline: bool = False) -> FoundDate | None:
    """The first date in `text` on or after the day of publication (within about a year);
    for a `deadline` the same rule. None when the text names none."""
    base = _naive(published) if published else datetime.now(UTC).replace(tzinfo=None)
    for sentence in _SENTENCE.finditer(text):
        if not _DATEISH.search(sentence.group(0)) or _PAST.search(sentence.group(0)):
            continue  # no date here, or one that tells what already happened
        found = _day_date(sentence.group(0), sentence.start(), base)
        if found is not None:
            return found
    return _month_date(text, base)


def _day_date(sentence: str, offset: int, base: datetime) -> FoundDate | None:
    from dateparser.search import search_dates  # ~0.15 s of import: only when a post has dates

    hits = search_dates(sentence, languages=["en"], settings=_settings(base)) or []
    position = 0
    for phrase, when in hits:
        at = sentence.find(phrase, position)
        position = max(position, at + len(phrase)) if at >= 0 else position
        horizon = HORIZON if re.search(r"\b\d{4}\b", phrase) else YEARLESS_HORIZON
        if not _DATEISH.search(phrase) or not base.date() <= when.date() <= (base + horizon).date():
            continue
        start = offset + max(at, 0)
        lead = _LEAD.match(phrase)
        clean = _TAIL.sub("", phrase[lead.end() if lead else 0:]).strip(" ,")
        start += phrase.find(clean) if clean in phrase else 0
        return FoundDate(clean, when, _label(when, base), start, start + len(clean))
    return None


def _month_date(text: str, base: datetime) -> FoundDate | None:
    for match in _MONTH_ONLY.finditer(text):
        month = MONTHS.index(match.group("first")) + 1
        year = int(match.group("year") or base.year)
        if not match.group("year") and month < base.month:
            year += 1
        when = datetime(year, month, 1)
        if (when.year, when.month) < (base.year, base.month) or when > base + HORIZON:
            continue
        label = match.group("label") + (f" {year}" if year != base.year else "")
        return FoundDate(match.group("label"), when, label, match.start("label"), match.end())
    return None
