"""Inbox at scale: a page of rows per keystroke, more as the cursor reaches the end, capped counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbkit import bulk_posts
from pollkit import make_curator

from curator.services import Curator
from curator.tui.app import make_app
from curator.tui.row_render import COUNT_CAP
from curator.tui.screens.inbox_screen import PAGE, InboxScreen
from tests.tui_helpers import settle

pytestmark = pytest.mark.pg

TOOLS = COUNT_CAP + 100  # more than the cap in one theme
OTHER = 30


@pytest.fixture
def curator(tmp_path: Path):
    c = make_curator(tmp_path, [])
    rows = [(f"Post {i} {'tools' if i < TOOLS else 'other'}", f"http://a.example/{i}",
             f"2026-10-01 09:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1_000_000:06d}",
             "tools" if i < TOOLS else "other", "text") for i in range(TOOLS + OTHER)]
    bulk_posts(c, ("title", "link", "published", "theme", "summary"), rows, feed_title="Alpha")
    yield c
    c.close()


def _inbox(app) -> InboxScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


async def test_counts_stop_at_the_cap(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = _inbox(app)
        await settle(pilot, lambda: inbox.is_counted)
        counts = {g.slug: g.count for g in inbox.groups}
        assert counts["tools"] == COUNT_CAP + 1 and counts["other"] == OTHER
        assert inbox.total_capped and inbox.total == COUNT_CAP + OTHER
        assert f"{COUNT_CAP + OTHER:,}+ posts" in inbox.status.local
        header = inbox.table.get_cell("g:tools", "title").plain
        assert f"{COUNT_CAP:,}+" in header
        assert len(inbox.posts) == PAGE  # one page, however many posts match
        # an exact figure where the count is small
        inbox.query_one("#filter").value = "theme:other"
        await settle(pilot, lambda: inbox.is_counted)
        assert inbox.total == OTHER and not inbox.total_capped
        assert f"{OTHER} posts" in inbox.status.local


async def test_reaching_the_end_of_a_page_loads_the_next(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = _inbox(app)
        await settle(pilot, lambda: inbox.is_counted)
        await pilot.press("v")  # one list, newest first
        await settle(pilot, lambda: not inbox.grouped and inbox.is_counted)
        assert len(inbox.posts) == PAGE and "more:*" in inbox.table.rows
        await pilot.press("end")  # onto "… more": the next page arrives by itself
        await settle(pilot, lambda: len(inbox.posts) == 2 * PAGE)
        # the cursor stays where it was: on the first post of the new page
        assert inbox.table.cursor_row == PAGE
        assert inbox.current_post is not None
        titles = [p.title for p in inbox.posts.values()]
        assert titles == [p.title for p in curator.posts.list_posts(limit=2 * PAGE)]
