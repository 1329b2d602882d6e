"""Text hygiene for anything that came from outside (feeds, OPML, pages).

Control characters and bidi overrides are removed at ingest so nothing stored can move a terminal's
cursor, change its colours or reorder what the facilitator reads.
"""

from __future__ import annotations

import re
import unicodedata

# C0 (except tab/newline), DEL, C1, bidi embeddings/overrides/isolates, zero-width joiners kept out
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\ufff9-\ufffb]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def strip_controls(text: str | None) -> str:
    """Remove control and bidi-override characters; keep newlines and tabs."""
    if not text:
        return ""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str | None, limit: int | None = None) -> str:
    """Clean text collapsed to a single line (titles, names), optionally truncated with '…'."""
    cleaned = _SPACES.sub(" ", strip_controls(text).replace("\n", " ").replace("\t", " ")).strip()
    cleaned = unicodedata.normalize("NFC", cleaned)
    if limit is not None and len(cleaned) > limit:
        return cleaned[: max(0, limit - 1)].rstrip() + "…"
    return cleaned


def tidy_paragraphs(text: str | None) -> str:
    """Clean multi-line text: runs of spaces collapsed, at most one blank line between paragraphs."""
    cleaned = strip_controls(text)
    lines = [_SPACES.sub(" ", line).strip() for line in cleaned.split("\n")]
    joined = "\n".join(lines)
    return unicodedata.normalize("NFC", _BLANK_LINES.sub("\n\n", joined).strip())
