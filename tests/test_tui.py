"""Pilot tests of the TUI flows on a real loopback demo server and a temporary database."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from curator.demo import DemoServer
from curator.services import Curator
from curator.tui.app import make_app
from curator.tui.screens.feeds_screen import FeedsScreen
from curator.tui.screens.inbox_screen import InboxScreen
from curator.tui.screens.roundup_screen import RoundupScreen
from curator.tui.screens.screen_base import SteadyFooter
from tests.tui_helpers import (
    curator_from_copy,
    modal_open,
    modal_text,
    poll_finished,
    polled_template,
    record_notifications,
    select_in_tree,
    settle,
)

pytestmark = pytest.mark.pg

SIZE = (120, 40)


@pytest.fixture(scope="module")
def server():
    with DemoServer() as demo:
        yield demo


@pytest.fixture(scope="module")
def template(server: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return polled_template(server, tmp_path_factory.mktemp("template") / "demo")


@pytest.fixture
def curator(template: Path, tmp_path: Path):
    facade = curator_from_copy(template, tmp_path / "demo")
    yield facade
    facade.close()


def feed_list(curator: Curator) -> str:
    """The feed list as OPML: feeds.opml, or on a server the database's list (no file there)."""
    if curator.context.db.shared:
        return curator.feeds.export_opml().decode("utf-8")
    return curator.locations.opml.read_text(encoding="utf-8")


async def open_roundup(pilot, ready=lambda view: True) -> RoundupScreen:  # type: ignore[no-untyped-def]
    """Press 2 and wait until the roundup editor shows its edition (and `ready(view)`)."""
    await pilot.press("2")
    roundup = pilot.app.screen
    assert isinstance(roundup, RoundupScreen)
    await settle(pilot, lambda: roundup.view is not None and ready(roundup.view))
    return roundup


def inbox_of(app) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


async def test_inbox_groups_posts_by_theme_and_shows_detail(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.is_counted)
        themes = [t.slug for t in curator.themes.list_themes()]
        assert [g.slug for g in inbox.groups] == themes
        assert sum(g.count for g in inbox.groups) == curator.posts.count_posts()
        post = inbox.current_post
        assert post is not None
        detail = str(inbox.query_one("#detail").content)
        assert post.title in detail and (post.link or "") in detail
        # collapse the first group: its rows go, its header stays with the count
        await pilot.press("up", "enter")
        await settle(pilot, lambda: inbox.groups[0].collapsed)
        assert inbox.groups[0].collapsed and inbox.groups[0].posts == []
        assert f"g:{themes[0]}" in inbox.table.rows


async def test_search_and_filters_narrow_the_inbox(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.data_ready.is_set())
        await pilot.press("slash")
        await pilot.press(*"bin calendar")
        await settle(pilot, lambda: inbox.total == 1)
        assert [p.title for p in inbox.posts.values()] == ["Weeknotes 41: the bin calendar finally ships"]
        await pilot.press("escape")
        await settle(pilot, lambda: inbox.total == curator.posts.count_posts())
        inbox.query_one("#filter").value = "theme:tools"
        await settle(pilot, lambda: inbox.total == curator.posts.count_posts(theme="tools"))
        assert {p.theme for p in inbox.posts.values()} == {"tools"}
        [cafe] = [f for f in curator.feeds.list_feeds() if f.person == "Tomasz Nowak"]
        inbox.query_one("#filter").value = "feed:nowak"  # a person names the blog
        await settle(pilot, lambda: inbox.total == curator.posts.count_posts(feed_url=cafe.url))
        assert {p.feed_url for p in inbox.posts.values()} == {cafe.url} and cafe.post_count > 0
        curator.posts.mark_read([p.id for p in curator.posts.list_posts(limit=5)], read=True)
        inbox.query_one("#filter").value = "unread"
        await settle(pilot, lambda: inbox.total == curator.posts.count_posts(unread_only=True))
        assert inbox.posts and not any(p.read for p in inbox.posts.values())
        if curator.roundup.draft_edition() is None:
            curator.roundup.new_edition(title="Filters")
        curator.roundup.pick([p.id for p in curator.posts.list_posts(limit=2)])
        inbox.query_one("#filter").value = "picked"
        await settle(pilot, lambda: inbox.total == 2)
        assert all(p.picked for p in inbox.posts.values())
        inbox.query_one("#filter").value = "since:nonsense"
        await settle(pilot, lambda: "not a date" in inbox.status.local)


