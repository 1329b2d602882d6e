"""The poller's httpx transport: HTTP/1.1 over asyncio streams, framed by h11, one small pool.

Why not httpx's own transport (httpcore): for every request its pool re-scans every connection
and request, asks each connection whether it expired, and takes AnyIO locks and cancel scopes on
every read and write. Against a local server answering 1000 conditional GETs, httpx spent 0.58 s
of CPU with httpcore underneath and 0.28 s with an aiohttp transport; the wire work alone (h11 over
asyncio streams) takes 0.08 s. The poller makes one such request per feed, so this is most of the
cost of a poll where nothing changed.

What stays the same: requests, responses and errors are httpx's own (the Fetcher calls this
through httpx's public transport API), messages are framed by h11 (the parser httpcore uses),
TLS goes through the same verifying `ssl.SSLContext`. What this transport does not do, because
the poller never asks for it: request bodies (GET and HEAD only), HTTP/2, upgrades. Proxied
requests go through httpx's own transport instead (`ProxyRouter`, below).

Pool: at most `max_connections` requests at once; finished connections wait, per origin, for
`keepalive_expiry` seconds (at most `max_keepalive_connections` of them). A connection the server
closed while it waited is noticed (end of file) and not reused. Timeouts: `connect` covers DNS,
TCP and the TLS handshake; `read` and `write` apply to each socket operation (httpx's meaning);
the Fetcher adds its overall deadline on top.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import h11

from curator.poll.address_guard import IP, parse_ip, refusal
from curator.poll.httpx_import import httpx
from curator.poll.network import Network

READ_SIZE = 64 * 1024
MAX_HEAD = 100 * 1024  # largest response head accepted (h11 refuses bigger, as httpcore does)
_DEFAULT_PORTS = {b"http": 80, b"https": 443}


class UnsafeAddress(httpx.ConnectError):
    """The address guard refused every address of the host (curator.poll.address_guard)."""


PRIVATE_OK = "curator.private_ok"  # request extension: may this request reach a private address?
PEER = "curator.peer"  # response extension: the address the request was sent to


class Resolver:
    """Host name -> addresses, asked once per name per run (concurrent askers share the answer).

    The transport connects to exactly the addresses it was given, after the guard checked them,
    so what was checked is what is connected to. Literal addresses (in any spelling) need no DNS.
    """

    TTL = 60.0

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], tuple[float, list[IP]]] = {}
        self._pending: dict[tuple[str, int], asyncio.Future[list[IP]]] = {}

    async def addresses(self, host: str, port: int) -> list[IP]:
        literal = parse_ip(host)
        if literal is not None:
            return [literal]
        key = (host.lower().rstrip("."), port)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[list[IP]] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            found = await self.lookup(*key)
            self._cache[key] = (time.monotonic() + self.TTL, found)
            future.set_result(found)
            return found
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waits
            raise
        finally:
            del self._pending[key]

    async def lookup(self, host: str, port: int) -> list[IP]:
        """The system resolver's answer (tests replace this to play DNS)."""
        infos = await asyncio.get_running_loop().getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)
        found: list[IP] = []
        for info in infos:
            address = parse_ip(str(info[4][0]))
            if address is not None and address not in found:
                found.append(address)
        return found


class _Connection:
    """One TCP (or TLS) connection to an origin, with its h11 state."""

    def __init__(self, origin: tuple[bytes, bytes, int], reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, peer: IP | None = None) -> None:
        self.origin = origin
        self.peer = peer  # the address connected to
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.idle_since = 0.0

    def reusable(self, now: float, expiry: float) -> bool:
        """Still open, not expired, nothing unread (the server closing it shows as EOF)."""
        return (now - self.idle_since < expiry and not self.writer.is_closing()
                and not self.reader.at_eof() and self.h11.our_state is h11.IDLE)

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    return request.extensions.get("timeout", {})  # type: ignore[no-any-return]


class _Body(httpx.AsyncByteStream):
    """The response body, read from the connection as the caller iterates."""

    def __init__(self, transport: LeanTransport, conn: _Connection,
                 read_timeout: float | None) -> None:
        self._transport, self._conn, self._timeout = transport, conn, read_timeout
        self._done = False  # the whole message was read: the connection may serve again
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while not self._done and not self._closed:
            event = await self._transport._next_event(self._conn, self._timeout)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._done = True
            else:  # ConnectionClosed before the end of the body
                raise httpx.RemoteProtocolError("the server closed the connection mid-body")

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._transport._finished(self._conn, reuse=self._done)


TlsSource = ssl.SSLContext | Callable[[], ssl.SSLContext]  # a context, or what makes it


