"""The TUI under writes that race: quick keys, and another editor saving from the CLI."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from curator.demo import DemoServer
from curator.roundup.views import SectionView
from curator.services import Curator
from curator.tui.app import make_app
from curator.tui.screens.inbox_screen import InboxScreen
from curator.tui.screens.modals import TextEditor
from tests.tui_helpers import (
    curator_from_copy,
    polled_template,
    record_notifications,
    select_in_tree,
    settle,
)

pytestmark = pytest.mark.pg

SIZE = (120, 40)
BIG_NEWS = "The big news"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with DemoServer() as server:
        return polled_template(server, tmp_path_factory.mktemp("template") / "demo")


@pytest.fixture
def curator(template: Path, tmp_path: Path):
    facade = curator_from_copy(template, tmp_path / "demo")
    yield facade
    facade.close()


def _cli(curator: Curator, *args: str) -> None:
    """Another editor, in another process, on the same database and feed list."""
    subprocess.run([sys.executable, "-m", "curator", "--db", curator.locations.db,
                    "--opml", str(curator.locations.opml), *args],
                   check=True, capture_output=True, text=True, timeout=60)


def _big_news(screen: object) -> str | None:
    view = getattr(screen, "view", None)
    if view is None:
        return None
    return next(s.body for s in view.sections if s.title == BIG_NEWS)


async def test_two_quick_picks_with_no_draft_give_one_draft_with_both(curator: Curator) -> None:
    assert curator.roundup.draft_edition() is None
    app = make_app(curator, poll_on_start=False)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await settle(pilot, lambda: inbox.data_ready.is_set())
        first = inbox.current_post
        await pilot.press("space", "down")  # no waiting between the keys: a quick typist
        second = inbox.current_post
        await pilot.press("space")
        await settle(pilot)
        assert first is not None and second is not None and first.id != second.id
    assert [e.status for e in curator.roundup.list_editions()] == ["draft"]
    assert sorted(i.post_id for i in curator.roundup.get_edition().items) == \
        sorted([first.id, second.id])
    assert not [n for n in notes if n.startswith("error")], notes


async def test_a_cli_change_shows_and_a_stale_save_is_refused(curator: Curator) -> None:
    curator.roundup.new_edition()
    app = make_app(curator, poll_on_start=False)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        roundup = app.screen
        await settle(pilot, lambda: _big_news(roundup) is not None)
        loop = asyncio.get_running_loop()
        # another editor saves "The big news" from the CLI: the open screen shows it within 2 s
        _cli(curator, "roundup", "section", "text", BIG_NEWS, "Theirs: budget vote tonight.")
        saved_at = loop.time()
        await settle(pilot, lambda: _big_news(roundup) == "Theirs: budget vote tonight.",
                     timeout=2.0)
        assert loop.time() - saved_at < 2.0
        assert "Theirs: budget vote tonight." in roundup.markdown  # the preview too
        # the facilitator opens the text; meanwhile the other editor saves again
        await select_in_tree(pilot, roundup, lambda d: isinstance(d, SectionView)
                             and d.title == BIG_NEWS)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, TextEditor))
        _cli(curator, "roundup", "section", "text", BIG_NEWS, "Theirs, take two.")
        await settle(pilot, lambda: _big_news(roundup) == "Theirs, take two.", timeout=2.0)
        editor = app.screen.query_one("#editor")
        editor.text = "Mine: written over the first version."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any("Not saved" in n or "changed elsewhere" in n
                                        for n in notes))
    refused = [n for n in notes if "changed elsewhere" in n]
    assert refused and "clipboard" in refused[0], notes
    assert next(s.body for s in curator.roundup.get_edition().sections
                if s.title == BIG_NEWS) == "Theirs, take two."  # their words were kept
