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


# the ASCII part of _CONTROL, for bytes.translate (a C loop; the regex costs ~4x more per text)
_ASCII_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def strip_controls(text: str | None) -> str:
    """Remove control and bidi-override characters; keep newlines and tabs."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_CONTROL).decode("ascii")
    return _CONTROL.sub("", text)


def one_line(text: str | None, limit: int | None = None) -> str:
    """Clean text collapsed to a single line (titles, names), optionally truncated with '…'."""
    if text and text.isascii() and text.isprintable() and "  " not in text:
        cleaned = text.strip()  # the common case: nothing below would change anything else
    else:
        cleaned = _SPACES.sub(" ", strip_controls(text).replace("\n", " ").replace("\t", " "))
        cleaned = unicodedata.normalize("NFC", cleaned.strip())
    if limit is not None and len(cleaned) > limit:
        return cleaned[: max(0, limit - 1)].rstrip() + "…"
    return cleaned


def tidy_paragraphs(text: str | None) -> str:
    """Clean multi-line text: runs of spaces collapsed, at most one blank line between paragraphs."""
    cleaned = strip_controls(text)
    lines = [_SPACES.sub(" ", line).strip() for line in cleaned.split("\n")]
    joined = "\n".join(lines)
    return unicodedata.normalize("NFC", _BLANK_LINES.sub("\n\n", joined).strip())
