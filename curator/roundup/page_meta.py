"""What a web page says about itself: title, author and site, for a link added by hand.

Read in the order publishers fill them in: Open Graph (`og:title`, `og:site_name`,
`article:author`), Twitter cards (`twitter:title`, `twitter:creator`), JSON-LD (`headline`,
`author.name`, `publisher.name`, also inside `@graph`), `<meta name="author">`, and last the
`<title>`, with a trailing " | Site name" taken off when the site is known. Pure: bytes in,
values out; the fetching is the caller's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from curator.text import one_line

MAX_FIELD = 300
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)
_TITLE_SEPARATORS = (" | ", " \u2013 ", " \u2014 ", " - ", " :: ", " \u00b7 ")


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    author: str | None = None
    site: str | None = None
    found: tuple[str, ...] = ()  # where each value came from ("og:title", "<title>", …)


class _Collector(HTMLParser):
    """Meta tags, JSON-LD blocks and the first <title>, up to the end of <head> (or the body's
    first few tags when a page has no head)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.ld: list[str] = []
        self.title: str | None = None
        self._in: str | None = None  # "title" or "ld" while inside one
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values:
                self.meta.setdefault(key, values["content"])
        elif tag == "title" and self.title is None:
            self._in, self._text = "title", []
        elif tag == "script" and "ld+json" in values.get("type", "").lower():
            self._in, self._text = "ld", []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._in == "title" and tag == "title":
            self.title = "".join(self._text)
            self._in = None
        elif self._in == "ld" and tag == "script":
            self.ld.append("".join(self._text))
            self._in = None


def decode(body: bytes, content_type: str = "") -> str:
    """The page as text: the charset the server named, else the page's <meta charset>, else
    UTF-8 (bytes that do not decode become U+FFFD)."""
    match = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    charset = match.group(1) if match else None
    if charset is None:
        found = _CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii") if found else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _ld_objects(blocks: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue  # broken JSON-LD is common: the other sources still count
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                out.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return out


def _name(value: Any) -> str | None:
    """A JSON-LD person or organisation: a string, {"name": …}, or a list of those."""
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names[:3]) or None
    if isinstance(value, dict):
        value = value.get("name")
    return _clean(value) if isinstance(value, str) else None


def _clean(value: str | None) -> str | None:
    text = one_line(value, MAX_FIELD)
    if not text or text.lower().startswith(("http://", "https://")):
        return None  # article:author is often a profile URL, not a name
    return text


def _strip_site(title: str, site: str | None) -> str:
    """"How we ran it | Preston Council" -> "How we ran it" when the site is known."""
    if not site:
        return title
    for sep in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if found and head and tail.strip().casefold() == site.casefold():
            return head.strip()
    return title


def read_page(body: bytes, content_type: str = "") -> PageMeta:
    """Title, author and site of an HTML page; each None when the page does not say."""
    parser = _Collector()
    try:
        parser.feed(decode(body, content_type))
        parser.close()
    except (AssertionError, ValueError):  # html.parser on badly broken markup
        pass
    meta, found = parser.meta, []
    articles = [o for o in _ld_objects(parser.ld) if o.get("headline") or o.get("author")]
    ld = articles[0] if articles else {}
    sites = [o for o in _ld_objects(parser.ld) if o.get("@type") in ("WebSite", "Organization")]

    def first(*candidates: tuple[str, str | None]) -> str | None:
        for source, value in candidates:
            clean = _clean(value)
            if clean:
                found.append(source)
                return clean
        return None

    site = first(("og:site_name", meta.get("og:site_name")),
                 ("JSON-LD publisher", _name(ld.get("publisher"))),
                 ("JSON-LD site", _name(sites[0]) if sites else None),
                 ("application-name", meta.get("application-name")))
    title = first(("og:title", meta.get("og:title")),
                  ("twitter:title", meta.get("twitter:title")),
                  ("JSON-LD headline", ld.get("headline") if isinstance(ld.get("headline"), str)
                   else None),
                  ("<title>", _strip_site(one_line(parser.title), site) if parser.title else None))
    author = first(("JSON-LD author", _name(ld.get("author"))),
                   ("author", meta.get("author")),
                   ("article:author", meta.get("article:author")),
                   ("twitter:creator", meta.get("twitter:creator")))
    return PageMeta(_strip_site(title, site) if title else None, author, site, tuple(found))
