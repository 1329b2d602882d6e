"""Fetching feed bodies politely and defensively through one shared httpx transport per run.

Why it is hand-rolled around httpx rather than `follow_redirects=True` + `response.content`:
- redirects are followed one hop at a time so the poller knows whether *every* hop was permanent
  (only then may the stored URL change) and can spot loops;
- bodies are read raw and decompressed here with a bounded `max_length`, so a gzip bomb stops at the
  cap instead of inflating a whole network chunk (httpx's decoder has no bound);
- an overall deadline wraps each request, because httpx's read timeout restarts on every byte and a
  slow-drip server would otherwise hold a slot forever.
Bounded concurrency: a global semaphore plus one per host; a host that answered 429/503 is paused
for the rest of the run (its other feeds are skipped, not hammered).
Feed discovery (curator.feeds.discover) fetches through the same class, so one set of safety rules
serves both; its few extra needs are constructor options (Accept, User-Agent, a check on every
redirect target, keeping the first `max_body` bytes of a big page instead of refusing it).
The roundup link check (curator.poll.linkcheck) fetches through it too: HEAD requests
(`FetchRequest(method="HEAD")`), `status_only=True` (no body kept) and its own redirect cap.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from curator.poll.address_guard import is_private, literal_refusal
from curator.poll.httpx_import import httpx
from curator.poll.network import Network
from curator.poll.schedule import retry_after_seconds
from curator.poll.transport import PEER, PRIVATE_OK, Resolver, UnsafeAddress, poller_transport
from curator.poll.useragent import user_agent
from curator.urls import host_of

USER_AGENT = user_agent("feed reader")
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
          "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
MAX_BODY = 10 * 1024 * 1024  # decoded bytes
MAX_REDIRECTS = 5
DRAIN_LIMIT = 64 * 1024  # bytes of an unwanted body read so the connection can be reused
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
DEADLINE = 45.0
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    method: str = field(default="GET", kw_only=True)  # GET or HEAD; every hop uses the same
    # the user chose this URL (a subscription, a URL typed in): it may start at a private
    # address, an intranet blog; a link found in someone's feed or page may not
    trust_private: bool = field(default=True, kw_only=True)


@dataclass
class FetchResult:
    """What came back for one feed: a final status and body, or an error with its kind."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    hops: list[int] = field(default_factory=list)  # statuses of the redirects followed
    hop_urls: list[str] = field(default_factory=list)  # where each of those hops led
    error: str | None = None
    # network | timeout | too_big | redirect | unsafe_redirect (url_guard) | host_paused | bad_url
    # | unsafe_address (curator.poll.address_guard)
    error_kind: str | None = None
    elapsed: float = 0.0
    truncated: bool = False  # only with Fetcher(truncate=True): the body was cut at max_body
    peer: str | None = None  # the address the final answer came from (None through a proxy)
    paused_for: float | None = None  # host_paused: seconds until the host may be asked again

    @property
    def permanent_target(self) -> str | None:
        """The new URL when every hop was a permanent redirect (301/308), else None."""
        if self.hops and all(h in PERMANENT for h in self.hops) and self.final_url != self.url:
            return self.final_url
        return None


class BodyTooLarge(Exception):
    pass


def _location_refusal(target: str, location: str) -> tuple[str, str] | None:
    """Why a redirect's Location is not followed, as (error kind, message): not http(s) (or
    no URL at all: `target` empty), or an always-refused address (0251.0376.0251.0376,
    fe80::...) in any spelling. None: it may be."""
    parts = urlsplit(target)
    if parts.scheme.lower() not in ("http", "https"):
        return "redirect", f"redirect to a non-http URL refused: {(target or location)[:200]}"
    why = literal_refusal(parts.hostname or "")
    if why:
        return "unsafe_redirect", f"redirected to an unsafe URL ({why}); not requested"
    return None


class _Decoder:
    """Bounded decompression for the Content-Encodings we advertise (gzip, deflate).

    Past `limit` decoded bytes it raises BodyTooLarge, or with `truncate` keeps exactly `limit`
    bytes and sets `full` (the caller stops reading).
    """

    def __init__(self, encoding: str, limit: int, truncate: bool = False) -> None:
        self.limit = limit
        self.size = 0
        self.truncate = truncate
        self.full = False
        enc = encoding.strip().lower()
        self._raw_deflate = False
        if enc in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate = True
        else:
            self._z = None  # identity or unknown: pass through (feedparser sniffs the rest)
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if self._z is None:
            return self._count(data)
        if self._raw_deflate and not self._started:
            self._started = True
            try:
                probe = zlib.decompressobj(zlib.MAX_WBITS)
                probe.decompress(data[:2])
            except zlib.error:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        out = bytearray()
        chunk = data
        while True:
            piece = self._z.decompress(chunk, self.limit - self.size + 1)
            out += self._count(piece)
            chunk = self._z.unconsumed_tail
            if not chunk or self.full:
                break
        return bytes(out)

    def _count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.size > self.limit:
            if not self.truncate:
                raise BodyTooLarge
            self.full = True
            return piece[:len(piece) - (self.size - self.limit)]
        return piece


