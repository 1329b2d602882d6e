"""A post title as it reads inside the roundup's sentences.

"Dave Briggs writes about how we ran a consultation", not "… writes about How We Ran A
Consultation". A capital is lowered only when the word is known to be an ordinary word: it is in the
small bundled list of common English words (or is one with an ending such as -s, -ing, -ed), or the
post's own text uses it in lower case. Evidence wins over the list: a word the post's text only
ever writes with a capital mid-sentence ("Reading", "Bath") keeps it. Acronyms (NHS, GOV.UK),
mixed case (iPhone, LocalGovCamp), "I" and words with digits are never touched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n])[\s\"'\u201c\u2018(]*$")  # before a word
_KEEP = {"i", "i'm", "i've", "i'd", "i'll", "i\u2019m", "i\u2019ve", "i\u2019d", "i\u2019ll"}
_ENDINGS = ("'s", "\u2019s", "ies", "es", "s", "ing", "ed", "d", "ly", "er", "ers")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The bundled list (one lower-case word per line; `#` starts a comment)."""
    text = (Path(__file__).resolve().parent / "common_words.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() for w in line.split("#", 1)[0].split())


def is_common(lower: str) -> bool:
    """An ordinary word (by the list, allowing usual endings): "leaders", "long-term"."""
    words = common_words()
    if lower in words:
        return True
    if "-" in lower:  # "Long-term" is common when each part is
        return all(is_common(part) for part in lower.split("-") if part)
    for ending in _ENDINGS:
        stem = lower.removesuffix(ending)
        if stem == lower or len(stem) < 3:
            continue
        doubled = stem[:-1] if stem[-1] == stem[-2] else stem  # mapping -> map
        if stem in words or stem + "e" in words or doubled in words:
            return True
    return False


class Evidence:
    """How the post's own text writes its words: lower case somewhere, or capitalised only where
    a sentence does not start (a name)."""

    def __init__(self, text: str | None) -> None:
        self.lower: set[str] = set()
        self.capital: set[str] = set()
        body = text or ""
        for match in _WORD.finditer(body):
            word = match.group(0)
            if word.islower():
                self.lower.add(word)
            elif word[0].isupper() and not _SENTENCE_START.search(
                    body[max(0, match.start() - 6):match.start()]):
                self.capital.add(word.lower())


def _shape_allows(word: str) -> bool:
    """Only "Word" shapes may be lowered: not NHS, iPhone, LocalGovCamp, O'Neil or I."""
    core = word.replace("'", "").replace("\u2019", "").replace("-", "")
    if (len(core) < 2 and word != "A") or not core.isalpha() or word.lower() in _KEEP:
        return False
    head, tail = word[0], word[1:]
    if not head.isupper() or any(c.isupper() for c in tail):
        return False
    return not re.match(r"(?:Mc|Mac|O'|O\u2019)[A-Z]", word)


def _lowerable(word: str, evidence: Evidence) -> bool:
    if not _shape_allows(word):
        return False
    lower = word.lower()
    if lower in evidence.lower:
        return True
    if lower in evidence.capital:
        return False
    return is_common(lower)


def _is_title_case(words: list[re.Match[str]]) -> bool:
    """Most longer words capitalised: a headline style, to be put in sentence case."""
    long = [m.group(0) for m in words[1:] if len(m.group(0)) > 1]
    return len(long) >= 2 and sum(w[0].isupper() for w in long) >= 0.75 * len(long)


def in_sentence(title: str, context: str | None = None, at_start: bool = False) -> str:
    """The title as it reads inside a sentence (or opening one, with `at_start`): a headline's
    capitals lowered where the words are ordinary; a sentence-style title keeps all but its first
    word, which is lowered too unless it opens the blurb."""
    words = list(_WORD.finditer(title))
    if not words or title.isupper():
        return title
    evidence = Evidence(context)
    headline = _is_title_case(words)
    targets = words if headline else words[:1]
    lowered = {m.start() for m in targets if _lowerable(m.group(0), evidence)}
    second = words[1].group(0) if len(words) > 1 else ""
    if not headline and second[:1].isupper() and second.lower() not in _KEEP \
            and not _lowerable(second, evidence):
        lowered.clear()  # "Reading Borough Council …": the first word starts a name
    if at_start:
        lowered.discard(words[0].start())
    out, last = [], 0
    for match in words:
        if match.start() in lowered:
            out.append(title[last:match.start()] + match.group(0).lower())
            last = match.end()
    out.append(title[last:])
    return "".join(out)
