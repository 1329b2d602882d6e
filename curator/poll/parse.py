"""Turning fetched bytes into clean, plain entries (RSS/Atom via feedparser, JSON Feed by hand).

Runs in worker processes for big batches, so everything here is a pure function of
(body, headers, url) returning picklable dataclasses. Safety rules:
- feedparser only ever sees bytes (a BytesIO), never a URL or path, so it cannot fetch or open files;
- a body declaring XML entities is refused before feedparser sees it (its lenient fallback parser
  expands entities without any amplification limit);
- feedparser's own sanitiser and relative-URI pass are off (slow, and we keep no HTML): text is
  made with nh3 (a native sanitiser) and then flattened to plain text without control characters.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
import nh3

from curator.errors import FeedDataError
from curator.poll import feedparser_speedups
from curator.text import one_line, strip_controls, tidy_paragraphs
from curator.types import ParsedEntry
from curator.urls import author_link, canonical_link

TITLE_LIMIT = 400
SUMMARY_LIMIT = 1200
HTML_BUDGET = 16 * SUMMARY_LIMIT  # characters of an entry's HTML turned into text
MAX_ENTRIES = 1000
_ENTITY_MARKERS = (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"),
                   "<!ENTITY".encode("utf-32-le"), "<!ENTITY".encode("utf-32-be"))
_BLOCK_TAGS = {"p", "br", "li", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
               "tr", "ul", "ol", "table", "section", "article", "hr"}
_BLOCK = re.compile(r"<\s*(?:br|hr)\s*/?\s*>|<\s*/?\s*(?:p|li|div|h[1-6]|blockquote|pre|tr|ul|ol|"
                    r"table|section|article)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE_RUN = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200b\u3000]")
_PARAGRAPH_GAP = re.compile(r"\n{2,}")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_FEED_ROOT = re.compile(rb"<(?:\w+:)?(?:rss|feed|RDF)\b")
feedparser_speedups.install()  # same results, about 40% faster


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: list[ParsedEntry]
    ttl_minutes: int | None = None
    warning: str | None = None  # what was wrong with a bozo feed we still used
    kind: str = "rss"  # rss | atom | rdf | json
    dropped: int = 0  # entries beyond MAX_ENTRIES left out (the oldest ones)

    @property
    def note(self) -> str | None:
        """What the feed's status should say about this parse, if anything."""
        notes = []
        if self.warning:
            notes.append(f"ill-formed feed, used what was readable: {self.warning}")
        if self.dropped:
            notes.append(f"{len(self.entries) + self.dropped} entries in the feed: kept the "
                         f"newest {len(self.entries)}")
        return "; ".join(notes) or None


