"""Links inside a section's free text: `[Sign up here](https://…)` and bare http(s) URLs.

One reader of free text for everyone who needs its links: the exports render them (a link in md
and html, "words (url)" in plain text) and the link check requests them before publishing.
Anything that is not an http(s) link stays plain text, brackets and all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curator.urls import safe_link

# [words](url) with optional <angle brackets> around the url and an optional "title" after it;
# a bare URL ends before whitespace, quotes, angle or square brackets
_MD_LINK = re.compile(r"\[(?P<label>[^\[\]\n]+)\]\(\s*<?(?P<url>[^\s()<>]+(?:\([^\s()<>]*\))?"
                      r"[^\s()<>]*)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_BARE = re.compile(r"https?://[^\s<>\"'\]\[]+", re.I)
_TRAILING = ".,;:!?)"


@dataclass(frozen=True)
class Piece:
    """A run of free text: `url` set means `text` is a link's words."""

    text: str
    url: str | None = None


def pieces(text: str) -> list[Piece]:
    """Split free text into plain runs and links, in order."""
    out: list[Piece] = []
    last = 0
    for match in _MD_LINK.finditer(text):
        url = safe_link(match.group("url"))
        if url is None:
            continue  # not a web link: the brackets stay as typed
        out.extend(_bare_pieces(text[last:match.start()]))
        out.append(Piece(match.group("label"), url))
        last = match.end()
    out.extend(_bare_pieces(text[last:]))
    return [p for p in out if p.text]


def _bare_pieces(text: str) -> list[Piece]:
    """Bare http(s) URLs become links to themselves; trailing punctuation stays outside."""
    out: list[Piece] = []
    last = 0
    for match in _BARE.finditer(text):
        raw = match.group(0)
        url = raw.rstrip(_TRAILING)
        if raw.endswith(")") and "(" in url:  # a URL with its own brackets (Wikipedia)
            url += ")"
        if safe_link(url) is None:
            continue
        out.append(Piece(text[last:match.start()]))
        out.append(Piece(url, url))
        last = match.start() + len(url)
    out.append(Piece(text[last:]))
    return out


def links_in(text: str | None) -> list[str]:
    """Every http(s) link in the text, in order, each once."""
    return list(dict.fromkeys(p.url for p in pieces(text or "") if p.url))
