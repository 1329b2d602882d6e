"""Feed autodiscovery: given a feed URL or a blog homepage, find the feed to subscribe to.

Order of trust: the URL itself is a feed; else the page's `<link rel="alternate">` feeds (RSS, Atom,
JSON Feed; comment feeds last); else the common paths (/feed, /rss.xml, /atom.xml, /index.xml,
/feed.xml). Every candidate is fetched and sniffed before it is chosen, so a dead link is skipped.

All HTTP goes through curator.poll.fetch.Fetcher, the poller's client, so discovery shares its safety
rules (per-request deadline, bounded decompression, redirect cap and loop detection, 429/503 pause,
no cookies). Discovery adds: every redirect target must pass `subscribable_url` (no file:, no
link-local metadata service), and only the first MAX_BYTES of a page are kept, which is plenty to
find links or sniff a feed. `discover_feed` is the synchronous entry (CLI, TUI worker thread);
`discover` is the same work for a caller that already runs an event loop and a Fetcher.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from curator.errors import DiscoveryError, UnsafeUrlError
from curator.feeds.opml import subscribable_url
from curator.poll.address_guard import is_private, parse_ip
from curator.poll.fetch import PERMANENT, Fetcher, FetchRequest, FetchResult
from curator.poll.network import Network
from curator.poll.useragent import user_agent
from curator.text import one_line
from curator.urls import normalise_feed_url

USER_AGENT = user_agent("feed discovery")
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, text/html;q=0.9, "
          "*/*;q=0.8")
MAX_BYTES = 2 * 1024 * 1024
SCAN_CHUNK = 16 * 1024  # characters of a page handed to the link finder at a time
DEADLINE_S = 20.0  # whole-response wall clock, against servers that trickle bytes
COMMON_PATHS = ("feed", "rss.xml", "atom.xml", "index.xml", "feed.xml")
LINK_TYPES = {"application/atom+xml": "atom", "application/rss+xml": "rss",
              "application/rdf+xml": "rdf", "application/feed+json": "json",
              "application/json": "json", "text/xml": "rss", "application/xml": "rss"}
_RANK = {"atom": 0, "rss": 0, "rdf": 1, "json": 2}
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.S | re.I)
_CDATA = re.compile(r"^<!\[CDATA\[(.*)\]\]>$", re.S)


@dataclass(frozen=True)
class FeedCandidate:
    url: str
    kind: str  # rss | atom | rdf | json
    title: str | None = None
    source: str = "link"  # direct | link | path


@dataclass(frozen=True)
class DiscoveryResult:
    url: str
    kind: str
    title: str | None = None
    html_url: str | None = None
    alternatives: list[FeedCandidate] = field(default_factory=list)


@dataclass(frozen=True)
class _Page:
    url: str  # URL to keep: the one asked for, moved only by permanent (301/308) redirects
    location: str  # where the body really came from, the base for its relative links
    status: int
    content_type: str
    body: bytes
    private: bool = False  # served from a private address: its links may point there too


def make_fetcher(timeout: float = 10.0, deadline: float = DEADLINE_S,
                 network: Network | None = None) -> Fetcher:
    """A Fetcher for discovery; create it inside the event loop that will use it."""
    return Fetcher(concurrency=1, per_host=1, max_body=MAX_BYTES, deadline=deadline,
                   connect_timeout=min(timeout, 5.0), read_timeout=timeout, accept=ACCEPT,
                   agent=USER_AGENT, url_guard=_refusal, truncate=True, network=network)


def _refusal(url: str) -> str | None:
    """Why a redirect target may not be requested, or None (Fetcher's url_guard)."""
    try:
        subscribable_url(url)
    except UnsafeUrlError as exc:
        return str(exc)
    return None


def _page(url: str, result: FetchResult) -> _Page:
    """A fetched page, or DiscoveryError with one line saying what went wrong for `url`."""
    if result.status is None or result.error:
        if result.error_kind == "timeout":
            raise DiscoveryError(f"{url}: timed out")
        if result.error_kind == "network":
            raise DiscoveryError(f"{url}: cannot fetch ({one_line(result.error or '', 160)})")
        raise DiscoveryError(f"{url}: {one_line(result.error or 'no answer', 240)}")
    kept = url
    for status, target in zip(result.hops, result.hop_urls, strict=True):
        if status not in PERMANENT:
            break
        kept = target
    ctype = result.headers.get("content-type", "").split(";")[0].strip().lower()
    peer = parse_ip(result.peer) if result.peer else None
    return _Page(kept, result.final_url, result.status, ctype, result.body or b"",
                 peer is not None and is_private(peer))


async def fetch(fetcher: Fetcher, url: str, trust_private: bool = True) -> _Page:
    """GET `url` (refused unless subscribable) through the Fetcher; trouble is DiscoveryError.

    `trust_private`: the user typed this URL (an intranet blog is fine); a link found in a
    page may reach a private address only when that page came from one.
    """
    url = subscribable_url(url)
    return _page(url, await fetcher.fetch(FetchRequest(url, trust_private=trust_private)))


def sniff(body: bytes, content_type: str = "") -> str | None:
    """The feed format of a body (rss/atom/rdf/json) or None when it is not a feed."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") or "json" in content_type:
        try:
            data = json.loads(body.decode("utf-8", errors="replace"))
        except ValueError:
            return None
        version = data.get("version", "") if isinstance(data, dict) else ""
        return "json" if isinstance(version, str) and "jsonfeed.org" in version else None
    text = head.lower()
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>", b"", text, flags=re.S).lstrip()
    if text.startswith((b"<rss", b"<rdf:rdf", b"<rdf")):
        return "rdf" if text.startswith(b"<rdf") else "rss"
    if re.match(rb"<(?:\w+:)?feed[\s>]", text):
        return "atom"
    return None


def page_title(body: bytes, kind: str | None = None) -> str | None:
    if kind == "json":
        try:
            value = json.loads(body.decode("utf-8", errors="replace")).get("title")
        except (ValueError, AttributeError):
            return None
        return one_line(value, 200) or None if isinstance(value, str) else None
    match = _TITLE.search(body[:65536])
    if not match:
        return None
    text = match.group(1).decode("utf-8", errors="replace").strip()
    text = _CDATA.sub(r"\1", text)
    return one_line(html.unescape(text), 200) or None


class _LinkFinder(HTMLParser):
    """Collects `<base>` and `<link rel="alternate">` up to the end of the head.

    Feed links belong in `<head>`; once `</head>` or `<body>` is seen, `done` is set and nothing
    after counts (HTMLParser costs about a millisecond per KiB of tag-heavy markup, so a 2 MiB
    homepage took seconds). Script and comment text cannot end the head early: HTMLParser reads
    them as text. A page with neither tag is read to its end.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str, str | None]] = []  # href, kind, title
        self.done = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.done = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done or tag == "body":
            self.done = True
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        if tag != "link" or "alternate" not in values.get("rel", "").lower().split():
            return
        kind = LINK_TYPES.get(values.get("type", "").split(";")[0].strip().lower())
        if kind and values.get("href", "").strip():
            self.links.append((values["href"].strip(), kind, values.get("title") or None))


