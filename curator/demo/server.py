"""A loopback web server for the demo blogs (127.0.0.1, ephemeral port, background thread).

It behaves like a polite real blog host: ETag and Last-Modified on every feed, 304 on a matching
conditional GET, homepages that advertise their feed. `add_post()` publishes a new post while it runs,
so the app's background polling has something to find.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from curator.demo.site import (
    SiteBlog,
    SitePost,
    build_site,
    render_feed,
    render_home,
    render_opml,
    render_post,
)


class DemoServer:
    """Serve the demo site; use as a context manager or call start()/stop()."""

    def __init__(self, now: datetime | None = None) -> None:
        self.site: dict[str, SiteBlog] = build_site(now)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests = 0

    # lifecycle -----------------------------------------------------------------------------
    def start(self) -> DemoServer:
        handler = type("DemoHandler", (_Handler,), {"demo": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        name="curator-demo",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("demo server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # content ---------------------------------------------------------------------------------
    def feed_urls(self) -> list[str]:
        return [self.base_url + entry.feed_path for entry in self.site.values()]

    def opml(self) -> str:
        return render_opml(self.site, self.base_url)

    def write_opml(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.opml(), encoding="utf-8")
        return path

    def add_post(self, slug: str, title: str, summary: str, theme: str = "other",
                 tags: tuple[str, ...] = ()) -> SitePost:
        """Publish a new post on one blog (it appears at the top of that blog's feed)."""
        with self._lock:
            entry = self.site[slug]
            number = max((p.number for p in entry.posts), default=0) + 1
            post = SitePost(entry.blog, number, title, theme, tags, summary,
                            datetime.now(UTC).replace(microsecond=0))
            entry.posts.insert(0, post)
            return post

    def page(self, path: str) -> tuple[str, str, datetime | None] | None:
        """(body, content type, last modified) for a path, or None for 404."""
        base = self.base_url
        with self._lock:
            if path in ("/", "/index.html"):
                links = "".join(f'<li><a href="{e.home_path}">{e.home_path}</a></li>'
                                for e in self.site.values())
                return (f"<!doctype html><title>curator demo</title><ul>{links}</ul>\n",
                        "text/html; charset=utf-8", None)
            for entry in self.site.values():
                newest = entry.posts[0].published if entry.posts else None
                if path == entry.feed_path:
                    kind = "application/atom+xml" if entry.blog.fmt == "atom" else \
                        "application/rss+xml"
                    return render_feed(entry, base), f"{kind}; charset=utf-8", newest
                if path in (entry.home_path, entry.home_path.rstrip("/")):
                    return render_home(entry, base), "text/html; charset=utf-8", newest
                for post in entry.posts:
                    if path == post.path:
                        return render_post(post), "text/html; charset=utf-8", post.published
        return None


class _Handler(BaseHTTPRequestHandler):
    demo: DemoServer
    server_version = "curator-demo/1"

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        self.demo.requests += 1
        found = self.demo.page(self.path.split("?", 1)[0])
        if found is None:
            self._reply(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", {}, head)
            return
        text, kind, modified = found
        body = text.encode("utf-8")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag}
        if modified is not None:
            headers["Last-Modified"] = format_datetime(modified.astimezone(UTC), usegmt=True)
        if self._not_modified(etag, modified):
            self._reply(HTTPStatus.NOT_MODIFIED, b"", kind, headers, head=True)
            return
        self._reply(HTTPStatus.OK, body, kind, headers, head)

    def _not_modified(self, etag: str, modified: datetime | None) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in [tag.strip() for tag in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since and modified is not None:
            try:
                return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _reply(self, status: HTTPStatus, body: bytes, kind: str, headers: dict[str, str],
               head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        """Stay quiet: the demo's output is curator's, not the web server's."""
