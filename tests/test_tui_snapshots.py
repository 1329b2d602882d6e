"""Snapshots of every screen at a fixed size, on demo data with fixed dates and a fixed port.

Update after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update` and
look at the SVGs in tests/__snapshots__ before committing them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from curator.demo import DemoServer, build_site, expected_themes
from curator.services import Curator
from curator.tui.app import make_app
from tests.tui_helpers import FIXED_NOW, polled_curator, settle

SIZE = (120, 36)
STABLE = "http://127.0.0.1:8000"


@pytest.fixture
def curator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with DemoServer(now=FIXED_NOW) as server:
        facade = polled_curator(server, tmp_path / "snap")
        base = server.base_url
    with facade.context.db.write() as session:  # the ephemeral port would change every run
        for table, column in (("post", "link"), ("feed", "url"), ("feed", "html_url")):
            session.execute(text(f"UPDATE {table} SET {column} = replace({column}, :a, :b)"),
                            {"a": base, "b": STABLE})
        # themes from the demo's answer key, so classifier changes do not move the pictures
        for title, theme in expected_themes(build_site(FIXED_NOW)).items():
            session.execute(text("UPDATE post SET theme = :t, theme_confidence = :c, "
                                 "theme_why = 'the demo answer key' WHERE title = :title"),
                            {"t": theme, "c": 0.42 if theme == "other" else 0.87,
                             "title": title})
    facade.roundup.new_edition(title="From the blogs! #1", since="2026-02-01", until="2026-03-02")
    real_stats = facade.themes.classifier_stats
    monkeypatch.setattr(facade.themes, "classifier_stats",
                        lambda: replace(real_stats(), trained_at=None))  # a clock, not data
    yield facade
    facade.close()


def _app(curator: Curator):
    return make_app(curator, poll_on_start=False)


async def _ready(pilot) -> None:
    screen = pilot.app.screen
    await settle(pilot, lambda: screen.data_ready.is_set()
                 and getattr(screen, "is_counted", True))


def test_inbox_grouped(snap_compare, curator: Curator) -> None:
    assert snap_compare(_app(curator), terminal_size=SIZE, run_before=_ready)


def test_inbox_searched_and_picked(snap_compare, curator: Curator) -> None:
    async def run(pilot) -> None:
        await _ready(pilot)
        screen = pilot.app.screen
        screen.query_one("#filter").value = "open data"
        await settle(pilot, lambda: screen.is_counted and screen.total < 30)
        await pilot.press("down", "space")
        await settle(pilot, lambda: curator.posts.count_posts(picked=True) == 1)

    assert snap_compare(_app(curator), terminal_size=SIZE, run_before=run)


def test_roundup_editor(snap_compare, curator: Curator) -> None:
    posts = curator.posts.list_posts(limit=4)
    curator.roundup.pick([p.id for p in posts])
    item = curator.roundup.get_edition().items[0]
    curator.roundup.set_blurb(item.id, "Gareth's [weekly spending data] post is a model of openness.")

    async def run(pilot) -> None:
        await pilot.press("2")
        await settle(pilot, lambda: pilot.app.screen.data_ready.is_set())

    assert snap_compare(_app(curator), terminal_size=SIZE, run_before=run)


def test_feeds(snap_compare, curator: Curator) -> None:
    async def run(pilot) -> None:
        await pilot.press("3")
        await settle(pilot, lambda: pilot.app.screen.data_ready.is_set())
        await pilot.pause()  # the detail pane and table widths settle on the next refresh

    assert snap_compare(_app(curator), terminal_size=SIZE, run_before=run)


def test_themes(snap_compare, curator: Curator) -> None:
    async def run(pilot) -> None:
        await pilot.press("4")
        await settle(pilot, lambda: pilot.app.screen.data_ready.is_set()
                     and pilot.app.screen.query_one("#theme-table").row_count > 0)
        await pilot.pause()  # the tables size their columns on the next refresh

    assert snap_compare(_app(curator), terminal_size=SIZE, run_before=run)


def test_help_in_light_theme(snap_compare, curator: Curator) -> None:
    async def run(pilot) -> None:
        await _ready(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(_app(curator), terminal_size=SIZE, run_before=run)
