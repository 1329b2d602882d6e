"""The poller's httpx transport: httpx's own, with a cheap "has the server hung up?" check.

Before every request and after every response, httpcore's connection pool asks each pooled
connection whether it expired, which asks the socket whether it is readable. Through AnyIO that
question rebuilds the stream's attribute table each time (tens of microseconds); with ten pooled
connections it was about a third of the CPU of a poll where every feed answers 304. The stream
wrapper below keeps the socket it was connected with and polls it directly (the same test httpcore
makes), and passes everything else through to httpcore's own AnyIO backend unchanged.

httpx builds its connection pool without a way to pass a network backend, so the transport
rebuilds that pool with the same settings plus this backend (httpcore's public `network_backend`
argument). Should a future httpx change that attribute, the stock pool is kept: slower, not wrong.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class _Stream(httpcore.AsyncNetworkStream):
    """A pooled connection's stream: reads and writes go to httpcore's; readability is quick."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        sock = inner.get_extra_info("socket")  # asyncio hands out a TransportSocket
        self._sock: socket.socket | None = None
        self._poll: Any = None
        if hasattr(sock, "fileno") and hasattr(select, "poll") and sock.fileno() >= 0:
            self._sock, self._poll = sock, select.poll()
            self._poll.register(sock.fileno(), select.POLLIN)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._sock is not None:
            # readable while idle means the server closed it (or sent junk): either way, expired
            return self._sock.fileno() < 0 or bool(self._poll.poll(0))
        return self._inner.get_extra_info(info)


class QuickBackend(httpcore.AnyIOBackend):  # type: ignore[misc]
    """httpcore's AnyIO backend, handing out `_Stream`s."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        stream = await super().connect_tcp(host, port, timeout=timeout,
                                           local_address=local_address,
                                           socket_options=socket_options)
        return _Stream(stream)


def poller_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's transport (no proxy, HTTP/1.1, certificate checks on) over `QuickBackend`."""
    # one certificate store for both pools (loading it costs about 35 ms)
    ssl_context = httpx.create_ssl_context(trust_env=False)
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
    if isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=QuickBackend())
    return transport
