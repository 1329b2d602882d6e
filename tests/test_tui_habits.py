"""Pilot tests of the TUI habits users bring from newsboat and harlequin: j/k, g/G, q, an export
dialog that says how to save, a colour theme that is kept, featuring a post again after a yes,
a new feed fetched at once, and theme slugs offered rather than guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserver import FeedServer, Reply, rss
from textual.widgets import Input, Label, RadioSet

from curator.cli import main
from curator.config import Settings
from curator.demo import DemoServer
from curator.services import Curator
from curator.tui.app import make_app
from curator.tui.screens.feeds_screen import FeedsScreen
from curator.tui.screens.inbox_screen import InboxScreen
from curator.tui.screens.modals import Confirm, ExportDialog, FieldsForm
from curator.tui.screens.roundup_screen import RoundupScreen
from tests.tui_helpers import curator_from_copy, modal_open, polled_template, settle

SIZE = (120, 40)


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    with DemoServer() as demo:
        yield demo


@pytest.fixture(scope="module")
def template(server: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return polled_template(server, tmp_path_factory.mktemp("template") / "demo")


@pytest.fixture
def curator(template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    facade = curator_from_copy(template, tmp_path / "demo")
    yield facade
    facade.close()


async def ready_inbox(pilot) -> InboxScreen:  # type: ignore[no-untyped-def]
    inbox = pilot.app.screen
    assert isinstance(inbox, InboxScreen)
    await settle(pilot, lambda: inbox.data_ready.is_set())
    return inbox


async def open_add_feed_form(pilot) -> FieldsForm:  # type: ignore[no-untyped-def]
    """From the inbox: the feeds screen, then its 'a' dialog."""
    await ready_inbox(pilot)
    await pilot.press("3")
    feeds = pilot.app.screen
    assert isinstance(feeds, FeedsScreen)
    await settle(pilot, lambda: feeds.data_ready.is_set())
    await pilot.press("a")
    await settle(pilot, lambda: modal_open(pilot.app))
    form = pilot.app.screen
    assert isinstance(form, FieldsForm)
    return form


async def test_j_k_g_G_move_and_q_quits(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = await ready_inbox(pilot)
        posts = inbox.query_one("PostList")
        posts.focus()
        await pilot.press("G")
        last = posts.cursor_row  # type: ignore[attr-defined]
        assert last > 0
        await pilot.press("k")
        assert posts.cursor_row == last - 1  # type: ignore[attr-defined]
        await pilot.press("j")
        assert posts.cursor_row == last  # type: ignore[attr-defined]
        await pilot.press("g")
        assert posts.cursor_row == 0  # type: ignore[attr-defined]
        await pilot.press("3")  # the feeds tree takes j/k too
        feeds = app.screen
        assert isinstance(feeds, FeedsScreen)
        await settle(pilot, lambda: feeds.data_ready.is_set())
        tree = feeds.query_one("#feed-tree")
        tree.focus()
        start = tree.cursor_line  # type: ignore[attr-defined]
        await pilot.press("j", "j")
        assert tree.cursor_line == start + 2  # type: ignore[attr-defined]
        await pilot.press("k")
        assert tree.cursor_line == start + 1  # type: ignore[attr-defined]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_every_binding_has_an_id(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready_inbox(pilot)
        from curator.tui.lists import KeyTable, KeyTree
        from curator.tui.post_list import PostList
        from curator.tui.screens import modals

        classes = [type(app), PostList, KeyTree, KeyTable, modals.ThemePicker, modals.Confirm,
                   modals.FieldsForm, modals.TextEditor, modals.ExportDialog]
        bindings = [b for _where, b in app.all_bindings()]
        bindings += [b for cls in classes for b in cls.BINDINGS]  # type: ignore[attr-defined]
        missing = [(b.key, b.action) for b in bindings if not getattr(b, "id", None)]
        assert missing == []


async def test_export_dialog_says_how_to_save_and_edits_rather_than_replaces(
        curator: Curator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    number = curator.roundup.new_edition(title="March").number
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready_inbox(pilot)
        await pilot.press("2")
        roundup = app.screen
        assert isinstance(roundup, RoundupScreen)
        await settle(pilot, lambda: roundup.view is not None)
        await pilot.press("x")
        await settle(pilot, lambda: modal_open(app))
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        folder = curator.locations.exports_dir
        assert folder != tmp_path and folder.resolve() != Path.cwd().resolve()
        texts = " ".join(str(label.render()) for label in dialog.query(Label))
        assert "ctrl+s save" in texts and "esc cancel" in texts and str(folder) in texts
        path = dialog.query_one("#export-path", Input)
        assert path.value == str(folder / f"roundup-{number}.md")
        dialog.query_one(RadioSet).focus()
        await pilot.press("down", "enter")  # HTML: the default file name follows the format
        await settle(pilot, lambda: path.value.endswith(".html"))
        path.focus()
        await pilot.press("end", "x")  # a key edits the name, it does not replace it
        assert path.value == str(folder / f"roundup-{number}.htmlx")
        await pilot.press("backspace", "enter")
        target = folder / f"roundup-{number}.html"
        await settle(pilot, lambda: target.exists())
        assert "<html" in target.read_text(encoding="utf-8").lower()
        assert not list(tmp_path.glob("roundup-*"))  # nothing in the current folder


async def test_forms_say_how_to_save(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_add_feed_form(pilot)
        texts = [str(label.render()) for label in form.query(Label)]
        assert any("ctrl+s save · esc cancel" in t for t in texts)
        # the feed's default theme lists the themes there are
        slugs = [t.slug for t in curator.themes.list_themes()]
        assert any(all(s in t for s in slugs) for t in texts), texts
        await pilot.press("escape")


async def test_colour_theme_is_kept_for_next_time(curator: Curator) -> None:
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready_inbox(pilot)
        app.theme = "nord"  # what the palette's "Colours" command does
        await settle(pilot, lambda: curator.locations.config_file.is_file()
                     and "nord" in curator.locations.config_file.read_text())
    assert Settings.load(curator.locations.config_file).theme == "nord"
    again = make_app(Curator(curator.locations), poll_on_start=False)
    async with again.run_test(size=SIZE) as pilot:
        await ready_inbox(pilot)
        assert again.theme == "nord"


async def test_a_featured_post_is_picked_again_after_a_yes(curator: Curator) -> None:
    post = next(p for p in curator.posts.list_posts() if p.title.replace(" ", "").isalpha())
    curator.roundup.new_edition(title="First")
    curator.roundup.pick([post.id])
    curator.roundup.publish(check=False)
    curator.roundup.new_edition(title="Second")
    app = make_app(curator, poll_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        inbox = await ready_inbox(pilot)
        # the new draft's window starts now: `anytime` shows older posts
        await pilot.press("slash", *f"anytime {post.title}", "enter")
        await settle(pilot, lambda: post.id in inbox.posts)
        inbox.query_one("PostList").focus()
        for _ in range(10):  # past the theme's heading row
            if inbox.current_post is not None:
                break
            await pilot.press("j")
        assert inbox.current_post is not None and inbox.current_post.id == post.id
        await pilot.press("space")
        await settle(pilot, lambda: isinstance(app.screen, Confirm))
        assert "Feature it again?" in str(app.screen.query_one(Label).render())
        await pilot.press("y")
        await settle(pilot, lambda: curator.posts.count_posts(picked=True, search=post.title) == 1)


async def test_a_feed_added_in_the_tui_is_fetched_at_once(curator: Curator) -> None:
    body = rss([("n1", "A brand new blog post", "http://new.example/1")], title="New blog")
    with FeedServer() as feed_server:
        url = feed_server.route("/new.xml", Reply(body=body))
        app = make_app(curator, poll_on_start=False)
        async with app.run_test(size=SIZE) as pilot:
            form = await open_add_feed_form(pilot)
            form.query_one("#field-url", Input).value = url
            await pilot.press("ctrl+s")  # no `r` pressed
            await settle(pilot, lambda: curator.posts.count_posts(search="brand new blog post") == 1)
        assert feed_server.hits("/new.xml") >= 1  # fetched without anyone pressing r


def test_unknown_theme_slug_is_refused_with_the_list(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURATOR_OPML", str(tmp_path / "feeds.opml"))
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "c.db"))
    runner = CliRunner()
    added = runner.invoke(main, ["feeds", "add", "https://a.example/feed", "--no-discover",
                                 "--theme", "nonsense"])
    assert added.exit_code == 1
    assert "no theme 'nonsense'; the themes are: openness, improvement, tools, other" \
        in added.stderr
    assert runner.invoke(main, ["feeds", "add", "https://a.example/feed", "--no-discover",
                                "--theme", "tools"]).exit_code == 0
    edited = runner.invoke(main, ["feeds", "edit", "https://a.example/feed", "--theme", "nope"])
    assert edited.exit_code == 1 and "the themes are" in edited.stderr
    assert 'curator:theme="tools"' in (tmp_path / "feeds.opml").read_text()
