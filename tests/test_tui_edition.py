"""Pilot tests of the rest of the edition in the TUI: a link captured from its page, an item's
details, events and asks accepted, the edition sent (a real SMTP server on 127.0.0.1), and the
coverage view."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from httpserver import FeedServer, Reply
from roundup_helpers import add_feed, add_post, make_curator
from textual.widgets import DataTable, OptionList

from curator.tui.app import make_app
from curator.tui.screens.coverage_screen import CoverageScreen
from curator.tui.screens.inbox_screen import InboxScreen
from curator.tui.screens.roundup_screen import RoundupScreen
from tests.tui_helpers import modal_open, settle

SIZE = (120, 40)
NOW = datetime.now(UTC)
PAGE = b"""<html><head><meta property="og:title" content="UnConf North: tickets out">
<meta property="og:site_name" content="UnConf North"><meta name="author" content="Jo Bell">
</head><body></body></html>"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _roundup(pilot) -> RoundupScreen:  # type: ignore[no-untyped-def]
    await pilot.press("2")
    screen = pilot.app.screen
    assert isinstance(screen, RoundupScreen)
    await settle(pilot, lambda: screen.view is not None)
    return screen


async def test_a_link_without_a_title_is_read_from_its_page_and_t_corrects_it() -> None:
    cur = make_curator()
    cur.roundup.new_edition()
    app = make_app(cur, poll_on_start=False)
    with FeedServer() as server:
        url = server.route("/unconf", Reply(body=PAGE, content_type="text/html"))
        async with app.run_test(size=SIZE) as pilot:
            roundup = await _roundup(pilot)
            await pilot.press("a")
            await settle(pilot, lambda: modal_open(app))
            app.screen.query_one("#field-url").value = url
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: len(roundup.view.items) == 1)
            item = roundup.view.items[0]
            assert (item.title, item.person, item.org) == ("UnConf North: tickets out",
                                                           "Jo Bell", "UnConf North")
            tree = roundup.query_one("#edition-tree")
            node = next(n for n in _nodes(tree.root) if getattr(n.data, "id", None) == item.id
                        and n.data is item)
            tree.move_cursor(node)
            await pilot.press("t")
            await settle(pilot, lambda: modal_open(app))
            app.screen.query_one("#field-person").value = "Jo Bell-Smith"
            app.screen.query_one("#field-org").value = ""
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: roundup.view.items[0].person == "Jo Bell-Smith")
            assert roundup.view.items[0].org is None
    cur.close()


def _nodes(node):  # type: ignore[no-untyped-def]
    yield node
    for child in node.children:
        yield from _nodes(child)


async def test_shift_s_offers_events_and_asks_and_enter_adds_one() -> None:
    cur = make_curator()
    feed = add_feed(cur, "https://norfolk.example/feed", person="Ann Smith")
    published = NOW - timedelta(days=2)
    when = NOW + timedelta(days=20)
    event = add_post(cur, feed, "MailCamp", "https://norfolk.example/mailcamp",
                     published=published,
                     summary=f"MailCamp is an unconference for people who send e-mail. It takes "
                             f"place on {when.day} {when:%B} in Central London.")
    ask = add_post(cur, feed, "Help shape our libraries", "https://norfolk.example/ask",
                   published=published, summary="We need your views: please fill in our survey.")
    cur.roundup.new_edition(since=NOW - timedelta(days=10))
    app = make_app(cur, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        roundup = await _roundup(pilot)
        await pilot.press("S")
        await settle(pilot, lambda: modal_open(app))
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == [None, f"event:{event}", None, f"ask:{ask}"]  # two headings, two offers
        options.highlighted = ids.index(f"ask:{ask}")
        await pilot.press("enter")
        await settle(pilot, lambda: len(roundup.view.items) == 1)
        section = next(s for s in roundup.view.sections if s.items)
        assert section.title == "Can you help"
        assert section.items[0].blurb.startswith("Help shape our libraries \u2013 we need your")
    cur.close()


async def test_m_sends_the_edition_to_a_real_smtp_server(curator_home: Path,
                                                         tmp_path: Path) -> None:
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    received: list[tuple[list[str], bytes]] = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def] # noqa: N802
            received.append((list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    port = _free_port()
    controller = controller_mod.Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    (curator_home / "config").mkdir(parents=True)
    (curator_home / "config" / "config.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from = "roundup@example.org"\nto = ["members@example.org"]\n', encoding="utf-8")
    try:
        cur = make_curator()
        feed = add_feed(cur, "https://a.example/feed", person="Ann Smith")
        post = add_post(cur, feed, "Open data in Norfolk", "https://a.example/1")
        cur.roundup.new_edition(since=NOW - timedelta(days=3))
        cur.roundup.pick([post])
        app = make_app(cur, poll_on_start=False)
        async with app.run_test(size=SIZE) as pilot:
            await _roundup(pilot)
            await pilot.press("m")
            await settle(pilot, lambda: modal_open(app))
            assert app.screen.query_one("#field-to").value == "members@example.org"
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: len(received) == 1)
            await pilot.press("m")
            await settle(pilot, lambda: modal_open(app))
            target = tmp_path / "edition.eml"
            app.screen.query_one("#field-to").value = "ann@example.org, bob@example.org"
            app.screen.query_one("#field-eml").value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: target.exists())
        cur.close()
    finally:
        controller.stop()
    assert received[0][0] == ["members@example.org"]
    assert b"Open data in Norfolk" in received[0][1]
    assert b"To: ann@example.org, bob@example.org" in target.read_bytes()
    assert len(received) == 1  # the dry run sent nothing


async def test_5_shows_coverage_f_narrows_and_enter_shows_the_blogs_posts() -> None:
    cur = make_curator()
    ann = add_feed(cur, "https://ann.example/feed", person="Ann Smith")
    add_feed(cur, "https://quiet.example/feed", title="The Quiet Blog")
    add_post(cur, ann, "Open data", "https://ann.example/1", published=NOW - timedelta(days=2))
    app = make_app(cur, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        screen = app.screen
        assert isinstance(screen, CoverageScreen)
        table = screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == 2)
        assert [r.person for r in screen.shown] == ["Ann Smith", "The Quiet Blog"]
        await pilot.press("f")  # posted lately, not featured lately
        await settle(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, InboxScreen))
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        assert "feed:" in inbox.query_text and "ann.example" in inbox.query_text
    cur.close()
