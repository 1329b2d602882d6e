"""A real forward HTTP proxy on 127.0.0.1 for network tests: absolute-form GET and CONNECT.

Usage::

    with ForwardProxy(hosts={"blog.test.invalid": ("127.0.0.1", server.port)}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        ...
        assert proxy.seen[0].method == "GET"

`hosts` stands in for the DNS only the proxy can see (a name that does not resolve on the
client's side, as on a corporate network): the proxy connects there instead. Every request is
recorded (method, target, headers). `require_auth="user:pass"` answers 407 without the right
Proxy-Authorization. Each client connection carries one request; the proxy then relays bytes both
ways until either side closes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class ProxySeen:
    method: str
    target: str
    headers: dict[str, str]


class ForwardProxy:
    def __init__(self, hosts: dict[str, tuple[str, int]] | None = None,
                 require_auth: str | None = None) -> None:
        self.hosts = hosts or {}
        self.require_auth = require_auth
        self.seen: list[ProxySeen] = []
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(5)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def _target(self, host: str, port: int) -> tuple[str, int]:
        return self.hosts.get(f"{host}:{port}") or self.hosts.get(host) or (host, port)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        self.seen.append(ProxySeen(method, target, headers))
        if self.require_auth is not None:
            wanted = "Basic " + base64.b64encode(self.require_auth.encode()).decode()
            if headers.get("proxy-authorization") != wanted:
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b"Proxy-Authenticate: Basic\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
                await writer.drain()
                writer.close()
                return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            await self._tunnel(reader, writer, self._target(host.strip("[]"), int(port)))
        else:
            await self._forward(reader, writer, method, target, lines[1:])

    async def _open(self, writer: asyncio.StreamWriter, where: tuple[str, int]
                    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        try:
            return await asyncio.open_connection(*where)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            await writer.drain()
            writer.close()
            return None

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      where: tuple[str, int]) -> None:
        upstream = await self._open(writer, where)
        if upstream is None:
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await self._relay(reader, writer, *upstream)

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       method: str, target: str, header_lines: list[str]) -> None:
        parts = urlsplit(target)
        port = parts.port or 80
        upstream = await self._open(writer, self._target(parts.hostname or "", port))
        if upstream is None:
            return
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        kept = [line for line in header_lines if line and not line.lower().startswith(
            ("proxy-", "connection:"))]
        request = "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""])
        upstream[1].write(request.encode("latin-1"))
        await upstream[1].drain()
        await self._relay(reader, writer, *upstream)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     up_reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter) -> None:
        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