def feed_links(body: bytes, page_url: str) -> list[FeedCandidate]:
    """`<link rel="alternate">` feeds of an HTML page, best first (comment feeds last)."""
    finder = _LinkFinder()
    text = body.decode("utf-8", errors="replace")
    try:
        for start in range(0, len(text), SCAN_CHUNK):  # small pieces: stop soon after the head
            finder.feed(text[start:start + SCAN_CHUNK])
            if finder.done:
                break
        else:
            finder.close()
    except (AssertionError, ValueError):  # HTMLParser on pathological markup
        pass
    base = urljoin(page_url, finder.base) if finder.base else page_url
    found: dict[str, FeedCandidate] = {}
    for href, kind, title in finder.links:
        try:
            url = subscribable_url(urljoin(base, href))
        except (UnsafeUrlError, ValueError):
            continue
        found.setdefault(normalise_feed_url(url), FeedCandidate(url, kind, title, "link"))

    def rank(item: tuple[int, FeedCandidate]) -> tuple[int, int, int]:
        index, cand = item
        comments = "comment" in f"{cand.url} {cand.title or ''}".lower()
        return (int(comments), _RANK.get(cand.kind, 3), index)

    return [c for _, c in sorted(enumerate(found.values()), key=rank)]


def _path_candidates(page_url: str) -> list[str]:
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}/"
    folder = page_url.split("?")[0].split("#")[0]
    folder = folder if folder.endswith("/") else folder.rsplit("/", 1)[0] + "/"
    bases = [folder, root] if folder != root else [root]
    urls: list[str] = []
    for base in bases:
        for path in COMMON_PATHS:
            if (candidate := urljoin(base, path)) not in urls:
                urls.append(candidate)
    return urls


