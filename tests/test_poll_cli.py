"""The poll, feeds status and posts list commands, including the daemon and its signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner
from httpserver import FeedServer, Reply, rss
from pollkit import write_opml

from curator.cli import main

pytestmark = pytest.mark.pg


@pytest.fixture
def env(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    with FeedServer() as server:
        urls = [server.route(f"/f{i}", Reply(body=rss([(f"g{i}-{j}", f"Post {j}",
                                                         f"http://b{i}.example/{j}")
                                                        for j in range(3)]), etag='"e"'))
                for i in range(3)]
        urls.append(server.route("/broken", Reply(status=500)))
        write_opml(tmp_path / "feeds.opml", urls, person="Pat Doe")
        monkeypatch.setenv("CURATOR_OPML", str(tmp_path / "feeds.opml"))
        monkeypatch.setenv("CURATOR_DB", str(tmp_path / "c.db"))
        yield server


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_poll_json_status_and_posts(env) -> None:
    result = run("poll", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["feeds"] == 4 and data["new_posts"] == 9 and data["errors"] == 1
    assert {o["status"] for o in data["outcomes"]} == {"ok", "error"}
    again = json.loads(run("poll", "--all", "--json").stdout)
    assert again["not_modified"] == 3 and again["new_posts"] == 0
    status = json.loads(run("feeds", "status", "--json").output)
    assert len(status) == 4
    broken = next(s for s in status if s["url"].endswith("/broken"))
    assert broken["status"] == "error" and broken["error_count"] == 2
    assert "500" in broken["last_error"]
    posts = json.loads(run("posts", "list", "--json").output)
    assert len(posts) == 9
    for key in ("id", "feed_url", "title", "link", "person", "published", "theme",
                "confidence", "why"):
        assert key in posts[0]
    assert posts[0]["person"] == "Pat Doe"
    text = run("posts", "list", "--since", "2026-01-01", "--limit", "2")
    assert text.exit_code == 0 and len(text.output.strip().splitlines()) == 3
    human = run("feeds", "status")
    assert human.exit_code == 0 and "HTTP 500" in human.output


def test_poll_text_summary_and_errors(env) -> None:
    result = run("poll")
    assert result.exit_code == 0
    assert result.output.startswith("polled 4 feeds: 9 new posts")
    assert "/broken: HTTP 500" in result.output
    bad = run("poll", "--feed", "http://nowhere.example/feed")
    assert bad.exit_code == 1 and bad.output.count("\n") == 1 and "no feed" in bad.output
    assert run("posts", "list", "--since", "someday").exit_code == 1
    assert run("poll", "--concurrency", "0").exit_code == 2
    assert run("poll", "--per-host", "0").exit_code == 2


def test_watch_daemon_stops_on_sigterm_and_holds_the_lock(env, tmp_path) -> None:
    cmd = [sys.executable, "-m", "curator", "poll", "--watch", "--every", "1s"]
    daemon = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ))
    lines: list[str] = []
    reader = threading.Thread(target=lines.extend, args=(daemon.stdout,), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not lines and time.monotonic() < deadline:
            time.sleep(0.1)
        assert env.hits("/f0") == 1
        second = run("poll", "--all")
        assert second.exit_code == 1 and "already running" in second.output
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        reader.join(timeout=10)
        err = daemon.stderr.read() if daemon.stderr else ""
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0, err
    assert "polled 4 feeds" in lines[0] and "stopped" in err
    assert "Traceback" not in err
    assert run("poll", "--all", "--json").exit_code == 0  # lock released


@pytest.mark.parametrize("line", ['per_host = "many"', "concurrency = 0", "per_host = 2.5",
                                  "concurrency = true"])
def test_a_bad_limit_in_config_is_one_line_and_exit_1(tmp_path, line) -> None:
    home = tmp_path / "home"
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"[poll]\n{line}\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "curator", "poll"], capture_output=True,
                         text=True, cwd=tmp_path, timeout=120,
                         env={"CURATOR_HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 1, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "[poll]" in lines[0] and "whole number" in lines[0], out.stderr


def test_progress_bar_on_a_terminal(env, tmp_path) -> None:
    """stderr on a terminal (a pty here) gets click's bar: feeds done, new posts, errors."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "curator", "poll"], stdout=subprocess.PIPE,
                            stderr=slave, text=True, env=dict(os.environ))
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    bar = seen.decode(errors="replace")
    assert "polling" in bar and "100%" in bar and "9 new, 1 errors" in bar, bar
    assert out.startswith("polled 4 feeds: 9 new posts")
