"""Hostile feed text shows literally: no markup, no actions, no control sequences reach the screen."""

from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.text import Text

from curator.cli.demo_commands import demo_locations
from curator.config import Settings
from curator.services import Curator
from curator.tui.app import make_app
from curator.tui.screens.inbox_screen import InboxScreen
from tests.conftest import corpus_dir
from tests.tui_helpers import settle

FILES = ("markup-injection.rss", "terminal-escapes-charrefs.rss")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def hostile(tmp_path: Path):
    folder = corpus_dir("adversarial")
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    home = tmp_path / "hostile"
    locations = demo_locations(home)
    outlines = "".join(f'<outline type="rss" text="{name}" xmlUrl="{base}/{name}"/>'
                       for name in FILES)
    home.mkdir(parents=True)
    locations.opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}'
                              "</body></opml>", encoding="utf-8")
    curator = Curator(locations, Settings())
    curator.feeds.sync_opml()
    list(curator.polls.poll_iter(force=True))
    yield curator
    curator.close()
    httpd.shutdown()
    httpd.server_close()


async def test_markup_and_escapes_display_literally_and_do_nothing(hostile: Curator,
                                                                  tmp_path: Path) -> None:
    stored = {p.id: p for p in hostile.posts.list_posts()}
    assert any("[bold red]PWNED[/]" in p.title for p in stored.values())
    app = make_app(hostile, poll_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await settle(pilot, lambda: inbox.data_ready.is_set() and inbox.is_counted)
        assert set(inbox.posts) == set(stored)
        table = inbox.table
        for post_id, post in stored.items():
            cell = table.get_cell(f"p:{post_id}", "title")
            assert isinstance(cell, Text) and not cell.spans, "feed text must carry no styles"
            assert not CONTROL.search(cell.plain)
            if "[" in post.title and not CONTROL.search(post.title):
                assert cell.plain == post.title[:90] or cell.plain.endswith("…")
        # walk every row: the detail pane shows the raw text, never styled or linked
        for _ in range(len(stored) + 4):
            await pilot.press("down")
            detail = inbox.query_one("#detail").content
            if inbox.current_post is None:
                continue  # a theme header: the pane shows curator's own hint
            assert isinstance(detail, Text) and inbox.current_post.title[:20] in detail.plain
            assert not CONTROL.search(detail.plain)
            assert not any("link" in str(span.style) or "@click" in str(span.style)
                           for span in detail.spans)
        # clicking the hostile rows and the detail pane does nothing
        await pilot.click("#posts", offset=(10, 3))
        await pilot.click("#detail", offset=(2, 0))
        await settle(pilot)
        assert app.is_running and app.screen is inbox
        assert not (tmp_path / "owned.svg").exists() and not Path("/tmp/owned.svg").exists()
        screenshot = app.export_screenshot()
        assert "PWNED" in screenshot and "\x1b" not in screenshot