def html_to_text(value: str | None) -> str:
    """HTML fragment -> readable plain text (paragraphs kept, scripts/styles dropped)."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return tidy_paragraphs(value)
    if len(value) > HTML_BUDGET:  # only the start becomes the summary: don't clean a whole book
        value = value[:HTML_BUDGET]
    cleaned = nh3.clean(value, tags=_BLOCK_TAGS, attributes={}, clean_content_tags={"script", "style"},
                        strip_comments=True, link_rel=None)
    # nh3 kept only block tags, without attributes, and escaped every other "<": each tag left
    # is a paragraph break
    text = strip_controls(html.unescape(_TAG.sub("\n", cleaned)))
    # whole-text passes, each skipped when there is nothing to do: this runs for every entry of
    # every feed, and a regex substitution visits every single space even when it changes nothing
    if "  " in text or ("\t" in text if text.isascii() else _ODD_SPACE.search(text)):
        text = _SPACE_RUN.sub(" ", text)
    text = text.replace(" \n", "\n").replace("\n ", "\n")  # spaces are single by now
    if "\n\n\n" in text:
        text = _PARAGRAPH_GAP.sub("\n\n", text)
    return unicodedata.normalize("NFC", text.strip())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def content_hash(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join("" if p is None else str(p) for p in parts).encode(),
                           digest_size=12).hexdigest()


def check_body(body: bytes, content_type: str) -> None:
    """Refuse entity declarations and HTML pages before any parser sees the body."""
    if any(marker in body for marker in _ENTITY_MARKERS) or b"<!entity" in body[:65536].lower():
        raise FeedDataError("the feed declares XML entities; refused (possible entity-expansion "
                            "attack)")
    head = body[:4096]
    looks_html = _HTML_START.match(head) or b"<html" in head.lower()
    if looks_html and not _FEED_ROOT.search(head):
        raise FeedDataError("got an HTML page, not a feed (login page, captive portal or moved "
                                "blog?)")


def _feedparser(body: bytes, response_headers: dict[str, str]) -> Any:
    return feedparser.parse(io.BytesIO(body), response_headers=response_headers,
                            sanitize_html=False, resolve_relative_uris=False)


_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]+|[0-9]+);")


def _mend_charrefs(body: bytes) -> tuple[bytes, int]:
    """Numeric character references that name no character become U+FFFD; how many did."""
    count = 0

    def mend(match: re.Match[bytes]) -> bytes:
        nonlocal count
        text = match.group(1)
        code = int(text[1:], 16) if text[:1] in b"xX" else int(text)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            count += 1
            return b"&#xFFFD;"
        return match.group(0)

    return _CHARREF.sub(mend, body), count


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"'):
            return value.strip().strip('"').lower()
    return None


def _problem(result: Any) -> str:
    problem = result.get("bozo_exception")
    return one_line(f"{type(problem).__name__}: {problem}", 200) if problem else "ill-formed"


def parse_feed(body: bytes, headers: dict[str, str], url: str) -> ParsedFeed:
    """Parse one fetched body; raise FeedDataError with a one-line reason when unusable."""
    if not body or not body.strip():
        raise FeedDataError("empty response body")
    content_type = headers.get("content-type", "")
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"[") or "json" in content_type.lower():
        return parse_json_feed(body, url)
    check_body(body, content_type)
    response_headers = {"content-location": url, "content-type": content_type or "application/xml"}
    if "content-language" in headers:
        response_headers["content-language"] = headers["content-language"]
    repaired = 0
    try:
        result = _feedparser(body, response_headers)
    except ValueError:
        # a character reference beyond Unicode (&#x110000;, a surrogate, &#0;) makes feedparser's
        # loose parser call chr() and lose the whole feed: mend those references, parse again
        body, repaired = _mend_charrefs(body)
        if not repaired:
            raise FeedDataError("unparseable feed (ValueError)") from None
        try:
            result = _feedparser(body, response_headers)
        except Exception as exc:  # noqa: BLE001
            raise FeedDataError(f"unparseable feed ({type(exc).__name__})") from None
    except Exception as exc:  # feedparser's loose path can raise almost anything
        raise FeedDataError(f"unparseable feed ({type(exc).__name__})") from None
    entries = result.get("entries") or []
    relabelled = None
    declared = _charset(content_type)
    if not entries and result.get("bozo") and declared:
        # a server that labels a UTF-8 feed "charset=utf-16" (or any wrong charset) makes the
        # parse fail with an XML error that never names the charset: let the body speak for
        # itself (XML declaration, BOM) and say what happened
        response_headers["content-type"] = content_type.split(";")[0].strip() or "application/xml"
        with contextlib.suppress(Exception):
            retried = _feedparser(body, response_headers)
            if retried.get("entries"):
                result, entries = retried, retried["entries"]
                relabelled = (f"the server labelled the feed charset={declared}, but it is "
                              f"{retried.get('encoding') or 'not'}; read as such")
        if relabelled is None:
            raise FeedDataError(f"unreadable as charset={declared}, the charset the server "
                                f"named ({_problem(result)})")
    version = result.get("version") or ""
    warning = relabelled
    if result.get("bozo") and relabelled is None:
        warning = _problem(result)
    if repaired:
        warning = (f"{repaired} character reference{'s' if repaired > 1 else ''} outside "
                   "Unicode shown as \ufffd") + (f"; {warning}" if warning else "")
    if not entries and not version:
        raise FeedDataError(f"not a feed{': ' + warning if warning else ''}")
    meta = result.get("feed") or {}
    base = meta.get("link") or url
    ttl = None
    ttl_text = str(meta.get("ttl") or "").strip()
    if ttl_text.isdigit():
        ttl = int(ttl_text)
    kind = "atom" if version.startswith("atom") else "rdf" if version.startswith("rss1") else "rss"
    kept = newest(entries, lambda e: e.get("published_parsed") or e.get("updated_parsed"))
    out = [_entry(e, url, base) for e in kept]
    return ParsedFeed(title=one_line(html_to_text(meta.get("title")), TITLE_LIMIT) or None,
                      link=canonical_link(meta.get("link"), url), entries=out, ttl_minutes=ttl,
                      warning=warning, kind=kind, dropped=len(entries) - len(kept))


def newest(items: list[Any], date_of: Callable[[Any], Any]) -> list[Any]:
    """At most MAX_ENTRIES items: all of them, or the newest by date in document order.

    A feed listing oldest first with more than the cap must still give its latest posts; items
    without a date count as oldest.
    """
    if len(items) <= MAX_ENTRIES:
        return items
    dated = [(date_of(item), index) for index, item in enumerate(items)]
    order = sorted(range(len(items)), key=lambda i: (dated[i][0] is not None,
                                                     dated[i][0] or (), -i), reverse=True)
    keep = sorted(order[:MAX_ENTRIES])
    return [items[i] for i in keep]


def _struct_dt(value: object) -> datetime | None:
    try:
        if value:
            return datetime(*value[:6], tzinfo=UTC)  # type: ignore[index,misc]
    except (TypeError, ValueError, OverflowError):
        pass
    return None


def _own_link(raw: str | None, canonical: str | None, base: str) -> str | None:
    """The author's link when the canonical form changed it, else None (stored once)."""
    if not raw or canonical is None or raw == canonical:
        return None
    own = author_link(raw, base)
    return own if own != canonical else None