def _tls_source(given: TlsSource) -> Callable[[], ssl.SSLContext]:
    return given if callable(given) else (lambda: given)


class LeanTransport(httpx.AsyncBaseTransport):
    """GET/HEAD over HTTP/1.1 with keep-alive; see the module docstring for what it skips."""

    def __init__(self, ssl_context: TlsSource, limits: httpx.Limits,
                 resolver: Resolver | None = None, guarded: bool = False) -> None:
        """`ssl_context` is asked for with the first https connection (the trust store costs
        about 40 ms to load, which a poll of http feeds need not spend). `guarded`: every
        address is checked by curator.poll.address_guard against the request's PRIVATE_OK
        extension (the Fetcher always asks for it)."""
        self._tls = _tls_source(ssl_context)
        self._resolver = resolver or Resolver()
        self._guarded = guarded
        self._max = limits.max_connections or 100
        self._keep = limits.max_keepalive_connections if \
            limits.max_keepalive_connections is not None else self._max
        self._expiry = limits.keepalive_expiry if limits.keepalive_expiry is not None else 5.0
        self._idle: collections.OrderedDict[_Connection, None] = collections.OrderedDict()
        self._slots: asyncio.Semaphore | None = None  # made in the loop that sends requests
        self._active = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method not in ("GET", "HEAD"):
            raise httpx.UnsupportedProtocol(f"this transport sends GET and HEAD only, not "
                                            f"{request.method}")
        scheme = request.url.raw_scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme.decode()!r}")
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max)
        timeouts = _timeouts(request)
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection slot in time") from None
        self._active += 1
        conn: _Connection | None = None
        try:
            conn = await self._connection(request, timeouts)
            response = await self._exchange(conn, request, timeouts)
        except BaseException:
            if conn is not None:
                conn.close()
            self._release()
            raise
        return response

    async def _connection(self, request: httpx.Request,
                          timeouts: dict[str, float | None]) -> _Connection:
        url = request.url
        origin = (url.raw_scheme, url.raw_host, url.port or _DEFAULT_PORTS[url.raw_scheme])
        private_ok = bool(request.extensions.get(PRIVATE_OK, False))
        idle = self._take_idle(origin)
        if idle is not None:
            why = self._refusal(idle.peer, private_ok)
            if why is None:
                return idle
            idle.close()  # opened for a request that was allowed more; not for this one
            raise UnsafeAddress(why)
        while self._idle and len(self._idle) + self._active > self._max:
            self._idle.popitem(last=False)[0].close()  # room for the new one: drop the oldest
        host = origin[1].decode("ascii")
        tls = self._tls() if origin[0] == b"https" else None
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                try:
                    addresses = await self._resolver.addresses(host, origin[2])
                except OSError as exc:
                    raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
                allowed = [a for a in addresses if self._refusal(a, private_ok) is None]
                if not allowed:
                    why = self._refusal(addresses[0], private_ok) if addresses else None
                    raise UnsafeAddress(why or f"{host} has no address")
                for index, address in enumerate(allowed):
                    try:
                        reader, writer = await asyncio.open_connection(
                            str(address), origin[2], ssl=tls,
                            server_hostname=host.strip("[]") if tls else None, limit=READ_SIZE)
                        return _Connection(origin, reader, writer, address)
                    except OSError:  # the next address, if there is one (IPv6, then IPv4...)
                        if index == len(allowed) - 1:
                            raise
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {host} in time") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        raise httpx.ConnectError(f"no connection to {host}")  # pragma: no cover - unreachable

    def _refusal(self, address: IP | None, private_ok: bool) -> str | None:
        if not self._guarded or address is None:
            return None
        return refusal(address, private_ok)

    def _take_idle(self, origin: tuple[bytes, bytes, int]) -> _Connection | None:
        """The most recently used idle connection to `origin` still fit for a request (the
        unfit ones met on the way are closed)."""
        now = time.monotonic()
        for conn in reversed(list(self._idle)):
            if conn.origin == origin:
                del self._idle[conn]
                if conn.reusable(now, self._expiry):
                    return conn
                conn.close()
        return None

    async def _exchange(self, conn: _Connection, request: httpx.Request,
                        timeouts: dict[str, float | None]) -> httpx.Response:
        target = request.url.raw_path
        try:
            head = conn.h11.send(h11.Request(method=request.method, target=target,
                                             headers=list(request.headers.raw)))
            end = conn.h11.send(h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc
        try:
            async with asyncio.timeout(timeouts.get("write")):
                conn.writer.write((head or b"") + (end or b""))
                await conn.writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout("the request could not be sent in time") from None
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc
        read_timeout = timeouts.get("read")
        while True:
            event = await self._next_event(conn, read_timeout)
            if isinstance(event, h11.Response):
                break
            if isinstance(event, h11.ConnectionClosed):
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            # an InformationalResponse (1xx): the real answer follows
        return httpx.Response(
            status_code=event.status_code, headers=event.headers.raw_items(),
            stream=_Body(self, conn, read_timeout),
            extensions={"http_version": b"HTTP/" + event.http_version,
                        "reason_phrase": bytes(event.reason), PEER: conn.peer})

    async def _next_event(self, conn: _Connection, read_timeout: float | None) -> Any:
        """The connection's next h11 event, reading from the socket as needed."""
        while True:
            try:
                event = conn.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc
            if event is not h11.NEED_DATA:
                return event
            try:
                async with asyncio.timeout(read_timeout):
                    data = await conn.reader.read(READ_SIZE)
            except TimeoutError:
                raise httpx.ReadTimeout("no data from the server in time") from None
            except (OSError, ssl.SSLError) as exc:
                raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
            if not data and conn.h11.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            try:
                conn.h11.receive_data(data)  # b"" at end of file
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc

    def _finished(self, conn: _Connection, reuse: bool) -> None:
        """A response was closed: keep its connection for the next request, or close it."""
        self._release()
        if reuse and conn.h11.our_state is h11.DONE and conn.h11.their_state is h11.DONE:
            try:
                conn.h11.start_next_cycle()
            except h11.LocalProtocolError:
                reuse = False
        else:
            reuse = False
        if not reuse or len(self._idle) >= self._keep:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        self._idle[conn] = None

    def _release(self) -> None:
        self._active -= 1
        assert self._slots is not None
        self._slots.release()

    async def aclose(self) -> None:
        while self._idle:
            self._idle.popitem()[0].close()


class ProxyRouter(httpx.AsyncBaseTransport):
    """Direct requests go to the lean transport; proxied ones to httpx's own transport.

    httpx's transport speaks to HTTP proxies (absolute-form requests, CONNECT tunnels for
    https, Proxy-Authorization from the proxy URL's user info) and, with `socksio`, to SOCKS5.
    Both sit under the same Fetcher, so its deadlines, size caps, redirect rules and 429/503
    pauses are the same either way. One transport per proxy URL, made on first use.
    """

    def __init__(self, network: Network, direct: LeanTransport, ssl_context: TlsSource,
                 limits: httpx.Limits) -> None:
        self._network, self._direct = network, direct
        self._tls, self._limits = _tls_source(ssl_context), limits
        self._proxied: dict[str, httpx.AsyncBaseTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self._network.route(str(request.url))
        if proxy is None:
            return await self._direct.handle_async_request(request)
        # the proxy resolves names (often the only DNS that knows the outside world); a literal
        # address is checked here, as the lean transport checks every address it connects to
        literal = parse_ip(request.url.host)
        if literal is not None:
            why = refusal(literal, bool(request.extensions.get(PRIVATE_OK, False)))
            if why is not None:
                raise UnsafeAddress(why)
        transport = self._proxied.get(proxy)
        if transport is None:
            transport = self._proxied[proxy] = self._through(proxy)
        return await transport.handle_async_request(request)

    def _through(self, proxy: str) -> httpx.AsyncBaseTransport:
        try:
            tls = self._tls()
            tls_to_proxy = tls if proxy.lower().startswith("https:") else None
            return httpx.AsyncHTTPTransport(
                proxy=httpx.Proxy(proxy, ssl_context=tls_to_proxy), verify=tls,
                limits=self._limits, trust_env=False)
        except ImportError:  # a socks5:// proxy without the socksio package
            raise httpx.ProxyError(f"the SOCKS proxy {proxy.split('@')[-1]} needs the socksio "
                                   "package: pip install 'curator[socks]'") from None

    async def aclose(self) -> None:
        await self._direct.aclose()
        for transport in self._proxied.values():
            await transport.aclose()


def poller_transport(limits: httpx.Limits, network: Network | None = None,
                     resolver: Resolver | None = None) -> httpx.AsyncBaseTransport:
    """The transport every Fetcher uses: certificates checked against the system's trust store
    (plus SSL_CERT_FILE), proxies as the user's network has them, every address guarded,
    HTTP/1.1."""
    network = network if network is not None else Network.resolve()
    direct = LeanTransport(network.ssl_context, limits, resolver, guarded=True)
    return ProxyRouter(network, direct, network.ssl_context, limits) if network.uses_proxy \
        else direct