async def test_pick_blurb_reorder_export(curator: Curator, tmp_path: Path) -> None:
    app = make_app(curator, poll_on_start=False)
    record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.data_ready.is_set())
        picked = []
        for _ in range(3):
            picked.append(inbox.current_post.title)
            await pilot.press("space")
            await settle(pilot)
            await pilot.press("down")
        assert curator.posts.count_posts(picked=True) == 3
        assert all(p.picked for p in inbox.posts.values() if p.title in picked)
        roundup = await open_roundup(pilot, lambda view: len(view.items) == 3)
        items = roundup.view.items
        first = items[0]
        section_items = [i for i in items if i.section_id == first.section_id]
        tree = roundup.query_one("#edition-tree")
        # put the cursor on the first item and write a blurb
        # (settle between keys: a late reload rebuilds the tree and may move the cursor)
        def on_first() -> bool:
            node = tree.cursor_node
            return bool(node and getattr(node.data, "id", None) == first.id
                        and node.data.__class__.__name__ == "ItemView")

        for _ in range(60):
            await settle(pilot)
            tree.focus()  # arrow keys must reach the tree, not the preview
            if on_first():
                break
            await pilot.press("down")
        assert on_first(), "the cursor never reached the first item"
        await pilot.press("e")
        await settle(pilot, lambda: bool(app.screen.query("#editor")))
        assert "Blurb for:" in str(app.screen.query_one(".dialog-title").render())
        editor = app.screen.query_one("#editor")
        editor.text = "A brilliant read: [the bin calendar story] from Calderbrook."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any(i.custom_blurb for i in roundup.view.items))
        if len(section_items) > 1:
            await pilot.press("J")
            await settle(pilot, lambda: [i.id for i in roundup.view.items
                                         if i.section_id == first.section_id][1] == first.id)
        target = tmp_path / "out" / "roundup.md"
        target.parent.mkdir()
        await pilot.press("x")
        await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: target.exists())
        text = target.read_text(encoding="utf-8")
        assert "A brilliant read: [the bin calendar story]" in text
        others = [i.blurb_parts.link_text for i in roundup.view.items if i.id != first.id]
        for title in others:  # each as its blurb reads it ("… writes about how we ran …")
            assert title in text
        if len(section_items) > 1:  # moved down one place: after the section's next item
            after = next(i.blurb_parts.link_text for i in section_items if i.id != first.id)
            assert text.index(after) < text.index("A brilliant read")


async def test_retheme_records_a_correction(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.data_ready.is_set())
        post = inbox.current_post
        themes = [t.slug for t in curator.themes.list_themes()]
        target = next(slug for slug in themes if slug != post.theme)
        await pilot.press("t")
        await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
        await pilot.press(str(themes.index(target) + 1))
        await settle(pilot, lambda: curator.posts.get_post(post.id).theme == target)
        fresh = curator.posts.get_post(post.id)
        assert fresh.theme_source == "user"


async def test_background_poll_brings_new_posts_without_moving_the_cursor(
        curator: Curator, server: DemoServer) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.data_ready.is_set())
        await pilot.press("down", "down", "down")
        before = inbox.current_post
        total = inbox.total
        server.add_post("library-lab", "Lending e-readers to care homes",
                        "Our new device library pilot for residents of care homes.")
        await pilot.press("r")
        await pilot.press("down", "up")  # keep navigating while the poll runs
        await settle(pilot, lambda: poll_finished(app) and inbox.total == total + 1)
        assert inbox.current_post is not None and inbox.current_post.id == before.id
        assert "1 new" in app.poll_status


async def test_add_feed_by_homepage_rewrites_the_opml(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    with DemoServer() as other:  # a second host: same blogs on another port
        home = other.base_url + "/data-cafe/"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            feeds = app.screen
            assert isinstance(feeds, FeedsScreen)
            await settle(pilot, lambda: feeds.data_ready.is_set())
            count = len(feeds.feeds)
            await pilot.press("a")
            await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
            app.screen.query_one("#field-url").value = home
            app.screen.query_one("#field-person").value = "Tomasz Nowak"
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: len(feeds.feeds) == count + 1)
        opml = feed_list(curator)
        assert other.base_url + "/data-cafe/atom.xml" in opml


