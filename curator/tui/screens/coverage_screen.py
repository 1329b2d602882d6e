"""Coverage: who in the community has posted lately and when each was last featured; blogs gone
quiet, broken or new. `f` narrows the view; enter shows a blog's posts in the inbox."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header

from curator.roundup.coverage import CoverageReport, CoverageRow
from curator.tui.lists import KeyTable
from curator.tui.messages import DataLoaded
from curator.tui.row_render import safe
from curator.tui.screens.screen_base import CuratorScreen, StatusLine, SteadyFooter

VIEWS = {
    "all": ("every blog", lambda r: True),
    "due": ("posted lately, not featured lately", lambda r: r.posts > 0),
    "never": ("never featured", lambda r: r.never_featured),
    "trouble": ("quiet or broken", lambda r: r.status in ("quiet", "broken")),
    "new": ("new blogs", lambda r: r.status == "new"),
}
STATUS_STYLE = {"broken": "red", "quiet": "yellow", "new": "green", "active": ""}


class CoverageScreen(CuratorScreen):
    BINDINGS = [
        Binding("f", "next_view", "Narrow", id="coverage-view",
                tooltip="Cycle: lately, never featured, quiet, new"),
        Binding("enter", "show_posts", "Posts", id="coverage-posts",
                tooltip="The blog's posts in the inbox"),
    ]

    def __init__(self) -> None:
        super().__init__(id="coverage")
        self.report: CoverageReport | None = None
        self.view_name = "all"
        self.shown: list[CoverageRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[object] = KeyTable(id="coverage-table", cursor_type="row")
        yield table
        yield StatusLine(id="status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Member", "Blog", "Posts", "Last post", "Last featured", "State")
        table.focus()

    def reload(self) -> None:
        self.load(self.next_load())

    @work(thread=True, exclusive=True, exit_on_error=False, group="coverage-load")
    def load(self, generation: int) -> None:
        self.post_message(DataLoaded("coverage", self.curator.coverage.report(), generation))

    @on(DataLoaded)
    def _loaded(self, message: DataLoaded) -> None:
        if self.is_latest_load(message.generation):
            self.report = message.data
            self._show()

    def _show(self) -> None:
        if self.report is None:
            return
        title, keep = VIEWS[self.view_name]
        self.shown = [r for r in self.report.rows if keep(r)]
        table = self.query_one(DataTable)
        table.clear()
        for index, row in enumerate(self.shown):
            featured = (f"#{row.last_featured_edition} {row.last_featured_at:%Y-%m-%d}"
                        if row.last_featured_edition and row.last_featured_at else
                        f"#{row.last_featured_edition}" if row.last_featured_edition else "never")
            state = Text(row.status, style=STATUS_STYLE[row.status])
            if row.note:
                state.append(f" ({safe(row.note, 50)})", style="dim")
            table.add_row(Text(safe(row.person, 30)), Text(safe(row.blog, 30)), str(row.posts),
                          f"{row.last_post:%Y-%m-%d}" if row.last_post else "-", featured, state,
                          key=str(index))
        report = self.report
        self.query_one(StatusLine).set_local(
            f"{title}: {len(self.shown)} of {len(report.rows)} blogs since "
            f"{report.since:%Y-%m-%d} · {report.never_featured} never featured · "
            f"{report.count('quiet')} quiet · {report.count('broken')} broken · "
            f"{report.count('new')} new")

    def action_next_view(self) -> None:
        names = list(VIEWS)
        self.view_name = names[(names.index(self.view_name) + 1) % len(names)]
        self._show()

    @on(DataTable.RowSelected)
    async def _row_chosen(self) -> None:
        await self.action_show_posts()  # the table takes enter for itself

    async def action_show_posts(self) -> None:
        table = self.query_one(DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return
        row = self.shown[table.cursor_row]
        await self.app.switch_mode("inbox")
        show = getattr(self.app.screen, "show_filter", None)
        if callable(show):
            show(f'feed:"{row.feed_url}" anytime')
