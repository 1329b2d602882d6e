"""Faults and hostile servers: a killed poller never blocks the next, politeness that survives,
big feeds, a daemon that does not give up, and one clear line for every fault."""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator, reopen_curator, write_opml

from curator.classify.evaluate import load_jsonl
from curator.cli import main
from curator.errors import CuratorError
from curator.poll.parse import MAX_ENTRIES, parse_feed
from curator.poll.schedule import Policy, backoff_seconds, hint_seconds, retry_after_seconds
from curator.poll.transport import Resolver

# --- 3. politeness that survives ----------------------------------------------------------------

def test_huge_retry_after_and_max_age_are_clamped() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    assert retry_after_seconds("9" * 400, now) == 10 ** 9
    assert retry_after_seconds("9" * 5000, now) == 10 ** 9  # beyond int()'s digit limit
    assert hint_seconds({"cache-control": "max-age=" + "9" * 400}, None, now) == 10 ** 9


def test_failure_backoff_never_below_the_floor() -> None:
    policy = Policy(interval=600.0)  # [poll] interval = "10m"
    assert backoff_seconds(1, policy) == policy.floor
    assert backoff_seconds(3, policy) == 4 * policy.floor


def _siblings(server: FeedServer, first: Reply, n: int = 20) -> list[str]:
    return [server.route("/busy", first)] + [server.route(f"/s{i}", Reply(body=rss([(
        f"s{i}", "Post", f"http://s.example/{i}")]))) for i in range(n)]


def test_a_400_digit_retry_after_pauses_the_host_once(tmp_path: Path) -> None:
    with FeedServer() as server:
        urls = _siblings(server, Reply(status=429, headers={"Retry-After": "9" * 400}))
        cur = make_curator(tmp_path, urls)
        summary = cur.polls.poll(concurrency=1, per_host=1)
        assert len(server.requests) == 1  # the 429; its 20 siblings were left alone
        assert not any("internal error" in (o.error or "") for o in summary.outcomes)
        skipped = [o for o in summary.outcomes if o.url != urls[0]]
        assert all("asked us to wait" in (o.error or "") for o in skipped)
        cur.close()


def test_a_host_pause_is_remembered_and_honoured_by_forced_polls(tmp_path: Path) -> None:
    with FeedServer() as server:
        urls = _siblings(server, Reply(status=503, headers={"Retry-After": "7200"}), n=3)
        cur = make_curator(tmp_path, urls)
        cur.polls.poll(concurrency=1, per_host=1)
        assert len(server.requests) == 1
        cur.close()
        later = reopen_curator(tmp_path)  # another run, another process
        pauses = later.polls.host_pauses()
        assert 7000 < pauses["127.0.0.1"] <= 7200  # not 600
        summary = later.polls.poll(force=True)  # `poll --all`, the TUI's r
        assert len(server.requests) == 1  # nobody asked again
        note = summary.outcomes[0].error or ""
        assert "asked again after" in note
        status = {f.url: f for f in later.polls.feed_status()}
        assert all(status[u].next_due_at is not None for u in urls)
        later.close()


