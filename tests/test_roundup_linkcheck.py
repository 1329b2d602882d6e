"""`--check-links` against a real HTTP server on 127.0.0.1: ok, redirected, dead, HEAD refused."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from roundup_helpers import make_curator

from curator.cli import main
from curator.roundup.linkcheck import check_urls


class Handler(BaseHTTPRequestHandler):
    def _reply(self, head: bool) -> None:
        if self.path == "/ok":
            self._send(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/nohead":
            self._send(405 if head else 200)
        elif self.path == "/broken":
            self._send(500)
        else:
            self._send(404)

    def _send(self, status: int) -> None:
        body = b"hello"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self._reply(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._reply(head=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_check_urls_classifies_each_link(server: str) -> None:
    refused = f"http://127.0.0.1:{_closed_port()}/gone"
    urls = [f"{server}/ok", f"{server}/moved", f"{server}/missing", f"{server}/nohead",
            f"{server}/broken", f"{server}/loop", refused, "javascript:alert(1)", f"{server}/ok"]
    results = {r.url: r for r in check_urls(urls, timeout=5)}
    assert len(results) == 8  # duplicates checked once
    assert results[f"{server}/ok"].status == "ok"
    moved = results[f"{server}/moved"]
    assert moved.status == "redirected" and moved.http_status == 301
    assert moved.final_url == f"{server}/ok"
    assert results[f"{server}/missing"].status == "dead"
    assert results[f"{server}/missing"].http_status == 404
    assert results[f"{server}/nohead"].status == "ok"  # fell back to GET
    assert results[f"{server}/broken"].status == "dead"
    assert results[f"{server}/loop"].error == "too many redirects"
    assert results[refused].status == "dead" and results[refused].error
    assert results["javascript:alert(1)"].error == "not an http(s) link"


def test_export_check_links_reports_dead_and_redirected(server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cur = make_curator()
    cur.new_edition()
    ok = cur.add_link("Fine", f"{server}/ok")
    cur.add_link("Moved", f"{server}/moved")
    cur.add_link("Gone", f"{server}/missing")
    report = cur.check_links(timeout=5)
    assert [r.status for r in report.results] == ["ok", "redirected", "dead"]
    assert report.ok[0].item_ids == [ok] and report.dead[0].title == "Gone"
    cur.close()

    runner = CliRunner()
    out = tmp_path / "roundup.html"
    result = runner.invoke(main, ["roundup", "export", "--format", "html", "--check-links",
                                  "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "dead" in result.stderr and "/missing" in result.stderr
    assert "redirected" in result.stderr and f"{server}/ok" in result.stderr
    assert "1 ok, 1 redirected, 1 dead" in result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(main, ["roundup", "check-links", "--json"])
    assert result.exit_code == 1  # a dead link fails the check
    assert '"dead": 1' in result.stdout