async def test_a_failing_worker_becomes_a_notification(curator: Curator, monkeypatch) -> None:
    def boom(*_args, **_kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(curator.posts, "list_posts", boom)
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        assert any("database on fire" in str(n.message) for n in app._notifications)


async def test_footer_shows_the_keys_and_is_rebuilt_only_when_they_change(
        curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.is_counted)
        footer = inbox.query_one(SteadyFooter)
        await settle(pilot, lambda: bool(footer.query(FooterKey)))  # shown after the first rows
        keys = [str(k.key) for k in footer.query(FooterKey)]
        assert "space" in keys and "slash" in keys  # pick and filter, from the inbox bindings
        before = id(footer.query(FooterKey).first())
        inbox.refresh_bindings()  # "bindings updated" (Textual says it on every focus move...)
        await pilot.press("down", "down", "up")
        await settle(pilot)
        assert id(footer.query(FooterKey).first()) == before  # ...the same keys: not rebuilt
        await pilot.press("slash")  # the filter box has other keys
        await settle(pilot, lambda: "space" not in [str(k.key) for k in footer.query(FooterKey)])


async def test_keymap_from_config_remaps_a_binding(curator: Curator) -> None:
    curator.settings.keys = {"pick": "p"}
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.data_ready.is_set())
        await pilot.press("p")
        await settle(pilot, lambda: curator.posts.count_posts(picked=True) == 1)
        await pilot.press("question_mark")
        await settle(pilot, lambda: bool(app.screen.query("#help-table")))
        help_rows = [app.screen.query_one("#help-table").get_row_at(i)
                     for i in range(app.screen.query_one("#help-table").row_count)]
        assert any(row[3] == "pick" and row[1] == "p" for row in help_rows)
        ids = {row[3] for row in help_rows}
        assert {"pick", "retheme", "open", "search", "edit", "export", "feed-add", "poll"} <= ids


async def test_retheme_teaches_the_classifier(curator: Curator, server: DemoServer) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.data_ready.is_set())
        inbox.query_one("#filter").value = "love language"
        await settle(pilot, lambda: len(inbox.posts) == 1)
        post = inbox.current_post
        assert post is not None and post.title == "CSV is a love language"
        themes = [t.slug for t in curator.themes.list_themes()]
        target = "other" if post.theme != "other" else "openness"
        await pilot.press("escape")  # back to the list (the filter stays)
        inbox.table.focus()
        await pilot.press("t", str(themes.index(target) + 1))
        await settle(pilot, lambda: curator.posts.get_post(post.id).theme == target)
        # a near-identical new post now lands in the corrected theme
        server.add_post("open-by-default", "CSV is a love language (part two)",
                        "A short defence of the humble CSV file, with more tips for publishing "
                        "files that open cleanly in every spreadsheet.", tags=("csv", "data"))
        await pilot.press("r")
        await settle(pilot, lambda: poll_finished(app))
        [fresh] = [p for p in curator.posts.list_posts(search="love language")
                   if p.title.endswith("(part two)")]
        assert fresh.theme == target, fresh.why


@contextmanager
def another_poller(curator: Curator) -> Iterator[object]:
    """What a `curator poll --watch` daemon holds while it runs: the lock beside a database
    file, or a registered place in the fleet on a server. Yields what `_poll_locked` takes."""
    if curator.context.db.shared:
        from curator.services.fleet_member import FleetMember

        member = FleetMember(curator.context.db, "watch", 60).join()
        try:
            yield member
        finally:
            member.leave()
        return
    from curator.poll.lock import PollerLock

    lock = PollerLock(curator.locations.db, curator.locations.cache_dir)
    lock.acquire()
    try:
        yield None
    finally:
        lock.release()