def test_the_per_host_cap_counts_servers_not_names(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Many subdomains of one blog platform share one server, and one limit."""
    async def lookup(self: Resolver, host: str, port: int) -> list[object]:
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(Resolver, "lookup", lookup)
    now = most = 0
    guard = threading.Lock()

    def counting(_headers: dict[str, str]) -> Reply:
        nonlocal now, most
        with guard:
            now += 1
            most = max(most, now)
        time.sleep(0.3)
        with guard:
            now -= 1
        return Reply(body=rss([("x", "Post", "http://x.example/")]))

    with FeedServer() as server:
        paths = [server.route_fn(f"/f{i}", counting) for i in range(8)]
        urls = [p.replace("127.0.0.1", f"blog{i}.platform.test") for i, p in enumerate(paths)]
        cur = make_curator(tmp_path, urls)
        summary = cur.polls.poll(concurrency=8, per_host=2)
        assert summary.errors == 0, [o.error for o in summary.outcomes]
        assert most == 2  # not 8: one server behind eight names
        cur.close()


# --- 4. big feeds -------------------------------------------------------------------------------

def _oldest_first(n: int) -> bytes:
    items = "".join(
        f"<item><guid>b{i}</guid><title>Post {i}</title><link>http://big.example/{i}</link>"
        f"<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(1.6e9 + i * 3600))}"
        f"</pubDate></item>" for i in range(n))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}'
            f"</channel></rss>").encode()


def test_a_big_oldest_first_feed_keeps_its_newest_entries(tmp_path: Path) -> None:
    n = MAX_ENTRIES + 200
    feed = parse_feed(_oldest_first(n), {}, "http://big.example/feed")
    assert len(feed.entries) == MAX_ENTRIES and feed.dropped == 200
    assert feed.entries[-1].title == f"Post {n - 1}" and feed.entries[0].title == "Post 200"
    with FeedServer() as server:
        url = server.route("/big", Reply(body=_oldest_first(n)))
        cur = make_curator(tmp_path, [url])
        assert cur.polls.poll().new_posts == MAX_ENTRIES
        [status] = cur.polls.feed_status()
        assert status.status == "ok"
        assert status.last_error == f"{n} entries in the feed: kept the newest {MAX_ENTRIES}"
        assert cur.posts.count_posts(search=f"Post {n - 1}") == 1
        cur.close()


# --- 5. a daemon that does not give up ---------------------------------------------------------

def test_watch_survives_a_malformed_feed_list(tmp_path: Path) -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(body=rss([("w1", "Watched", "http://w.example/1")])))
        opml = write_opml(tmp_path / "feeds.opml", [url])
        env = dict(os.environ, CURATOR_DB=str(tmp_path / "w.db"), CURATOR_OPML=str(opml))
        proc = subprocess.Popen([sys.executable, "-m", "curator", "poll", "--watch", "--every",
                                 "1s"], env=env, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while server.hits("/f") < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            opml.write_text("<opml><body><outline xmlUrl=", encoding="utf-8")  # mid-edit
            os.utime(opml, (time.time() + 5, time.time() + 5))
            time.sleep(2.5)
            assert proc.poll() is None  # still running
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "polling the feed list as last read" in err
        assert "Traceback" not in err


@pytest.mark.parametrize("every", ["99999999999999999999d", "-5m", "soon"])
def test_bad_durations_are_one_line(every: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "d.db"))
    result = CliRunner().invoke(main, ["poll", "--watch", "--every", every])
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output and result.exception is None or \
        isinstance(result.exception, SystemExit)
    assert "duration" in result.stderr


def test_ctrl_c_during_start_up_exits_130_quietly(tmp_path: Path) -> None:
    write_opml(tmp_path / "feeds.opml", ["https://a.example/feed"])
    env = dict(os.environ, CURATOR_DB=str(tmp_path / "c.db"),
               CURATOR_OPML=str(tmp_path / "feeds.opml"))
    for delay in (0.15, 0.3, 0.5):
        proc = subprocess.Popen([sys.executable, "-m", "curator", "feeds", "list"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        # 130 from curator, or killed by SIGINT itself before Python's handler was installed
        # (the shell reports that as 130 too); 0: it had finished before the signal
        assert proc.returncode in (130, -signal.SIGINT, 0), err


def test_ctrl_c_while_exiting_ends_the_process_without_a_traceback(tmp_path: Path) -> None:
    """Once the command's work is done, a Ctrl-C can land in an exit handler or a finalizer,
    where Python can only print it as a traceback ("Exception ignored in ..."): it ends the
    process instead, as the shell's default would. A slow exit handler holds that moment."""
    code = ("import atexit, sys, time\n"
            "atexit.register(lambda: (print('exiting', flush=True), time.sleep(20)))\n"
            "from curator.launch.entry import main\n"
            "sys.argv = ['curator', '--version']\n"
            "main()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(2)]  # the version, then the exit handler's
    assert lines[-1].strip() == "exiting", lines
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert proc.returncode in (130, -signal.SIGINT), (proc.returncode, err)


# --- 6. one clear line for every fault ---------------------------------------------------------

def _read_only_run(protect: Path, args: list[str], env: dict[str, str]
                   ) -> subprocess.CompletedProcess[str]:
    """Run curator with `protect` (a folder or a file) read-only for it, as a shared drive is.

    Root ignores file modes, so as root the child gets a private mount namespace in which
    `protect` is bind-mounted read-only; anyone else gets plain permissions.
    """
    command = [sys.executable, "-m", "curator", *args]
    if os.geteuid() != 0:
        protect.chmod(0o555 if protect.is_dir() else 0o444)
        try:
            return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        finally:
            protect.chmod(0o755 if protect.is_dir() else 0o644)
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to make a read-only mount as root")
    quoted = " ".join(shlex.quote(part) for part in command)
    script = (f"mount --bind {shlex.quote(str(protect))} {shlex.quote(str(protect))} && "
              f"mount -o remount,bind,ro {shlex.quote(str(protect))} && exec {quoted}")
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                          env=env, capture_output=True, text=True, timeout=60)


def test_read_only_database_and_folder_are_one_line(tmp_path: Path) -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(body=rss([("r1", "Read only", "http://r.example/1")])))
        shared = tmp_path / "shared"
        shared.mkdir()
        opml = write_opml(shared / "feeds.opml", [url])
        cur = make_curator(shared, [url])  # shared/curator.db
        cur.polls.poll()
        cur.close()
        db = shared / "curator.db"
        env = dict(os.environ, CURATOR_DB=str(db), CURATOR_OPML=str(opml),
                   PYTHONDONTWRITEBYTECODE="1")
        listed = _read_only_run(shared, ["posts", "list", "--json"], env)
        assert listed.returncode == 0, listed.stderr  # reading works in a read-only folder
        assert [p["title"] for p in json.loads(listed.stdout)] == ["Read only"]
        polled = _read_only_run(shared, ["poll", "--all"], env)
        assert polled.returncode == 1 and "Traceback" not in polled.stderr, polled.stderr
        assert len(polled.stderr.strip().splitlines()) == 1, polled.stderr
        assert "read-only" in polled.stderr.lower()
        polled = _read_only_run(db, ["poll", "--all"], env)  # the folder writable, the file not
        assert polled.returncode == 1 and "Traceback" not in polled.stderr, polled.stderr
        assert len(polled.stderr.strip().splitlines()) == 1, polled.stderr
        assert "read-only" in polled.stderr


