"""Habits users of click tools expect: completion, '-' for stdin/stdout, honest exit statuses,
exports that carry the author's own links and files that honour the umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserver import FeedServer, Reply, rss
from pollkit import write_opml

from curator.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "themes-small.jsonl"
OPML = (b'<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        b'<outline text="A" xmlUrl="https://a.example/feed"/>'
        b'<outline text="B" xmlUrl="https://b.example/feed"/></body></opml>')


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]  # noqa: A002
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CURATOR_OPML", str(tmp_path / "feeds.opml"))
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "c.db"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- completion -------------------------------------------------------------------------------

def test_click_completion_variable_prints_the_script(files: Path) -> None:
    """Through the real entry point, which opens the TUI when given no argument."""
    env = {**os.environ, "_CURATOR_COMPLETE": "bash_source"}
    result = subprocess.run([sys.executable, "-m", "curator"], env=env, capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "_curator_completion()" in result.stdout and "complete -o" in result.stdout
    env = {**os.environ, "_CURATOR_COMPLETE": "bash_complete", "COMP_WORDS": "curator fee",
           "COMP_CWORD": "1"}
    words = subprocess.run([sys.executable, "-m", "curator"], env=env, capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "plain,feeds" in words.stdout.splitlines()


@pytest.mark.parametrize(("shell", "marker"), [("bash", "_curator_completion()"),
                                               ("zsh", "#compdef curator"),
                                               ("fish", "complete --no-files --command curator")])
def test_completion_command(shell: str, marker: str) -> None:
    result = run("completion", shell)
    assert result.exit_code == 0 and marker in result.output
    assert run("completion", "powershell").exit_code == 2


# --- '-' means stdin / stdout -------------------------------------------------------------------

def test_feeds_import_and_export_dash(files: Path) -> None:
    result = run("feeds", "import", "-", input=OPML)
    assert result.exit_code == 0, result.output
    assert "added 2" in result.output
    exported = run("feeds", "export", "-")
    assert exported.exit_code == 0 and b"https://b.example/feed" in exported.stdout_bytes
    assert not (files / "-").exists()


def test_roundup_export_to_dash_is_stdout(files: Path) -> None:
    assert run("roundup", "new", "--title", "March").exit_code == 0
    result = run("roundup", "export", "--format", "md", "-o", "-")
    assert result.exit_code == 0 and "March" in result.output
    assert not (files / "-").exists()


def test_themes_eval_reads_stdin(files: Path) -> None:
    result = run("themes", "eval", "-", "--json", input=FIXTURE.read_bytes())
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == len(FIXTURE.read_text().splitlines())
    bom = run("themes", "eval", "-", "--json", input=b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    assert bom.exit_code == 0, bom.output  # a UTF-8 byte order mark is not a bad line
    both = run("themes", "eval", "-", "--train", "-", input=FIXTURE.read_bytes())
    assert both.exit_code == 2


# --- poll exit status ---------------------------------------------------------------------------

def test_poll_fails_when_every_feed_failed(files: Path) -> None:
    with FeedServer() as server:
        urls = [server.route(f"/bad{i}", Reply(status=500)) for i in range(3)]
        write_opml(files / "feeds.opml", urls)
        result = run("poll")
        assert result.exit_code == 1
        assert "polled 3 feeds" in result.stdout
        assert "every feed failed (3 of 3)" in result.stderr
        as_json = run("poll", "--all", "--json")
        assert as_json.exit_code == 1 and json.loads(as_json.stdout)["errors"] == 3


def test_poll_counts_failures_when_some_failed(files: Path) -> None:
    with FeedServer() as server:
        urls = [server.route("/ok", Reply(body=rss([("g", "Post", "http://b.example/1")]))),
                server.route("/bad", Reply(status=500))]
        write_opml(files / "feeds.opml", urls)
        result = run("poll")
        assert result.exit_code == 0
        assert "1 of 2 feeds failed" in result.stderr


# --- exports: the author's link, the umask ------------------------------------------------------

AUTHOR_LINKS = ["https://blog.example/post?amp", "https://blog.example/search?q=a%20b",
                "https://blog.example/page#part-2"]


def test_exports_carry_the_authors_own_links(files: Path) -> None:
    items = [(f"g{i}", f"Post {i}", link) for i, link in enumerate(AUTHOR_LINKS)]
    items.append(("g9", "Tracked", "https://blog.example/t?id=7&utm_source=feed"))
    with FeedServer() as server:
        write_opml(files / "feeds.opml", [server.route("/feed", Reply(body=rss(
            [(g, t, link.replace("&", "&amp;")) for g, t, link in items])))])
        assert run("poll").exit_code == 0
    posts = json.loads(run("posts", "list", "--json").stdout)
    assert run("roundup", "new", "--title", "March", "--since", "2000-01-01").exit_code == 0
    assert run("roundup", "pick", *[str(p["id"]) for p in posts]).exit_code == 0
    assert run("roundup", "link", "https://other.example/x?a&b=c%2Fd", "By hand").exit_code == 0
    for fmt in ("md", "html", "txt"):
        out = run("roundup", "export", "--format", fmt).output
        for link in AUTHOR_LINKS + ["https://other.example/x?a&b=c%2Fd"]:
            shown = link.replace("&", "&amp;") if fmt == "html" else link
            assert shown in out, (fmt, link)
        assert "utm_source" not in out  # tracking parameters are still dropped
        assert "https://blog.example/t?id=7" in out
        assert "?amp=" not in out and "q=a+b" not in out
    # the canonical form still recognises the story: picking it again is refused
    again = run("roundup", "link", "https://blog.example/post?amp=", "Same story")
    assert again.exit_code == 1 and "already in this draft" in again.stderr


@pytest.mark.parametrize(("mask", "mode"), [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_written_files_follow_the_umask(files: Path, mask: int, mode: int) -> None:
    old = os.umask(mask)
    try:
        assert run("roundup", "new", "--title", "March").exit_code == 0
        assert run("roundup", "export", "--format", "md", "-o", "out.md").exit_code == 0
        assert run("feeds", "add", "https://a.example/feed", "--no-discover").exit_code == 0
        assert run("feeds", "export", "list.opml").exit_code == 0
    finally:
        os.umask(old)
    for name in ("out.md", "list.opml", "feeds.opml"):
        assert stat.S_IMODE((files / name).stat().st_mode) == mode, name


def test_a_symlinked_feed_list_stays_a_symlink(files: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared-lists"
    shared.mkdir()
    (shared / "team.opml").write_bytes(OPML)
    os.symlink(shared / "team.opml", files / "linked.opml")
    monkeypatch.setenv("CURATOR_OPML", str(files / "linked.opml"))
    assert run("feeds", "add", "https://c.example/feed", "--no-discover").exit_code == 0
    assert (files / "linked.opml").is_symlink()
    assert b"https://c.example/feed" in (shared / "team.opml").read_bytes()
