"""A real threaded HTTP server on 127.0.0.1 with scripted misbehaviour, for network tests.

Usage::

    with FeedServer() as server:
        server.route("/feed.xml", Reply(body=rss, etag='"v1"'))
        server.route("/flaky", Reply(status=503), Reply(body=rss))  # one reply per request
        url = server.url("/feed.xml")

A route replays its replies in order and then repeats the last one. A reply can honour conditional
GETs (etag / last_modified -> 304), redirect, delay, drip the body one byte at a time, lie about its
length and hang up (truncated body) or send pre-compressed bytes. Every request is recorded with its
headers so tests can check what the client sent.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up (say after too big a body) is a test's business, not a traceback."""

    # socketserver's default backlog is 5: a burst of connections beyond it waits for a SYN
    # retransmit (a second) on a busy machine, and tests that count requests in flight miss one
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml"
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches exactly
    location: str | None = None  # redirect target (path or absolute URL)
    delay: float = 0.0  # seconds before answering
    drip: float | None = None  # seconds between body bytes
    truncate_at: int | None = None  # send this many body bytes, then close (Content-Length lies)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    peer: tuple[str, int] | None = None  # the client's address: same port = same connection


class FeedServer:
    """Threaded loopback server; `route()` scripts replies per path."""

    def __init__(self, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        """`tls`: a server-side context; the server then speaks HTTPS (handshake on accept).
        `host`: another loopback address (127.0.0.2...) makes another host for the client."""
        self.scheme = "https" if tls is not None else "http"
        self.host = host
        self.in_flight = 0  # requests being answered now
        self.most_in_flight = 0  # the most at any one moment
        self._routes: dict[str, list[Reply]] = {}
        self._hits: dict[str, int] = {}
        self._dynamic: dict[str, Callable[[dict[str, str]], Reply]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server = _QuietServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        with self._lock:
            self._routes[path] = list(replies)
            self._hits[path] = 0
        return self.url(path)

    def route_fn(self, path: str, fn: Callable[[dict[str, str]], Reply]) -> str:
        """A reply computed from the request headers (lower-cased)."""
        with self._lock:
            self._dynamic[path] = fn
        return self.url(path)

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for seen in self.requests if seen.path == path)

    def _next(self, path: str, headers: dict[str, str],
              peer: tuple[str, int] | None = None) -> Reply:
        with self._lock:
            self.requests.append(Seen(path, headers, peer))
            if path in self._dynamic:
                fn = self._dynamic[path]
            else:
                fn = None
                replies = self._routes.get(path)
                if not replies:
                    return Reply(status=404, body=b"not found", content_type="text/plain")
                index = min(self._hits[path], len(replies) - 1)
                self._hits[path] += 1
                return replies[index]
        return fn(headers)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with server._lock:
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    self._answer()
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = server._next(self.path, headers, self.client_address)
                if reply.delay:
                    time.sleep(reply.delay)
                status, body = reply.status, reply.body
                if reply.etag and headers.get("if-none-match") == reply.etag or (
                        reply.last_modified and
                        headers.get("if-modified-since") == reply.last_modified):
                    status, body = 304, b""
                self.send_response(status)
                self.send_header("Content-Type", reply.content_type)
                if reply.etag:
                    self.send_header("ETag", reply.etag)
                if reply.last_modified:
                    self.send_header("Last-Modified", reply.last_modified)
                if reply.location:
                    self.send_header("Location", reply.location)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                if reply.drip is not None or reply.truncate_at is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    if reply.truncate_at is not None:
                        self.wfile.write(body[:reply.truncate_at])
                    elif reply.drip is not None:
                        for i in range(len(body)):
                            self.wfile.write(body[i:i + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        return Handler

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rss(items: list[tuple[str, str, str]], title: str = "Test blog", extra: str = "") -> bytes:
    """A small RSS 2.0 document from (guid, title, link) triples."""
    parts = [f"<item><guid>{g}</guid><title>{t}</title><link>{link}</link>"
             f"<description>&lt;p&gt;About {t}&lt;/p&gt;</description>"
             f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>" for g, t, link in items]
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://blog.example/</link>{extra}"
            f"{''.join(parts)}</channel></rss>").encode()