class Fetcher:
    """One shared client per run; `await fetch(request)` never raises for network trouble.

    `url_guard(url)` returns why a redirect target must not be requested (None: fine); it runs
    before every hop. `truncate=True` keeps the first `max_body` bytes of a bigger body instead of
    failing with too_big (discovery only needs a page's head); gzip bombs stay bounded either way.
    `status_only=True` never keeps a body (the link check wants status and final URL only): a
    small one is drained for connection reuse, a big one dropped with its connection.
    `network` says which proxy each request takes and how TLS is verified (default: the
    environment and the system's trust store, see curator.poll.network).
    """

    def __init__(self, concurrency: int = 10, per_host: int = 8, max_body: int = MAX_BODY,
                 deadline: float = DEADLINE, connect_timeout: float = CONNECT_TIMEOUT,
                 read_timeout: float = READ_TIMEOUT, *, accept: str = ACCEPT,
                 agent: str = USER_AGENT, url_guard: Callable[[str], str | None] | None = None,
                 truncate: bool = False, status_only: bool = False,
                 max_redirects: int = MAX_REDIRECTS, network: Network | None = None) -> None:
        self.max_body = max_body
        self.deadline = deadline
        self.truncate = truncate
        self.status_only = status_only
        self.max_redirects = max(0, max_redirects)
        self._url_guard = url_guard
        network = network if network is not None else Network.resolve()
        self._allow_private = network.allow_private
        self._proxied = network.uses_proxy
        self._resolver = Resolver()
        self._servers: dict[str, asyncio.Semaphore] = {}  # per resolved address
        self._global = asyncio.Semaphore(max(1, concurrency))
        self._per_host_limit = max(1, per_host)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.paused_hosts: dict[str, float] = {}  # host -> monotonic time it may be asked again
        limits = httpx.Limits(max_connections=max(1, concurrency),
                              max_keepalive_connections=max(1, concurrency))
        # the transport is called directly (httpx's public transport API): the client layer
        # (URL merging, cookies, hooks, auth, redirect bookkeeping) cost about 40% of the CPU
        # of a poll where every feed answered 304, and the poller uses none of it
        self._transport = poller_transport(limits, network, self._resolver)
        self._headers = {"User-Agent": agent, "Accept": accept,
                         "Accept-Encoding": "gzip, deflate", "Connection": "keep-alive"}
        self._timeouts = httpx.Timeout(connect=connect_timeout, read=read_timeout,
                                       write=read_timeout, pool=None).as_dict()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._transport.aclose()

    def pause_host(self, host: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self.paused_hosts[host] = max(until, self.paused_hosts.get(host, 0.0))

    async def fetch(self, request: FetchRequest) -> FetchResult:
        started = time.monotonic()
        result = FetchResult(url=request.url, final_url=request.url)
        host = host_of(request.url)
        sem = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host_limit))
        server = self._servers.setdefault(await self._server_of(request.url, host),
                                          asyncio.Semaphore(self._per_host_limit))
        async with self._global, sem, server:
            wait = self.paused_hosts.get(host, 0.0) - time.monotonic()
            if wait > 0:
                when = (datetime.now(UTC) + timedelta(seconds=wait)).astimezone()
                result.error_kind, result.paused_for = "host_paused", wait
                result.error = (f"{host} asked us to wait (429/503); not asked this time, asked "
                                f"again after {when:%Y-%m-%d %H:%M %Z}")
                return result
            try:
                async with asyncio.timeout(self.deadline):
                    try:
                        await self._follow(request, result)
                    except (httpx.RemoteProtocolError, httpx.ReadError):
                        # a pooled keep-alive connection the server had just closed: one retry
                        result = FetchResult(url=request.url, final_url=request.url)
                        await self._follow(request, result)
            except TimeoutError:
                result.error_kind = "timeout"
                result.error = f"no complete answer within {self.deadline:g} s"
                result.body = None
            except BodyTooLarge:
                result.error_kind = "too_big"
                result.error = f"response larger than {self.max_body // (1024 * 1024)} MiB"
                result.body = None
            except zlib.error as exc:
                result.error_kind = "network"
                result.error = f"corrupt compressed body ({exc})"[:200]
                result.body = None
            except httpx.TimeoutException as exc:
                result.error_kind, result.error = "timeout", f"timed out ({type(exc).__name__})"
            except UnsafeAddress as exc:
                result.error_kind, result.error = "unsafe_address", f"refused: {exc}"[:300]
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                result.error_kind = "network"
                result.error = _describe(exc)
            if result.status in (429, 503):  # pause the host before the next feed there starts
                asked = retry_after_seconds(result.headers.get("retry-after"), datetime.now(UTC))
                self.pause_host(host_of(result.final_url), asked if asked is not None else 600.0)
        result.elapsed = time.monotonic() - started
        return result

    async def _server_of(self, url: str, host: str) -> str:
        """The per-host cap's second key: the server's address, so the many subdomains of one
        blog platform share one limit. Names are not resolved here when a proxy resolves them."""
        if self._proxied:
            return host
        try:
            port = urlsplit(url).port or (443 if url.lower().startswith("https:") else 80)
            addresses = await self._resolver.addresses(host, port)
        except (OSError, ValueError):
            return host
        return str(addresses[0]) if addresses else host

    async def _follow(self, request: FetchRequest, result: FetchResult) -> None:
        url = request.url
        seen = {url}
        private_ok = self._allow_private or request.trust_private
        headers: dict[str, str] = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        for _ in range(self.max_redirects + 1):
            response = await self._send(request.method, url, headers, private_ok)
            try:
                status = response.status_code
                peer = response.extensions.get(PEER)
                result.peer = str(peer) if peer is not None else None
                if peer is not None and not self._allow_private and not is_private(peer):
                    private_ok = False  # from a public address, no hop may go private
                if status in REDIRECTS and "location" in response.headers:
                    location = response.headers["location"]
                    target = _join(str(response.url), location)
                    refused = _location_refusal(target, location)
                    if refused is None and self._url_guard is not None:
                        why = self._url_guard(target)
                        refused = ("unsafe_redirect", f"redirected to an unsafe URL ({why})") \
                            if why else None
                    if refused is not None:
                        result.status = status
                        result.error_kind, result.error = refused
                        return
                    result.hops.append(status)
                    result.hop_urls.append(target)
                    await _drain(response)
                    if target in seen:
                        result.status, result.error_kind = status, "redirect"
                        result.error = f"redirect loop at {target[:200]}"
                        return
                    seen.add(target)
                    url = target
                    result.final_url = url
                    continue
                result.status = status
                result.final_url = str(response.url)
                result.headers = {k.lower(): v for k, v in response.headers.items()}
                if status == 200 and not self.status_only:
                    result.body, result.truncated = await self._read(response)
                else:
                    await _drain(response)
                return
            finally:
                await response.aclose()
        result.error_kind = "redirect"
        result.error = f"more than {self.max_redirects} redirects"

    async def _send(self, method: str, url: str, headers: dict[str, str],
                    private_ok: bool) -> httpx.Response:
        """One request through the transport, its body not yet read (the caller closes it)."""
        request = httpx.Request(method, url, headers={**self._headers, **headers},
                                extensions={"timeout": self._timeouts, PRIVATE_OK: private_ok})
        response = await self._transport.handle_async_request(request)
        response.request = request
        return response

    async def _read(self, response: httpx.Response) -> tuple[bytes, bool]:
        """The decoded body (bounded) and whether it was cut at max_body."""
        length = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "identity")
        if (length.isdigit() and int(length) > self.max_body and encoding == "identity"
                and not self.truncate):
            raise BodyTooLarge
        decoder = _Decoder(encoding, self.max_body, self.truncate)
        buf = bytearray()
        async for chunk in response.aiter_raw():
            buf += decoder.feed(chunk)
            if decoder.full:
                break
        return bytes(buf), decoder.full


async def _drain(response: httpx.Response) -> None:
    """Read a small unwanted body (a 304, a redirect, an error page) to its end.

    A response left unread cannot hand its connection back to the pool: every conditional GET
    answered 304 cost a new TCP connection. Bodies bigger than DRAIN_LIMIT are not worth it;
    closing the response then drops that one connection.
    """
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > DRAIN_LIMIT:
            break


def _join(base: str, location: str) -> str:
    """A redirect's target as an absolute URL ("" when it cannot be one)."""
    try:
        return urljoin(base, location.strip())
    except ValueError:
        return ""


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    name = type(exc).__name__
    return f"{name}: {text[:200]}" if text else name