async def _try_feed(fetcher: Fetcher, url: str, trust_private: bool
                    ) -> tuple[_Page, str] | None:
    try:
        page = await fetch(fetcher, url, trust_private)
    except (DiscoveryError, UnsafeUrlError):
        return None
    kind = sniff(page.body, page.content_type) if page.status < 400 else None
    return (page, kind) if kind else None


def discover_feed(url: str, *, timeout: float = 10.0,
                  network: Network | None = None) -> DiscoveryResult:
    """Return the feed to subscribe to for `url`; raise DiscoveryError when there is none.

    Synchronous: runs `discover` on a fresh event loop with its own Fetcher, so call it from a
    plain thread (the CLI, a TUI thread worker), never from inside a running event loop.
    """
    url = subscribable_url(url)

    async def run() -> DiscoveryResult:
        async with make_fetcher(timeout, network=network) as fetcher:
            return await discover(url, fetcher)

    return asyncio.run(run())


async def discover(url: str, fetcher: Fetcher) -> DiscoveryResult:
    """`discover_feed` for async callers: every request goes through `fetcher`."""
    url = subscribable_url(url)
    page = await fetch(fetcher, url)
    if page.status >= 400:
        raise DiscoveryError(f"{url}: the server answered HTTP {page.status}")
    kind = sniff(page.body, page.content_type)
    if kind:
        return DiscoveryResult(page.url, kind, page_title(page.body, kind))
    if not page.body.strip():
        raise DiscoveryError(f"{url}: empty response, not a feed or a web page")
    links = feed_links(page.body, page.location)
    home_title = page_title(page.body)
    for index, candidate in enumerate(links):
        hit = await _try_feed(fetcher, candidate.url, page.private)
        if hit:
            feed_page, feed_kind = hit
            return DiscoveryResult(feed_page.url, feed_kind,
                                   page_title(feed_page.body, feed_kind) or candidate.title
                                   or home_title, page.url, links[:index] + links[index + 1:])
    for candidate_url in _path_candidates(page.url):
        hit = await _try_feed(fetcher, candidate_url, page.private)
        if hit:
            feed_page, feed_kind = hit
            return DiscoveryResult(feed_page.url, feed_kind,
                                   page_title(feed_page.body, feed_kind) or home_title,
                                   page.url, links)
    tried = ", ".join("/" + p for p in COMMON_PATHS)
    if fetcher.paused_hosts:
        raise DiscoveryError(f"no feed found at {url} yet: a server asked us to wait "
                             "(HTTP 429/503) before every candidate could be checked; "
                             "try again later")
    detail = "its feed links do not work" if links else "the page links no RSS/Atom/JSON feed"
    raise DiscoveryError(f"no feed found at {url}: {detail} and none of {tried} is a feed")