async def test_a_running_daemon_means_no_second_poll_but_its_posts_show_within_2_s(
        curator: Curator, server: DemoServer) -> None:
    daemon = Curator(curator.locations)  # the daemon's own process, as it were
    with another_poller(daemon) as member:
        app = make_app(curator, poll_on_start=False)
        async with app.run_test(size=SIZE) as pilot:
            inbox = inbox_of(app)
            await settle(pilot, lambda: inbox.is_counted)
            total = inbox.total
            server.add_post("comms-desk", "A post only the daemon should fetch", "Daemon food.")
            await pilot.press("r")
            await settle(pilot, lambda: poll_finished(app))
            assert "another poller" in app.poll_status
            assert curator.posts.count_posts(search="daemon food") == 0
            # the daemon's pass stores the post: the open inbox shows it within 2 s, unasked
            outcomes = await asyncio.to_thread(lambda: list(daemon.polls._poll_locked(
                True, None, None, None, member=member)))  # type: ignore[arg-type]
            stored = time.monotonic()
            new = sum(o.new_posts for o in outcomes)  # earlier tests' posts may come too
            assert new >= 1
            await settle(pilot, lambda: inbox.total == total + new)
            assert time.monotonic() - stored < 2.0
    daemon.close()


async def test_themes_screen_adds_a_rule_after_a_dry_run(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        themes = app.screen
        await settle(pilot, lambda: themes.data_ready.is_set())
        await pilot.press("a")
        await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
        app.screen.query_one("#field-pattern").value = "spreadsheet"
        app.screen.query_one("#field-theme").value = "tools"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "would move" in str(getattr(app.screen, "question", "")))
        assert curator.themes.list_rules() == []  # nothing changes before the answer
        await pilot.press("y")
        await settle(pilot, lambda: len(curator.themes.list_rules()) == 1)
        await settle(pilot, lambda: len(themes.rules) == 1)
        assert curator.themes.list_rules()[0].pattern == "spreadsheet"


async def test_command_palette_offers_every_screen_action(curator: Curator) -> None:
    """One palette: from the inbox, the roundup's export is there and runs on its screen."""
    curator.roundup.new_edition(title="March")
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: inbox_of(app).data_ready.is_set())
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Inbox: Pick / unpick for the draft edition", "Inbox: Move the post to another "
                "theme", "Roundup: Export to a file (md, html, txt)", "Feeds: Add a feed URL or a "
                "blog homepage", "Themes: Retrain the classifier", "Roundup", "Poll",
                "Help", "Colours", "Quit"} <= titles
        assert "Theme" not in titles  # colours are "Colours", a post's theme is the inbox's
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
        await pilot.press(*"export to a file")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "ExportDialog")
        assert isinstance(app.screen_stack[-2], RoundupScreen)


async def test_roundup_link_section_order_and_publish(curator: Curator, tmp_path: Path) -> None:
    curator.roundup.new_edition(title="Test edition")
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        roundup = await open_roundup(pilot)
        first, second = roundup.view.sections[0], roundup.view.sections[1]
        await pilot.press("J")  # the cursor starts on the first section: move it down
        await settle(pilot, lambda: roundup.view.sections[1].id == first.id)
        assert roundup.view.sections[0].id == second.id
        await pilot.press("a")
        await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
        # a link on this machine: the check refuses it at once ([network] allow_private is off)
        app.screen.query_one("#field-url").value = "http://127.0.0.1:9/unconf"
        app.screen.query_one("#field-title").value = "UnConf North tickets"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: len(roundup.view.items) == 1)
        assert roundup.view.items[0].link == "http://127.0.0.1:9/unconf"
        await pilot.press("P")
        await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
        await pilot.press("y")
        # the link check found the link dead: the screen asks before publishing anyway
        await settle(pilot, lambda: modal_open(app) and "Publish anyway" in modal_text(app))
        assert "127.0.0.1:9/unconf" in modal_text(app)
        assert roundup.view.info.status == "draft"
        await pilot.press("y")
        await settle(pilot, lambda: roundup.view.info.status == "published")
        assert curator.roundup.draft_edition() is None
        # the feeds screen writes the OPML out where asked
        await pilot.press("3", "x")
        await settle(pilot, lambda: modal_open(app))  # keys must reach the dialog
        target = tmp_path / "out.opml"
        app.screen.query_one("#field-path").value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: target.exists())
        assert "curator:person" in target.read_text(encoding="utf-8")


