"""The poller's HTTP/1.1 transport on its own: keep-alive, stale connections, framing, timeouts,
limits and TLS, against scripted servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

import httpx
import pytest

from curator.poll.transport import PRIVATE_OK, LeanTransport, poller_transport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


class Scripted:
    """A loopback server running `handler` per connection; counts connections and peak load."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler, self.tls = handler, tls
        self.connections = self.now = self.most = 0

    async def __aenter__(self) -> Scripted:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            self.now += 1
            self.most = max(self.most, self.now)
            try:
                await self.handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                self.now -= 1
                writer.close()

        self.server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()

    def url(self, path: str = "/", scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def client(transport: httpx.AsyncBaseTransport | None = None, **timeouts: float) -> httpx.AsyncClient:
    """The Fetcher's transport; its requests are the user's own (the address guard lets them
    reach this loopback server, as it lets a subscribed feed)."""
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    return httpx.AsyncClient(transport=transport or poller_transport(limits),
                             timeout=httpx.Timeout(timeouts.get("t", 5.0)),
                             event_hooks={"request": [_users_own]})


async def _users_own(request: httpx.Request) -> None:
    request.extensions[PRIVATE_OK] = True


async def test_keep_alive_reuses_one_connection_for_a_run_of_requests() -> None:
    async def handler(reader, writer):  # type: ignore[no-untyped-def]
        while True:
            head = await read_request(reader)
            writer.write(OK if head.startswith(b"GET") else
                         b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")  # HEAD: no body sent
            await writer.drain()

    async with Scripted(handler) as srv, client() as c:
        for method in ("GET", "HEAD", "GET", "GET"):
            response = await c.request(method, srv.url("/f?x=1"))
            assert response.status_code == 200
            assert response.content == (b"hello" if method == "GET" else b"")
        assert srv.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def handler(reader, writer):  # type: ignore[no-untyped-def]
        await read_request(reader)
        writer.write(OK)  # keep-alive implied, then the server hangs up anyway
        await writer.drain()

    async with Scripted(handler) as srv, client() as c:
        assert (await c.get(srv.url())).content == b"hello"
        await asyncio.sleep(0.1)  # the FIN arrives while the connection waits in the pool
        assert (await c.get(srv.url())).content == b"hello"
        assert srv.connections == 2


async def test_connection_close_chunked_bodies_and_informational_responses() -> None:
    async def handler(reader, writer):  # type: ignore[no-untyped-def]
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n"
                     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye")
        await writer.drain()

    async with Scripted(handler) as srv, client() as c:
        first = await c.get(srv.url())
        assert first.content == b"hello world" and first.http_version == "HTTP/1.1"
        assert (await c.get(srv.url())).content == b"bye"
        assert (await c.get(srv.url())).status_code == 200  # a new connection after the close
        assert srv.connections == 2


async def test_a_body_ended_by_the_server_closing_the_connection() -> None:
    async def handler(reader, writer):  # type: ignore[no-untyped-def]
        await read_request(reader)
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n")
        for _ in range(3):
            writer.write(b"<rss/>" * 100)
            await writer.drain()
        writer.close()

    async with Scripted(handler) as srv, client() as c:
        response = await c.get(srv.url())
        assert response.status_code == 200 and response.http_version == "HTTP/1.0"
        assert response.content == b"<rss/>" * 300
        assert (await c.get(srv.url())).content == b"<rss/>" * 300  # not reused: a new one
        assert srv.connections == 2


async def test_broken_answers_are_httpx_errors() -> None:
    async def hang_up(reader, writer):  # type: ignore[no-untyped-def]
        await read_request(reader)

    async def garbage(reader, writer):  # type: ignore[no-untyped-def]
        await read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()

    async def short_body(reader, writer):  # type: ignore[no-untyped-def]
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
        await writer.drain()

    async def silent(reader, writer):  # type: ignore[no-untyped-def]
        await read_request(reader)
        await asyncio.sleep(5)

    async with Scripted(hang_up) as srv, client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await c.get(srv.url())
    async with Scripted(garbage) as srv, client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(srv.url())
    async with Scripted(short_body) as srv, client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(srv.url())
    async with Scripted(silent) as srv, client(t=0.3) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get(srv.url())
    async with client() as c:
        with pytest.raises(httpx.ConnectError):
            await c.get("http://127.0.0.1:9/")  # nothing listens on the discard port
        with pytest.raises(httpx.UnsupportedProtocol):
            await c.post("http://127.0.0.1:9/", content=b"x")


async def test_at_most_max_connections_at_once_and_slots_come_back_after_errors() -> None:
    async def handler(reader, writer):  # type: ignore[no-untyped-def]
        while True:
            await read_request(reader)
            await asyncio.sleep(0.05)
            writer.write(OK)
            await writer.drain()

    transport = LeanTransport(ssl.create_default_context(),
                              httpx.Limits(max_connections=2, max_keepalive_connections=2))
    async with Scripted(handler) as srv, client(transport) as c:
        responses = await asyncio.gather(*(c.get(srv.url(f"/{i}")) for i in range(8)))
        assert [r.status_code for r in responses] == [200] * 8
        assert srv.most == 2 and srv.connections == 2
    async with client(transport) as c:  # every failure above or below gave its slot back
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await c.get("http://127.0.0.1:9/")
    assert transport._active == 0


async def test_tls_is_verified() -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_tls)

    async def handler(reader, writer):  # type: ignore[no-untyped-def]
        while True:
            await read_request(reader)
            writer.write(OK)
            await writer.drain()

    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    limits = httpx.Limits(max_connections=2)
    async with Scripted(handler, tls=server_tls) as srv:
        async with client(LeanTransport(trusting, limits)) as c:
            assert (await c.get(srv.url(scheme="https", host="localhost"))).content == b"hello"
            assert (await c.get(srv.url(scheme="https", host="localhost"))).content == b"hello"
            assert srv.connections == 1
        async with client() as c:  # the system's certificate store does not know this CA
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await c.get(srv.url(scheme="https", host="localhost"))
