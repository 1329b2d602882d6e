"""`--check-links` against a real HTTP server on 127.0.0.1: ok, redirected, dead, HEAD refused.

The check runs on curator.poll.fetch.Fetcher, so it inherits the poller's rules: tested here are the
ones a link check can see (HEAD then GET, redirect cap, 429 pause, non-http redirect refused).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from roundup_helpers import make_curator

from curator.cli import main
from curator.poll.linkcheck import USER_AGENT, check_urls
from curator.poll.network import Network

# the links here are on a loopback server: a link check reaches it only when private addresses
# are allowed ([network] allow_private); see test_links_to_private_addresses_are_refused
LOCAL = Network(allow_private=True)


class Server(ThreadingHTTPServer):
    seen: list[tuple[str, str, str]]  # (method, path, user agent) of every request


class Handler(BaseHTTPRequestHandler):
    server: Server

    def _reply(self, head: bool) -> None:
        self.server.seen.append((self.command, self.path, self.headers.get("User-Agent", "")))
        if self.path == "/ok":
            self._send(200)
        elif self.path == "/moved":
            self._empty(301, Location="/ok")
        elif self.path == "/loop":
            self._empty(302, Location="/loop")
        elif self.path.startswith("/chain/"):  # /chain/N: N redirects more, then /ok
            hops = int(self.path.rsplit("/", 1)[1])
            self._empty(302, Location=f"/chain/{hops - 1}" if hops else "/ok")
        elif self.path == "/to-file":
            self._empty(302, Location="file:///etc/passwd")
        elif self.path == "/busy":
            self._empty(429, **{"Retry-After": "60"})
        elif self.path == "/nohead":
            self._send(405 if head else 200)
        elif self.path == "/broken":
            self._send(500)
        else:
            self._send(404)

    def _empty(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

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
def httpd() -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def server(httpd: Server) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_check_urls_classifies_each_link(server: str) -> None:
    refused = f"http://127.0.0.1:{_closed_port()}/gone"
    urls = [f"{server}/ok", f"{server}/moved", f"{server}/missing", f"{server}/nohead",
            f"{server}/broken", f"{server}/loop", refused, "javascript:alert(1)", f"{server}/ok"]
    results = {r.url: r for r in check_urls(urls, timeout=5, network=LOCAL)}
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


def test_export_check_links_reports_dead_and_redirected(server: str, tmp_path,  # type: ignore[no-untyped-def]
                                                        curator_home) -> None:
    (curator_home / "config").mkdir(parents=True)
    (curator_home / "config" / "config.toml").write_text("[network]\nallow_private = true\n")
    cur = make_curator()
    cur.roundup.new_edition()
    ok = cur.roundup.add_link("Fine", f"{server}/ok")
    cur.roundup.add_link("Moved", f"{server}/moved")
    cur.roundup.add_link("Gone", f"{server}/missing")
    report = cur.roundup.check_links(timeout=5)
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


def test_head_first_get_only_when_refused_every_hop_keeps_head(httpd: Server, server: str) -> None:
    check_urls([f"{server}/ok", f"{server}/moved", f"{server}/nohead"], timeout=5,
               concurrency=1, network=LOCAL)
    assert [(m, p) for m, p, _a in httpd.seen] == [
        ("HEAD", "/ok"), ("HEAD", "/moved"), ("HEAD", "/ok"), ("HEAD", "/nohead"),
        ("GET", "/nohead")]
    assert {agent for _m, _p, agent in httpd.seen} == {USER_AGENT}
    assert "link check" in USER_AGENT


def test_redirect_cap_non_http_target_and_busy_host(httpd: Server, server: str) -> None:
    results = check_urls([f"{server}/chain/1", f"{server}/chain/2", f"{server}/to-file"],
                         timeout=5, max_redirects=2, network=LOCAL)
    assert [r.status for r in results] == ["redirected", "dead", "dead"]
    assert results[0].final_url == f"{server}/ok" and results[0].http_status == 302
    assert results[1].error == "too many redirects"
    assert "non-http" in (results[2].error or "") and "file:" in (results[2].error or "")
    httpd.seen.clear()
    busy, later = check_urls([f"{server}/busy", f"{server}/ok"], timeout=5, concurrency=1,
                             network=LOCAL)
    assert (busy.status, busy.http_status, busy.error) == ("dead", 429, "HTTP 429")
    # the host asked us to wait: its other links are reported unchecked, not hammered
    assert later.status == "dead" and "asked us to wait" in (later.error or "")
    assert [p for _m, p, _a in httpd.seen] == ["/busy"]


def test_links_to_private_addresses_are_refused(httpd: Server, server: str) -> None:
    """Links come from other people's feeds: none may reach the machine's own network."""
    port = server.rsplit(":", 1)[1]
    links = [f"{server}/admin/delete?all=1", f"http://localhost:{port}/admin",
             "http://169.254.169.254/latest/meta-data/", "http://2852039166/",
             "http://[fe80::1]/", "http://[::ffff:169.254.169.254]/", "http://0xa9fea9fe/"]
    results = check_urls(links, timeout=5)
    assert [r.status for r in results] == ["dead"] * len(links)
    assert "loopback address" in (results[0].error or "")
    assert "allow_private" in (results[0].error or "")
    assert all("metadata" in (r.error or "") or "link-local" in (r.error or "")
               for r in results[2:])
    assert httpd.seen == []  # nothing was sent


def test_publish_refuses_a_dead_link_found_only_in_section_text(  # type: ignore[no-untyped-def]
        server: str, curator_home) -> None:
    (curator_home / "config").mkdir(parents=True)
    (curator_home / "config" / "config.toml").write_text("[network]\nallow_private = true\n")
    cur = make_curator()
    cur.roundup.new_edition()
    cur.roundup.add_link("Fine", f"{server}/ok")
    cur.roundup.set_section_body("can-you-help",
                                 f"Fill in [the survey]({server}/missing) by Friday, or see "
                                 f"{server}/moved.")
    report = cur.roundup.check_links(timeout=5)
    by_url = {r.url: r for r in report.results}
    assert by_url[f"{server}/missing"].status == "dead"
    assert by_url[f"{server}/missing"].sections == ["Can you help"]
    assert by_url[f"{server}/moved"].status == "redirected"
    cur.close()

    runner = CliRunner()
    result = runner.invoke(main, ["roundup", "publish"])
    assert result.exit_code == 1
    assert "not published" in result.stderr and f"{server}/missing" in result.stderr
    assert "Can you help" in result.stderr and "Traceback" not in result.output
    assert '"status": "draft"' in runner.invoke(main, ["roundup", "list", "--json"]).stdout
    result = runner.invoke(main, ["roundup", "publish", "--force"])
    assert result.exit_code == 0, result.output
    assert "published" in result.stdout and "1 dead" in result.stderr
