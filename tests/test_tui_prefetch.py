"""The bare `curator` start: the inbox's first page read ahead by a forked helper, the facade
built on first use, and the inbox's own load when the helper has nothing to give."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from curator.cli.demo_commands import demo_locations
from curator.config import Settings
from curator.demo import DemoServer
from curator.launch.deferred import DeferredCurator
from curator.launch.tui_session import TuiSession
from curator.services import Curator
from curator.tui.app import make_app
from curator.tui.inbox_page import PAGE, count_page, first_page
from curator.tui.prefetch import FirstPagePrefetch
from curator.tui.screens.inbox_screen import InboxScreen
from tests.tui_helpers import polled_template, settle

SIZE = (120, 40)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with DemoServer() as server:
        return polled_template(server, tmp_path_factory.mktemp("template") / "demo")


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "demo")
    return tmp_path / "demo"


def _shown(inbox: InboxScreen) -> list[tuple[str | None, int | None, list[int]]]:
    return [(g.slug, g.count, [p.id for p in g.posts]) for g in inbox.groups]


@pytest.fixture(params=["fork", "spawn"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both helpers: forked where fork exists, spawned where it does not (Windows)."""
    if request.param == "spawn":
        monkeypatch.delattr(os, "fork")
    return str(request.param)


def test_the_helper_sends_what_the_inbox_would_load(home: Path, start_method: str) -> None:
    locations = demo_locations(home)
    prefetch = FirstPagePrefetch.start(locations, Settings())
    assert (prefetch._process is None) == (start_method == "fork")  # type: ignore[union-attr]
    assert prefetch is not None and prefetch.pid > 0
    helper = prefetch.pid
    try:
        page, counts = prefetch.page(), prefetch.counts()
    finally:
        prefetch.close()
    curator = Curator(locations)
    try:
        expected = first_page(curator)
        assert page is not None and counts is not None
        assert page.groups == expected.groups and page.theme_names == expected.theme_names
        assert counts[0] == count_page(curator, expected)[0]
        everything = curator.posts.count_posts()
        assert sum(len(g.posts) for g in page.groups) == min(PAGE, everything)
        assert sum(counts[0].values()) == everything > 0
    finally:
        curator.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(helper, os.WNOHANG)  # reaped: no zombie left behind


async def test_bare_curator_start_shows_the_read_ahead_page_then_works_as_usual(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[object] = []
    original = FirstPagePrefetch.page

    def page(self: FirstPagePrefetch):  # type: ignore[no-untyped-def]
        received.append(original(self))
        return received[-1]

    monkeypatch.setattr(FirstPagePrefetch, "page", page)
    with TuiSession(demo_locations(home), poll_on_start=False) as app:
        assert isinstance(app.curator, DeferredCurator)
        async with app.run_test(size=SIZE) as pilot:
            inbox = app.screen
            assert isinstance(inbox, InboxScreen)
            await settle(pilot, lambda: inbox.is_counted)
            assert received and received[0] is not None  # the helper's page, not a fallback
            read_ahead = _shown(inbox)
            inbox.reload()  # the same inbox, loading by itself through the deferred facade
            await settle(pilot, lambda: inbox.is_counted)
            assert _shown(inbox) == read_ahead and inbox.posts
            inbox.query_one("#filter").value = "bin calendar"
            await settle(pilot, lambda: inbox.total == 1)


async def test_a_helper_with_nothing_to_give_means_the_inbox_loads_itself(
        home: Path) -> None:
    read_fd, write_fd = os.pipe()
    os.close(write_fd)  # as if the helper died before answering
    curator = Curator(demo_locations(home))
    try:
        app = make_app(curator, poll_on_start=False, prefetch=FirstPagePrefetch(0, read_fd))
        async with app.run_test(size=SIZE) as pilot:
            inbox = app.screen
            assert isinstance(inbox, InboxScreen)
            await settle(pilot, lambda: inbox.is_counted)
            assert inbox.total == curator.posts.count_posts() > 0 and inbox.posts
            assert app.take_prefetch() is None  # taken once, by the first load
    finally:
        curator.close()


def test_the_deferred_facade_builds_one_curator_on_first_use(home: Path) -> None:
    deferred = DeferredCurator(demo_locations(home))
    assert deferred.settings is not None and deferred._real is None
    built: list[Curator] = []
    threads = [threading.Thread(target=lambda: built.append(deferred.real)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(c) for c in built}) == 1
    assert deferred.posts.count_posts() == built[0].posts.count_posts() > 0
    deferred.close()
    DeferredCurator(demo_locations(home)).close()  # never used: nothing to close, no import