def _entry(e: dict, url: str, base: str) -> ParsedEntry:  # type: ignore[type-arg]
    title_raw = e.get("title") or ""
    detail = e.get("title_detail") or {}
    title = one_line(html_to_text(title_raw) if "html" in str(detail.get("type", "")) or "<" in
                     title_raw else title_raw, TITLE_LIMIT)
    body = ""
    content = e.get("content")
    if content:
        body = content[0].get("value") or ""
    if not body:
        body = e.get("summary") or e.get("description") or ""
    summary = _clip(html_to_text(body), SUMMARY_LIMIT)
    raw_link = e.get("link")
    link = canonical_link(raw_link, base) or canonical_link(raw_link, url)
    guid = one_line(e.get("id") or "", 1000) or None
    published = _struct_dt(e.get("published_parsed")) or _struct_dt(e.get("updated_parsed"))
    updated = _struct_dt(e.get("updated_parsed"))
    author = one_line(e.get("author") or "", 200) or None
    tags = []
    for tag in e.get("tags") or []:
        term = one_line((tag.get("label") or tag.get("term") or ""), 80)
        if term and term not in tags:
            tags.append(term)
    return ParsedEntry(guid=guid, link=link, title=title, author=author, published=published,
                       updated=updated, summary=summary, tags=tags[:30],
                       content_hash=content_hash(title, summary, link, updated),
                       url=_own_link(raw_link, link, base))


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (feedparser 6 has no JSON support)."""
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        raise FeedDataError("invalid JSON (not a JSON Feed)") from None
    if not isinstance(data, dict) or "jsonfeed.org/version" not in _text(data.get("version")):
        raise FeedDataError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedDataError("JSON Feed has no items list")
    base = _text(data.get("home_page_url")) or url
    feed_authors = _authors(data)
    entries = []
    objects = [item for item in items if isinstance(item, dict)]
    kept = newest(objects, lambda item: _iso(item.get("date_published"))
                  or _iso(item.get("date_modified")))
    for item in kept:
        raw_title = _text(item.get("title"))
        title = one_line(html_to_text(raw_title) if "<" in raw_title else raw_title, TITLE_LIMIT)
        item_html = _text(item.get("content_html"))
        summary = html_to_text(item_html) if item_html else tidy_paragraphs(
            _text(item.get("content_text")) or _text(item.get("summary")))
        summary = _clip(summary, SUMMARY_LIMIT)
        raw_link = _text(item.get("url")) or _text(item.get("external_url"))
        link = canonical_link(raw_link, base)
        ident = item.get("id")
        guid = one_line(str(ident), 1000) if isinstance(ident, str | int) and ident != "" else None
        published = _iso(item.get("date_published")) or _iso(item.get("date_modified"))
        updated = _iso(item.get("date_modified"))
        authors = _authors(item) or feed_authors
        tags = [one_line(t, 80) for t in item.get("tags") or [] if isinstance(t, str)]
        tags = [t for t in dict.fromkeys(tags) if t][:30]
        entries.append(ParsedEntry(guid=guid, link=link, title=title,
                                   author=one_line(authors, 200) or None, published=published,
                                   updated=updated, summary=summary, tags=tags,
                                   content_hash=content_hash(title, summary, link, updated),
                                   url=_own_link(raw_link, link, base)))
    return ParsedFeed(title=one_line(_text(data.get("title")), TITLE_LIMIT) or None,
                      link=canonical_link(_text(data.get("home_page_url")), url), entries=entries,
                      kind="json", dropped=len(objects) - len(kept))


def _authors(obj: dict) -> str:  # type: ignore[type-arg]
    names = []
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [_text(a.get("name")) for a in authors if isinstance(a, dict)]
    author = obj.get("author")
    if isinstance(author, dict):
        names.append(_text(author.get("name")))
    return ", ".join(n for n in names if n)


@dataclass(frozen=True)
class ParseOutcome:
    """Picklable result of `parse_safely`: a feed or a one-line error."""

    feed: ParsedFeed | None
    error: str | None


def parse_safely(body: bytes, headers: dict[str, str], url: str) -> ParseOutcome:
    """Never raises: the worker-pool entry point."""
    try:
        return ParseOutcome(parse_feed(body, headers, url), None)
    except FeedDataError as exc:
        return ParseOutcome(None, str(exc))
    except (MemoryError, RecursionError) as exc:
        return ParseOutcome(None, f"feed too complex to parse ({type(exc).__name__})")
    except Exception as exc:  # a parser bug must not stop the run
        return ParseOutcome(None, f"unparseable feed ({type(exc).__name__}: {exc})"[:300])