async def test_start_up_poll_waits_for_the_first_rows(curator: Curator, server: DemoServer) -> None:
    """The first poll starts once the inbox has shown its rows, not while it is loading them."""
    app = make_app(curator, poll_on_start=True)
    shown_when_poll_started: list[bool] = []
    original = app.poll_feeds

    def watched(force: bool):  # type: ignore[no-untyped-def]
        shown_when_poll_started.append(app.screen.data_ready.is_set())
        return original(force)

    app.poll_feeds = watched  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: poll_finished(app))
        assert shown_when_poll_started and shown_when_poll_started[0]
        assert inbox.data_ready.is_set()


async def test_a_late_answer_from_an_older_load_does_not_win(curator: Curator) -> None:
    """Cancelling a thread worker only flags it: its answer may arrive after a newer load's."""
    if curator.roundup.draft_edition() is None:
        curator.roundup.new_edition(title="Before")
    curator.roundup.rename_edition("Before")
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        roundup = await open_roundup(pilot)
        original = curator.roundup.get_edition
        gate = threading.Event()

        def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
            view = original(*args, **kwargs)  # reads the state before the rename...
            gate.wait(10)  # ...and answers after the newer load
            return view

        curator.roundup.get_edition = slow  # type: ignore[method-assign]
        roundup.reload()
        await pilot.pause(0.1)
        curator.roundup.get_edition = original  # type: ignore[method-assign]
        curator.roundup.rename_edition("After")
        roundup.reload()
        await settle(pilot, lambda: roundup.view is not None
                     and roundup.view.info.title == "After")
        shown = roundup.view
        gate.set()
        await pilot.pause(0.5)
        await settle(pilot)
        assert roundup.view is not None and roundup.view.info.title == "After"
        assert roundup.view is shown  # the late answer was dropped, not shown


# every remaining key of the four screens, end to end ------------------------------------------
async def test_inbox_read_hide_open_and_flat_list(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    opened: list[str] = []
    app.open_url = lambda url, **kwargs: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app)
        await settle(pilot, lambda: inbox.is_counted)
        total = inbox.total
        post = inbox.current_post
        assert post is not None and not post.read
        await pilot.press("m")
        await settle(pilot, lambda: curator.posts.list_posts(search=post.title)[0].read)
        await pilot.press("m")
        await settle(pilot, lambda: not curator.posts.list_posts(search=post.title)[0].read)
        await pilot.press("o")  # opens the link and marks the post read
        await settle(pilot, lambda: curator.posts.list_posts(search=post.title)[0].read)
        assert opened == [post.link]
        await pilot.press("x")
        await settle(pilot, lambda: inbox.total == total - 1 and post.id not in inbox.posts)
        assert curator.posts.count_posts(include_hidden=True) == total
        await pilot.press("v")
        await settle(pilot, lambda: [g.slug for g in inbox.groups] == [None])
        dates = [p.published for p in inbox.groups[0].posts if p.published]
        assert dates == sorted(dates, reverse=True)


