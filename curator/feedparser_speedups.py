"""Making feedparser faster without changing its answers (tests compare both on the whole corpus).

1. A SAX driver for feedparser's strict parser: the standard expat reader with text buffering on.
Why: expat reports character data in small pieces (every `&lt;` in an escaped HTML description ends
one), and feedparser does a dictionary lookup and a list append per piece. With expat's
`buffer_text` the pieces arrive joined, which makes feedparser about a third faster on typical
feeds. Expat flushes the buffer before every other event, so the handler sees exactly the same text
in the same order: the parse result is identical (tests compare both on the whole corpus).

`xml.sax.make_parser` takes a list of driver module names; `install()` puts this module first in
feedparser's `PREFERRED_XML_PARSERS`. Entity handling is unchanged (the body was already checked for
entity declarations, and feedparser still switches off external entities).

2. Memoised base-URI resolution. For every start tag feedparser re-resolves the element's base URI
against the current one (`make_safe_absolute_uri`: a urljoin plus a scheme check), nearly always with
the same two strings; that was a quarter of its time. The function is pure (strings in, string out),
so a small LRU cache in front of it returns the same answers.
"""

from __future__ import annotations

import functools
from typing import Any
from xml.sax.expatreader import ExpatParser

DRIVER = __name__
BUFFER_SIZE = 64 * 1024


class BufferedExpatParser(ExpatParser):
    """The stock expat SAX reader, with adjacent character data delivered in one callback."""

    def reset(self) -> None:
        super().reset()
        expat = self._parser  # type: ignore[attr-defined]  # set by ExpatParser.reset
        expat.buffer_text = True
        expat.buffer_size = BUFFER_SIZE


def create_parser(*args: object, **kwargs: object) -> BufferedExpatParser:
    """The entry point `xml.sax.make_parser` looks for in a driver module."""
    return BufferedExpatParser(*args, **kwargs)  # type: ignore[arg-type]


def install() -> None:
    """Make feedparser use both speed-ups (idempotent)."""
    import feedparser.api
    import feedparser.mixin

    preferred = feedparser.api.PREFERRED_XML_PARSERS
    if DRIVER not in preferred:
        preferred.insert(0, DRIVER)
    current = getattr(feedparser.mixin, "make_safe_absolute_uri", None)
    if current is not None and not hasattr(current, "cache_info"):
        _ORIGINAL["make_safe_absolute_uri"] = current
        feedparser.mixin.make_safe_absolute_uri = functools.lru_cache(maxsize=4096)(current)


def uninstall() -> None:
    """Back to feedparser as shipped (the tests compare both)."""
    import feedparser.api
    import feedparser.mixin

    preferred = feedparser.api.PREFERRED_XML_PARSERS
    while DRIVER in preferred:
        preferred.remove(DRIVER)
    if "make_safe_absolute_uri" in _ORIGINAL:
        feedparser.mixin.make_safe_absolute_uri = _ORIGINAL.pop("make_safe_absolute_uri")


_ORIGINAL: dict[str, Any] = {}
