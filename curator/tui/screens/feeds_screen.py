"""Feeds: the OPML subscriptions as a tree by category, with each feed's polling status.

Add (a feed URL or a blog homepage: discovery runs in a worker), edit, remove, import and export
all call the same FeedService methods as the CLI, so every change rewrites feeds.opml.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static, Tree
from textual.widgets.tree import TreeNode

from curator.tui.lists import KeyTree
from curator.tui.messages import DataLoaded
from curator.tui.row_render import safe, when
from curator.tui.screens.modals import Confirm, FieldsForm
from curator.tui.screens.screen_base import CuratorScreen, StatusLine, SteadyFooter
from curator.types import FeedAddResult, FeedImportReport, FeedInfo, FeedStatus


class FeedsScreen(CuratorScreen):
    BINDINGS = [
        Binding("a", "add", "Add", id="feed-add", tooltip="Add a feed URL or a blog homepage"),
        Binding("e", "edit", "Edit", id="feed-edit", tooltip="Edit person, org, category, theme"),
        Binding("d,delete", "remove", "Remove", id="feed-remove", tooltip="Unsubscribe"),
        Binding("i", "import_opml", "Import", id="feed-import", tooltip="Merge another OPML file"),
        Binding("x", "export_opml", "Export", id="feed-export", tooltip="Write the OPML to a file"),
    ]

    def __init__(self) -> None:
        super().__init__(id="feeds")
        self.feeds: list[FeedInfo] = []
        self.theme_slugs: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="feeds-body"):
            tree: Tree[object] = KeyTree("feeds", id="feed-tree")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="feed-detail-scroll"):
                yield Static("", id="feed-detail", markup=False)
        yield StatusLine(id="status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()

    def reload(self) -> None:
        self.load(self.next_load())

    @work(thread=True, exclusive=True, exit_on_error=False, group="feeds-load")
    def load(self, generation: int) -> None:
        slugs = [t.slug for t in self.curator.themes.list_themes()]
        self.post_message(DataLoaded("feeds", (self.curator.feeds.list_feeds(), slugs), generation))

    @on(DataLoaded)
    def _loaded(self, message: DataLoaded) -> None:
        if not self.is_latest_load(message.generation):
            return
        feeds, self.theme_slugs = message.data
        self.feeds = list(feeds)
        tree = self.query_one(Tree)
        current = self._selected()
        keep = current.url if current else None
        tree.clear()
        folders: dict[str, TreeNode[object]] = {}
        target = None
        for feed in sorted(self.feeds, key=lambda f: ((f.category or "~").lower(),
                                                      (f.title or f.url).lower())):
            name = safe(feed.category) or "(no category)"
            if name not in folders:
                folders[name] = tree.root.add(Text(name, style="bold"), expand=True)
            leaf = folders[name].add_leaf(_feed_label(feed), data=feed)
            if feed.url == keep:
                target = leaf
        if target is not None:
            _ = tree.last_line  # builds the line index, so the node knows its line
            tree.move_cursor(target)
        errors = sum(1 for f in self.feeds if FeedStatus(f.status).is_problem)
        self.query_one(StatusLine).set_local(
            f"{len(self.feeds)} feeds · {errors} with problems · {self.curator.locations.opml.name}")
        self._show_detail()

    @on(Tree.NodeHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        feed = self._selected()
        detail = self.query_one("#feed-detail", Static)
        if feed is None:
            detail.update("a: add a feed or a blog homepage · i: import OPML · x: export OPML")
            return
        out = Text()
        out.append(safe(feed.title) or feed.url, style="bold")
        for label, value in (("URL", feed.url), ("Site", feed.html_url), ("Person", feed.person),
                             ("Organisation", feed.org), ("Category", feed.category),
                             ("Default theme", feed.theme), ("Status", feed.status),
                             ("HTTP", feed.http_status), ("Posts", feed.post_count),
                             ("Last polled", when(feed.last_polled_at)),
                             ("Last success", when(feed.last_success_at)),
                             ("Next due", when(feed.next_due_at)),
                             ("Last error", feed.last_error)):
            if value not in (None, ""):
                out.append(f"\n{label}: ", style="bold")
                out.append(safe(value, 300))
        detail.update(out)

    def _selected(self) -> FeedInfo | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None and isinstance(node.data, FeedInfo) else None

    # actions -------------------------------------------------------------------------------
    def action_add(self) -> None:
        def save(values: dict[str, str] | None) -> None:
            if values and values["url"]:
                url, given = values["url"], {k: v or None for k, v in values.items()}
                self.write(lambda: self.curator.feeds.add_feed(
                    url, person=given["person"], org=given["org"], category=given["category"],
                    theme=given["theme"]), done=self._subscribed)

        self.app.push_screen(FieldsForm("Add a feed (a feed URL or a blog homepage)", [
            ("url", "URL", ""), ("person", "Person", ""), ("org", "Organisation", ""),
            ("category", "Category (Parent/Child)", ""), ("theme", self._theme_label(), "")]),
            save)

    def _theme_label(self) -> str:
        return "Default theme: " + (" · ".join(self.theme_slugs) or "a theme slug") + \
            " (or empty)"

    def action_edit(self) -> None:
        feed = self._selected()
        if feed is None:
            return

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self.write(lambda: self.curator.feeds.edit_feed(feed.url, **values),
                           note="feed updated")

        self.app.push_screen(FieldsForm(f"Edit {safe(feed.title) or feed.url}", [
            ("title", "Title", feed.title or ""), ("person", "Person", feed.person or ""),
            ("org", "Organisation", feed.org or ""), ("category", "Category", feed.category or ""),
            ("theme", self._theme_label(), feed.theme or "")]), save)

    def action_remove(self) -> None:
        feed = self._selected()
        if feed is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.write(lambda: self.curator.feeds.remove_feed(feed.url),
                           note="unsubscribed (posts kept)")

        self.app.push_screen(Confirm(f"Unsubscribe from {safe(feed.title) or feed.url}?"),
                             confirmed)

    def action_import_opml(self) -> None:
        def save(values: dict[str, str] | None) -> None:
            if values and values["path"]:
                path = Path(values["path"]).expanduser()
                self.write(lambda: self.curator.feeds.import_opml(path), done=self._imported)

        self.app.push_screen(FieldsForm("Import feeds from an OPML file",
                                        [("path", "File", "")]), save)

    def action_export_opml(self) -> None:
        default = str(self.curator.locations.exports_dir / "curator-feeds.opml")

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                path = Path(values["path"] or default).expanduser()
                self.write(lambda: self.curator.feeds.export_opml(path),
                           note=f"OPML written to {path}", reload=False)

        self.app.push_screen(FieldsForm("Export the feed list", [("path", "File", default)]),
                             save)

    def _subscribed(self, result: FeedAddResult) -> None:
        found = f": found the feed advertised by {result.found_from}" if result.found_from else ""
        self.notify(f"subscribed{found}", markup=False, timeout=4)
        self.curator_app.poll_feeds(False)  # a new feed is due: fetch it now

    def _imported(self, report: FeedImportReport) -> None:
        self.notify(f"OPML imported: {report.added} new feeds", markup=False, timeout=4)
        if report.added:
            self.curator_app.poll_feeds(False)

def _feed_label(feed: FeedInfo) -> Text:
    label = Text(safe(feed.title, 50) or safe(feed.url, 60))
    if feed.person:
        label.append(f"  {safe(feed.person, 30)}", style="dim")
    style = ("bold red" if FeedStatus(feed.status).is_problem
             else "dim" if feed.status == FeedStatus.NEW else "green")
    label.append(f"  {feed.status}", style=style)
    if feed.post_count:
        label.append(f"  {feed.post_count} posts", style="dim")
    return label