async def test_roundup_text_note_sections_copy_and_new_draft(curator: Curator,
                                                             tmp_path: Path) -> None:
    if curator.roundup.draft_edition() is None:
        curator.roundup.new_edition(title="Actions")
    curator.roundup.pick([p.id for p in curator.posts.list_posts(limit=2)])
    app = make_app(curator, poll_on_start=False)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        roundup = await open_roundup(pilot, lambda view: len(view.items) == 2)
        text = next(s for s in roundup.view.sections if s.kind == "text")
        await select_in_tree(pilot, roundup, lambda d: getattr(d, "id", None) == text.id
                      and d.__class__.__name__ == "SectionView")
        await pilot.press("e")  # a free-text section: write its text
        await settle(pilot, lambda: bool(app.screen.query("#editor")))
        app.screen.query_one("#editor").text = "Unconference tickets are out."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any(s.body == "Unconference tickets are out."
                                        for s in roundup.view.sections))
        item = roundup.view.items[0]
        await select_in_tree(pilot, roundup, lambda d: getattr(d, "id", None) == item.id
                      and d.__class__.__name__ == "ItemView")
        await pilot.press("n")
        await settle(pilot, lambda: modal_open(app))
        app.screen.query_one("#field-note").value = "worth a coffee"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: roundup.view.items[0].note == "worth a coffee")
        await pilot.press("s")  # to another section, chosen by its number
        await settle(pilot, lambda: modal_open(app))
        await pilot.press("1")
        await settle(pilot, lambda: next(i for i in roundup.view.items
                                         if i.id == item.id).section_id != item.section_id)
        await pilot.press("A")
        await settle(pilot, lambda: modal_open(app))
        app.screen.query_one("#field-title").value = "Can you help?"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any(s.title == "Can you help?" for s in roundup.view.sections))
        added = next(s for s in roundup.view.sections if s.title == "Can you help?")
        await select_in_tree(pilot, roundup, lambda d: getattr(d, "id", None) == added.id
                      and d.__class__.__name__ == "SectionView")
        await pilot.press("d")  # a section: asks first
        await settle(pilot, lambda: modal_open(app))
        await pilot.press("y")
        await settle(pilot, lambda: all(s.id != added.id for s in roundup.view.sections))
        await select_in_tree(pilot, roundup, lambda d: getattr(d, "id", None) == item.id
                      and d.__class__.__name__ == "ItemView")
        await pilot.press("d")  # an item: out of the edition, the post stays
        await settle(pilot, lambda: len(roundup.view.items) == 1)
        assert curator.posts.count_posts(picked=True) == 1
        await pilot.press("x")  # any format: HTML here
        await settle(pilot, lambda: modal_open(app))
        target = tmp_path / "roundup.html"
        app.screen.query_one("#format-html").value = True
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: target.exists())
        assert "<a href=" in target.read_text(encoding="utf-8")
        await pilot.press("c")
        await settle(pilot, lambda: bool(copied))
        assert "worth a coffee" not in copied[0] and roundup.view.items[0].title in copied[0]
        number = roundup.view.info.number
        curator.roundup.publish(check=False)
        await pilot.press("N")
        await settle(pilot, lambda: roundup.view is not None
                     and roundup.view.info.number == number + 1)
        assert curator.roundup.draft_edition() is not None


async def test_feeds_edit_remove_and_import_rewrite_the_opml(curator: Curator,
                                                            tmp_path: Path) -> None:
    other = tmp_path / "other.opml"
    other.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>'
                     '<outline type="rss" text="Imported blog" '
                     'xmlUrl="http://127.0.0.1:9/imported/feed.xml"/></body></opml>\n',
                     encoding="utf-8")
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        feeds = app.screen
        assert isinstance(feeds, FeedsScreen)
        await settle(pilot, lambda: feeds.data_ready.is_set())
        count = len(feeds.feeds)
        tree = feeds.query_one("#feed-tree")
        first = None
        for _ in range(30):
            first = feeds._selected()
            if first is not None:
                break
            tree.focus()
            await pilot.press("down")
            await settle(pilot)
        assert first is not None
        await pilot.press("e")
        await settle(pilot, lambda: modal_open(app))
        app.screen.query_one("#field-person").value = "Renamed Person"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Renamed Person" in feed_list(curator))
        await pilot.press("d")
        await settle(pilot, lambda: modal_open(app))
        await pilot.press("y")
        await settle(pilot, lambda: len(feeds.feeds) == count - 1)
        assert first.url not in feed_list(curator)
        await pilot.press("i")
        await settle(pilot, lambda: modal_open(app))
        app.screen.query_one("#field-path").value = str(other)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: len(feeds.feeds) == count)
        assert "http://127.0.0.1:9/imported/feed.xml" in feed_list(curator)


async def test_themes_remove_rule_retrain_and_reclassify(curator: Curator) -> None:
    curator.themes.add_rule("phrase", "spreadsheet", "tools")
    before = curator.themes.classifier_stats().trained_at
    app = make_app(curator, poll_on_start=False)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        themes = app.screen
        await settle(pilot, lambda: len(getattr(themes, "rules", [])) == 1)
        themes.query_one("#rule-table").focus()
        await pilot.press("d")
        await settle(pilot, lambda: curator.themes.list_rules() == [] and themes.rules == [])
        await pilot.press("T")
        await settle(pilot, lambda: any("retrained" in n for n in notes))
        assert curator.themes.classifier_stats().trained_at not in (None, before)
        await pilot.press("R")
        await settle(pilot, lambda: "Reclassifying would change" in str(
            getattr(app.screen, "question", "")))
        await pilot.press("y")
        await settle(pilot, lambda: any("themes applied" in n for n in notes))
