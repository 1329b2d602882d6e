"""`curator feeds ...` through click's CliRunner and, for the error contract, a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from curator.cli import main
from curator.feeds.opml import OpmlDocument

pytestmark = pytest.mark.pg


def run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--opml", str(tmp_path / "feeds.opml"),
                                       "--db", str(tmp_path / "c.db"), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_add_list_edit_remove_round_trip(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "feeds", "add", "https://a.example/feed/", "--no-discover",
                       "--person", "Ann Smith", "--org", "Leeds City Council",
                       "--category", "Councils/Digital", "--theme", "openness",
                       "--title", "Ann's notes")
    assert code == 0 and "added Ann's notes" in out
    run(tmp_path, "feeds", "add", "https://b.example/rss.xml", "--no-discover")
    code, out, _ = run(tmp_path, "feeds", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["url"] for r in rows] == ["https://b.example/rss.xml",
                                                      "https://a.example/feed/"]
    ann = rows[1]
    assert {k: ann[k] for k in ("title", "person", "org", "category", "theme", "status")} == {
        "title": "Ann's notes", "person": "Ann Smith", "org": "Leeds City Council",
        "category": "Councils/Digital", "theme": "openness", "status": "new"}
    code, out, _ = run(tmp_path, "feeds", "edit", "https://a.example/feed/", "--person", "",
                       "--url", "https://a.example/atom.xml")
    assert code == 0 and "updated" in out
    code, out, _ = run(tmp_path, "feeds", "list")
    assert code == 0 and "https://a.example/atom.xml" in out and "Ann Smith" not in out
    code, out, _ = run(tmp_path, "feeds", "remove", "https://b.example/rss.xml")
    assert code == 0 and "removed" in out
    assert [f.url for f in OpmlDocument.load(tmp_path / "feeds.opml").feeds()] == [
        "https://a.example/atom.xml"]


def test_import_counts_and_export(tmp_path: Path) -> None:
    other = tmp_path / "in.opml"
    other.write_text("""<opml version="1.1"><head><title>x</title></head><body>
        <outline text="A" xmlUrl="https://a.example/feed"/>
        <outline text="A again" xmlUrl="HTTPS://A.EXAMPLE/feed"/>
        <outline text="Bad" xmlUrl="javascript:alert(1)"/>
        <outline text="Tools &amp; tips" xmlUrl="https://t.example/rss?a=1&b=2"/>
    </body></opml>""")
    code, out, err = run(tmp_path, "feeds", "import", str(other))
    assert code == 0 and "added 2, skipped 1 already subscribed, 1 invalid" in out
    assert "javascript" in err
    code, out, _ = run(tmp_path, "feeds", "export")
    assert code == 0 and out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert 'xmlUrl="https://t.example/rss?a=1&amp;b=2"' in out
    target = tmp_path / "out" / "copy.opml"
    code, _, _ = run(tmp_path, "feeds", "export", str(target))
    assert code == 0 and len(OpmlDocument.load(target).feeds()) == 2


@pytest.mark.parametrize(("setup", "args", "message"), [
    ("", ["feeds", "list"], "OPML file not found"),
    ("malformed", ["feeds", "list"], "not well-formed XML"),
    ("malformed", ["feeds", "add", "https://n.example/", "--no-discover"], "not well-formed"),
    ("", ["feeds", "import", "/nonexistent/x.opml"], "not found"),
    ("good", ["feeds", "add", "https://a.example/feed", "--no-discover"], "already subscribed"),
    ("good", ["feeds", "add", "javascript:alert(1)"], "javascript: is not http or https"),
    ("good", ["feeds", "add", "http://127.0.0.1:9/"], "cannot fetch"),
    ("good", ["feeds", "remove", "https://nope.example/"], "no feed with URL"),
    ("good", ["feeds", "edit", "https://a.example/feed", "--url", "data:x"], "data:"),
])
def test_user_errors_are_one_line_exit_1(tmp_path: Path, setup: str, args: list[str],
                                         message: str) -> None:
    opml = tmp_path / "feeds.opml"
    if setup == "malformed":
        opml.write_text("<opml><body><outline</body>")
    elif setup == "good":
        opml.write_text('<opml version="2.0"><body><outline text="a" '
                        'xmlUrl="https://a.example/feed"/></body></opml>')
    before = opml.read_bytes() if opml.exists() else None
    code, out, err = run(tmp_path, *args)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("curator: ") and message in err
    assert (opml.read_bytes() if opml.exists() else None) == before


def test_unwritable_target_is_one_line(tmp_path: Path) -> None:
    """Works as root too: the OPML path's parent is a regular file, so nothing can be created."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["--opml", str(blocker / "feeds.opml"), "--db",
                                       str(tmp_path / "c.db"), "feeds", "add",
                                       "https://x.example/feed", "--no-discover"])
    assert result.exit_code == 1 and result.stderr.startswith("curator: cannot")
    assert result.stderr.count("\n") == 1


def test_real_subprocess_error_and_success(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text("<opml version='2.0'><body><outline text='x' xmlUrl='https://x.example/'>"
                    "</body></opml>")
    env = {**os.environ, "CURATOR_OPML": str(opml), "CURATOR_DB": str(tmp_path / "c.db")}
    script = Path(sys.executable).with_name("curator")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "curator"]
    cmd += ["feeds", "list", "--json"]
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.startswith("curator: feeds.opml: not well-formed XML")
    assert "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
    opml.write_text("<opml version='2.0'><body><outline text='x' xmlUrl='https://x.example/'/>"
                    "</body></opml>")
    good = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0 and json.loads(good.stdout)[0]["url"] == "https://x.example/"


def test_add_homepage_discovers_feed_over_real_http(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages = {
        "/": (b'<html><head><title>Home</title><link rel="alternate" type="application/rss+xml"'
              b' href="/feed/"><link rel="alternate" type="application/atom+xml"'
              b' href="/atom.xml"></head></html>', "text/html"),
        "/feed/": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ann &amp; co'
                   b'</title></channel></rss>', "application/rss+xml"),
        "/plain/": (b"<html><head><title>No feed here</title></head></html>", "text/html"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body, ctype = pages.get(self.path, (b"missing", "text/plain"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        code, out, _ = run(tmp_path, "feeds", "add", base + "/", "--person", "Ann")
        assert code == 0
        assert f"found feed {base}/feed/ at {base}/" in out
        assert f"also offered: {base}/atom.xml" in out and "added Ann & co" in out
        code, out, err = run(tmp_path, "feeds", "add", base + "/plain/")
        assert code == 1 and out == "" and err.count("\n") == 1
        assert err.startswith(f"curator: no feed found at {base}/plain/")
    finally:
        httpd.shutdown()
        httpd.server_close()
    feed = OpmlDocument.load(tmp_path / "feeds.opml").feeds()[0]
    assert (feed.url, feed.title, feed.html_url, feed.person) == (
        base + "/feed/", "Ann & co", base + "/", "Ann")
