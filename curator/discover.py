"""Feed autodiscovery: given a feed URL or a blog homepage, find the feed to subscribe to.

Order of trust: the URL itself is a feed; else the page's `<link rel="alternate">` feeds (RSS, Atom,
JSON Feed; comment feeds last); else the common paths (/feed, /rss.xml, /atom.xml, /index.xml,
/feed.xml). Every candidate is fetched and sniffed before it is chosen, so a dead link is skipped.
Synchronous httpx with timeouts, a redirect cap and a size cap: the TUI runs it in a worker thread.
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from curator.errors import DiscoveryError, UnsafeUrlError
from curator.opml import subscribable_url
from curator.text import one_line
from curator.urls import normalise_feed_url
from curator.useragent import user_agent

USER_AGENT = user_agent("feed discovery")
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
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
    url: str  # final URL after permanent redirects only
    status: int
    content_type: str
    body: bytes


def make_client(timeout: float = 10.0) -> httpx.Client:
    return httpx.Client(follow_redirects=False,
                        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                        headers={"User-Agent": USER_AGENT,
                                 "Accept": "application/rss+xml, application/atom+xml, "
                                           "application/feed+json, text/html;q=0.9, */*;q=0.8"})


def _check(url: str) -> str:
    return subscribable_url(url)


def fetch(client: httpx.Client, url: str) -> _Page:
    """GET with a size cap and a wall-clock deadline; network trouble becomes DiscoveryError.

    Redirects are followed here, hop by hop, so every target is checked before it is requested
    (no file:, no link-local metadata service) and only permanent hops change the URL we keep.
    """
    current, final = _check(url), url
    started = time.monotonic()
    permanent = True
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            with client.stream("GET", current, follow_redirects=False) as response:
                location = response.headers.get("location")
                if response.status_code in (301, 302, 303, 307, 308) and location:
                    current = _check(urljoin(current, location.strip()))
                    permanent = permanent and response.status_code in (301, 308)
                    final = current if permanent else final
                    continue
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_BYTES or time.monotonic() - started > DEADLINE_S:
                        break  # enough to find links or sniff a feed
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return _Page(final, response.status_code, ctype, b"".join(chunks)[:MAX_BYTES])
    except httpx.TimeoutException:
        raise DiscoveryError(f"{url}: timed out") from None
    except httpx.HTTPError as exc:
        raise DiscoveryError(f"{url}: cannot fetch ({type(exc).__name__}: "
                             f"{one_line(str(exc), 120) or 'no detail'})") from None
    except UnsafeUrlError as exc:
        raise DiscoveryError(f"{url}: redirected to an unsafe URL ({exc})") from None
    raise DiscoveryError(f"{url}: more than {MAX_REDIRECTS} redirects")


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
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str, str | None]] = []  # href, kind, title

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
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
    try:
        finder.feed(body.decode("utf-8", errors="replace"))
        finder.close()
    except (AssertionError, ValueError):  # HTMLParser on pathological markup
        pass
    base = urljoin(page_url, finder.base) if finder.base else page_url
    found: dict[str, FeedCandidate] = {}
    for href, kind, title in finder.links:
        try:
            url = _check(urljoin(base, href))
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


def _try_feed(client: httpx.Client, url: str) -> tuple[_Page, str] | None:
    try:
        page = fetch(client, url)
    except (DiscoveryError, UnsafeUrlError):
        return None
    kind = sniff(page.body, page.content_type) if page.status < 400 else None
    return (page, kind) if kind else None


def discover_feed(url: str, *, client: httpx.Client | None = None,
                  timeout: float = 10.0) -> DiscoveryResult:
    """Return the feed to subscribe to for `url`; raise DiscoveryError when there is none."""
    url = _check(url)
    owned = client is None
    http = client or make_client(timeout)
    try:
        return _discover(http, url)
    finally:
        if owned:
            http.close()


def _discover(client: httpx.Client, url: str) -> DiscoveryResult:
    page = fetch(client, url)
    if page.status >= 400:
        raise DiscoveryError(f"{url}: the server answered HTTP {page.status}")
    kind = sniff(page.body, page.content_type)
    if kind:
        return DiscoveryResult(page.url, kind, page_title(page.body, kind))
    if not page.body.strip():
        raise DiscoveryError(f"{url}: empty response, not a feed or a web page")
    links = feed_links(page.body, page.url)
    home_title = page_title(page.body)
    for index, candidate in enumerate(links):
        hit = _try_feed(client, candidate.url)
        if hit:
            feed_page, feed_kind = hit
            return DiscoveryResult(feed_page.url, feed_kind,
                                   page_title(feed_page.body, feed_kind) or candidate.title
                                   or home_title, page.url, links[:index] + links[index + 1:])
    for candidate_url in _path_candidates(page.url):
        hit = _try_feed(client, candidate_url)
        if hit:
            feed_page, feed_kind = hit
            return DiscoveryResult(feed_page.url, feed_kind,
                                   page_title(feed_page.body, feed_kind) or home_title,
                                   page.url, links)
    tried = ", ".join("/" + p for p in COMMON_PATHS)
    detail = "its feed links do not work" if links else "the page links no RSS/Atom/JSON feed"
    raise DiscoveryError(f"no feed found at {url}: {detail} and none of {tried} is a feed")
