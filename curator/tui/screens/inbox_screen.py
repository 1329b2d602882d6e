"""The inbox: posts in the edition's window, grouped by theme, with a detail pane.

Every query runs in a thread worker (`load`) and comes back as `InboxLoaded`, then capped counts
as `InboxCounted`; the load's generation number (the guard every screen uses) drops results of
older keystrokes, and a newer keystroke cancels the worker, which aborts its SQL. Only one page is fetched (more as the cursor reaches its end) and
counts stop at 1,000, so 100,000 stored posts cost about what 100 do. Rows go to `PostList`,
which paints only the lines on screen.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from curator.tui.filters import InboxQuery, parse_filter
from curator.tui.inbox_page import (
    COUNT_CAP,
    PAGE,
    InboxPage,
    count_page,
    is_first_page,
    load_page,
)
from curator.tui.messages import (
    FirstRowsShown,
    InboxCounted,
    InboxLoaded,
    ThemeGroup,
)
from curator.tui.post_list import PostList, Row
from curator.tui.row_render import (
    CONF_WIDTH,
    DATE_WIDTH,
    WHO_WIDTH,
    detail_text,
    group_cells,
    more_cells,
    row_cells,
)
from curator.tui.screens.post_actions import PostActions, theme_picker
from curator.tui.screens.screen_base import StatusLine, SteadyFooter
from curator.types import PostInfo

if TYPE_CHECKING:
    from curator.tui.prefetch import FirstPagePrefetch


class InboxScreen(PostActions):
    AUTO_FOCUS = "#posts"  # the list, not the filter box above it (one footer rebuild fewer)
    BINDINGS = [
        Binding("space", "pick", "Pick", id="pick", tooltip="Pick / unpick for the draft edition"),
        Binding("t", "retheme", "Theme", id="retheme", tooltip="Move the post to another theme"),
        Binding("o", "open", "Open", id="open", tooltip="Open the post in the browser"),
        Binding("slash", "search", "Filter", id="search", tooltip="Search and filter the inbox"),
        Binding("f", "filter_theme", "Theme filter", id="filter-theme",
                tooltip="Show one theme only"),
        Binding("v", "toggle_grouping", "Group", id="group", tooltip="Group by theme or list by date"),
        Binding("m", "toggle_read", "Read", id="read", tooltip="Mark read / unread"),
        Binding("x", "hide", "Hide", id="hide", show=False, tooltip="Hide the post from the inbox"),
        Binding("escape", "clear_filter", "Clear", show=False, id="clear-filter",
                tooltip="Clear the filter and go back to the list"),
    ]

    def __init__(self) -> None:
        super().__init__(id="inbox")
        self.query_text = ""
        self.grouped = True
        self.collapsed: set[str] = set()
        self.limits: dict[str, int] = {}
        self.groups: list[ThemeGroup] = []
        self.posts: dict[int, PostInfo] = {}
        self.theme_names: dict[str, str] = {}
        self.total = 0  # posts matching (a lower bound when `total_capped`)
        self.total_capped = False
        self.elapsed = 0.0
        self.title_width = 40
        self.window_start: datetime | None = None  # the draft edition's window, when one is set
        self.query_spec = InboxQuery()
        self._keep_index: int | None = None  # after "more": the cursor stays where it was
        self._detail_shown: object = None
        self._focus_list = False  # escape: move focus once the cleared list is painted

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="/ search words · theme:tools unread picked since:7d feed:NAME "
                    "anytime",
                    id="filter")
        with Horizontal(id="inbox-body"):
            yield PostList((1, 0, WHO_WIDTH, DATE_WIDTH, CONF_WIDTH), id="posts")
            with VerticalScroll(id="detail-scroll"):
                yield Static("", id="detail", markup=False)
        yield StatusLine(id="status")
        yield SteadyFooter(wait=True)  # built after the first rows: they matter more

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self._fit_title() and self.groups:
            self._render_rows()

    def _fit_title(self) -> bool:
        """Titles take what the fixed columns leave (each column has one cell of padding)."""
        table = self.table
        width = table.column_widths(table.content_width)[1] if table.size.width else 40
        changed, self.title_width = width != self.title_width, width
        return changed

    # loading -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Rows first (one paged query per keystroke), then capped counts in the same worker."""
        generation = self.next_load()
        self.query_spec = parse_filter(self.query_text)
        prefetch = self.curator_app.take_prefetch()
        if prefetch is not None:  # the very first load: read ahead while the app started
            self.adopt(generation, prefetch, self.query_spec, self.grouped,
                       frozenset(self.collapsed), dict(self.limits))
        else:
            self.load(generation, self.query_spec, self.grouped, frozenset(self.collapsed),
                      dict(self.limits))

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-load")
    def adopt(self, generation: int, prefetch: FirstPagePrefetch, query: InboxQuery, grouped: bool,
              collapsed: frozenset[str], limits: dict[str, int]) -> None:
        """Show the helper's first page and counts; if it has none, load as usual.

        Nothing here imports the data layer before the page is shown: that is the point.
        """
        try:
            fresh = is_first_page(query, grouped, collapsed, limits)
            page = prefetch.page() if fresh else None
            if page is not None:
                self._post_page(generation, page)
                counted = prefetch.counts()
                if counted is not None:
                    self.post_message(InboxCounted(generation, *counted))
                    return
        finally:
            prefetch.close()
        worker = get_current_worker()
        if worker.is_cancelled:
            return  # a newer load replaced this one, or the app is closing
        from curator.errors import QueryCancelled

        with suppress(QueryCancelled):
            if page is None:
                self._load(generation, query, grouped, collapsed, limits, lambda: worker.is_cancelled)
            else:
                self.post_message(InboxCounted(generation, *count_page(
                    self.curator, page, lambda: worker.is_cancelled)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-load")
    def load(self, generation: int, query: InboxQuery, grouped: bool, collapsed: frozenset[str],
             limits: dict[str, int]) -> None:
        """A newer keystroke cancels this worker, which aborts its running SQL statement."""
        from curator.errors import QueryCancelled  # the data layer loads off the UI

        worker = get_current_worker()
        with suppress(QueryCancelled):  # a newer keystroke's worker is already running
            self._load(generation, query, grouped, collapsed, limits, lambda: worker.is_cancelled)

    def _load(self, generation: int, query: InboxQuery, grouped: bool, collapsed: frozenset[str],
              limits: dict[str, int], cancelled: Callable[[], bool]) -> None:
        page = load_page(self.curator, query, grouped, collapsed, limits, cancelled,
                         self.theme_names)
        self._post_page(generation, page)
        self.post_message(InboxCounted(generation, *count_page(self.curator, page, cancelled)))

    def _post_page(self, generation: int, page: InboxPage) -> None:
        self.theme_names = page.theme_names
        self.window_start = page.window_start
        self.post_message(InboxLoaded(generation, page.groups, page.elapsed))

    @on(InboxLoaded)
    def show_loaded(self, message: InboxLoaded) -> None:
        first = not self.data_ready.is_set()
        if not self.is_latest_load(message.generation):
            return  # an older keystroke's answer
        self.groups = message.groups
        self.elapsed = message.elapsed
        self._render_rows()
        if first:  # the screen is built: keep the collector off it (see CuratorApp)
            self.call_after_refresh(gc.freeze)
            self.call_after_refresh(self.query_one(SteadyFooter).show_keys)
            self.call_after_refresh(self.post_message, FirstRowsShown())
        self._show_detail()
        if self._focus_list:
            self.call_after_refresh(self._focus_list_now)

    @on(InboxCounted)
    def show_counted(self, message: InboxCounted) -> None:
        if not self.is_latest_load(message.generation):
            return
        self.groups = [replace(g, count=message.counts.get(g.slug or "*")) for g in self.groups]
        self.total = sum(min(n, COUNT_CAP) for n in message.counts.values())
        self.total_capped = any(n > COUNT_CAP for n in message.counts.values())
        self._render_rows()

    @property
    def is_counted(self) -> bool:
        """Whether every group shows its exact count (the counts come after the rows)."""
        return all(g.count is not None for g in self.groups)

    def _render_rows(self) -> None:
        """Hand the rows to the list (it paints only what is on screen, from a cache)."""
        self._fit_title()
        self.posts = {}
        rows: list[Row] = []
        for group in self.groups:
            key = group.slug or "*"
            if group.slug is not None:
                rows.append(Row(f"g:{key}", group_cells(group.name, group.count, group.collapsed,
                                                        len(group.posts), self.title_width)))
            for post in group.posts:
                self.posts[post.id] = post
                rows.append(Row(f"p:{post.id}", row_cells(post, self.title_width)))
            if group.count is not None and len(group.posts) < group.count \
                    and not group.collapsed:
                rows.append(Row(f"more:{key}", more_cells(group.count, len(group.posts))))
        keep = self._current_key() if self._keep_index is None else None
        default = self._keep_index if self._keep_index is not None else (1 if self.grouped else 0)
        self._keep_index = None
        self.table.set_rows(rows, keep=keep, default=default)
        problems = "; ".join(self.query_spec.problems)
        counted = self.is_counted
        more = "+" if self.total_capped else ""
        total = f"{self.total:,}{more} posts" if counted else "counting…"
        window = f" since {self.window_start:%d %b}" if self.window_start else ""
        self.status.set_local(problems or f"{total}{window} · {len(self.posts)} shown")

    # detail -------------------------------------------------------------------------------
    @on(PostList.Highlighted, "#posts")
    def _highlighted(self, event: PostList.Highlighted) -> None:
        if type(event) is not PostList.Highlighted:
            return  # Selected is a subclass
        self._show_detail()
        kind, _, slug = (event.key or "").partition(":")
        if kind == "more" and self.limits.get(slug, 0) < self._shown(slug) + PAGE:
            self.action_select()  # scrolled to the end of a page: fetch the next one (once)

    def _show_detail(self) -> None:
        post = self.current_post
        if post is None:
            key = self._current_key() or ""
            hint = "Enter: collapse or expand this theme." if key.startswith("g:") else ""
            shown: object = hint if self.posts else ("No posts match. Press r to poll the "
                                                     "feeds, or escape to clear the filter.")
        else:
            shown = (post, self.theme_names.get(post.theme or ""))
        if shown == self._detail_shown:
            return  # the same post again (each keystroke would otherwise re-wrap the text)
        self._detail_shown = shown
        detail = self.query_one("#detail", Static)
        detail.update(detail_text(post, self.theme_names.get(post.theme or "")) if post
                      else str(shown))

    # filter -------------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._focus_list = self._focus_list and not event.value  # typing again: stay in the box
        self.limits.clear()
        self.reload()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_search(self) -> None:
        self.query_one("#filter", Input).focus()

    def show_filter(self, text: str) -> None:
        """Show what `text` selects (another screen sends the user here with it)."""
        self.query_one("#filter", Input).value = text
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            # rows first: moving focus rebuilds the footer (tens of ms), so it waits for them
            # (or half a second, should the load fail)
            self._focus_list = True
            box.value = ""
            self.set_timer(0.5, self._focus_list_now)
        else:
            self.table.focus()

    def _focus_list_now(self) -> None:
        if self._focus_list:
            self._focus_list = False
            self.table.focus()

    def action_filter_theme(self) -> None:
        def chosen(slug: str | None) -> None:
            if slug is None:
                return
            words = [w for w in self.query_text.split() if not w.lower().startswith("theme:")]
            if slug != "*":
                words.append(f"theme:{slug}")
            self.query_one("#filter", Input).value = " ".join(words)

        self.app.push_screen(theme_picker()(self.theme_names, "Show which theme?", allow_all=True),
                             chosen)

    @on(PostList.Selected, "#posts")
    def _row_selected(self) -> None:
        """Enter on a theme header collapses/expands it; on "… more" loads the next page."""
        self.action_select()

    def action_toggle_grouping(self) -> None:
        self.grouped = not self.grouped
        self.reload()

    def action_select(self) -> None:
        key = self._current_key() or ""
        kind, _, slug = key.partition(":")
        if kind == "g":
            self.collapsed.symmetric_difference_update({slug})
        elif kind == "more":
            self.limits[slug] = self._shown(slug) + PAGE
            self._keep_index = self.table.cursor_row
        else:
            return
        self.reload()

    def _shown(self, slug: str) -> int:
        return next((len(g.posts) for g in self.groups if (g.slug or "*") == slug), 0)

    # helpers ----------------------------------------------------------------------------------
    def _mark_local(self, post: PostInfo) -> None:
        """Show a toggle at once; the reload that follows confirms it from the database."""
        self.posts[post.id] = post
        self.table.update_row(f"p:{post.id}", row_cells(post, self.title_width))
        self._show_detail()

    def _current_key(self) -> str | None:
        return self.table.cursor_key

    @property
    def current_post(self) -> PostInfo | None:
        key = self._current_key() or ""
        if key.startswith("p:"):
            return self.posts.get(int(key[2:]))
        return None

    @property
    def table(self) -> PostList:
        return self.query_one("#posts", PostList)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)