@pytest.mark.parametrize(("line", "message"), [
    ("[" * 100_000, "line 1: nested too deeply"),
    ('{"title": NaN, "label": "tools"}', "line 1: NaN is not a value"),
    ('{"title": "x", "tags": "foi", "label": "tools"}', "'tags' must be a list of texts"),
    ('{"title": "x", "label": ["tools"]}', "'label' must be one theme slug"),
    ('{"title": 5, "label": "tools"}', "'title' must be text"),
    ('{"title": "x"}', "missing 'label'"),
])
def test_themes_eval_names_the_bad_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "fine", "label": "tools"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CuratorError, match=message.replace("line 1", "line 2")
                       .replace("[", r"\[").replace("]", r"\]")):
        load_jsonl(path, known=["tools", "openness"])
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + b'{"title": "fine", "label": "tools"}\n')
    assert len(load_jsonl(bom)) == 1


def test_a_utf8_feed_labelled_utf16_is_read_and_named() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\xc3\xa9</title>'
            b"<item><guid>1</guid><title>Na\xc3\xafve post</title></item></channel></rss>")
    assert len(body) % 2 == 0  # read as UTF-16 it is garbage, not an error
    feed = parse_feed(body, {"content-type": "application/rss+xml; charset=utf-16"},
                      "http://x.example/feed")
    assert [e.title for e in feed.entries] == ["Naïve post"]
    assert "charset=utf-16" in (feed.warning or "")


def test_a_redirect_to_data_names_the_scheme(tmp_path: Path) -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(status=302, location="data:text/xml,<rss/>"))
        cur = make_curator(tmp_path, [url])
        [outcome] = cur.polls.poll().outcomes
        assert "redirect to a non-http URL refused: data:" in (outcome.error or "")
        cur.close()


def test_watch_logs_and_exit_codes_have_no_traceback_for_a_bad_config(tmp_path: Path,
                                                                      curator_home: Path) -> None:
    config = curator_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[network]\nallow_private = "yes"\n')
    result = CliRunner().invoke(main, ["feeds", "list"])
    assert result.exit_code == 1 and "allow_private must be true or false" in result.stderr


def test_a_duration_in_config_is_bounded(curator_home: Path) -> None:
    config = curator_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[poll]\ninterval = "99999999999999999999d"\n')
    result = CliRunner().invoke(main, ["feeds", "list"])
    assert result.exit_code == 1 and "out of range" in result.stderr


@pytest.mark.parametrize("keys", ["q,ctrl+q,1"])
async def test_a_key_given_twice_in_config_is_reported(tmp_path: Path, keys: str) -> None:
    from curator.config import Settings
    from curator.paths import Locations
    from curator.services import Curator
    from curator.tui.app import make_app

    write_opml(tmp_path / "feeds.opml", [])
    curator = Curator(Locations.resolve(str(tmp_path / "c.db"), str(tmp_path / "feeds.opml")),
                      Settings(keys={"pick": keys}))
    app = make_app(curator, poll_on_start=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("mode-inbox" in n and "pick" in n for n in notes), notes
    curator.close()


def test_a_lock_left_by_a_dead_poller_is_taken_over_with_a_note(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with FeedServer() as server:
        url = server.route("/f", Reply(body=rss([("n1", "Note", "http://n.example/1")])))
        write_opml(tmp_path / "feeds.opml", [url])
        monkeypatch.setenv("CURATOR_OPML", str(tmp_path / "feeds.opml"))
        monkeypatch.setenv("CURATOR_DB", str(tmp_path / "n.db"))
        Path(str(tmp_path / "n.db") + ".poller.lock").write_text(dead.stdout)  # as a kill left it
        result = CliRunner().invoke(main, ["poll"])
        assert result.exit_code == 0, result.output
        assert f"(pid {dead.stdout.strip()}) ended without finishing" in result.stderr
        again = CliRunner().invoke(main, ["poll", "--all"])  # a clean end leaves no pid behind
        assert "ended without finishing" not in again.stderr
