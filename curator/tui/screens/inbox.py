"""The inbox: posts in the edition's window, grouped by theme, with a detail pane.

Every query runs in a thread worker (`load`) and comes back as `InboxLoaded`, then capped counts
as `InboxCounted`; a token drops results of older keystrokes, and a newer keystroke cancels the
worker, which aborts its SQL. Only one page is fetched (more as the cursor reaches its end) and
counts stop at 1,000, so 100,000 stored posts cost about what 100 do. Rows go to `PostList`,
which paints only the lines on screen.
"""

from __future__ import annotations

import gc
import time
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

from curator.services.posts import QueryCancelled
from curator.text import one_line
from curator.tui.filters import InboxQuery, parse_filter
from curator.tui.messages import (
    Done,
    FirstRowsShown,
    InboxCounted,
    InboxLoaded,
    PostsChanged,
    ThemeGroup,
)
from curator.tui.post_list import PostList, Row
from curator.tui.render import (
    CONF_WIDTH,
    COUNT_CAP,
    DATE_WIDTH,
    WHO_WIDTH,
    detail_text,
    group_cells,
    more_cells,
    row_cells,
)
from curator.tui.screens.base import CuratorScreen, StatusLine, SteadyFooter
from curator.types import PostInfo

if TYPE_CHECKING:
    from curator.tui.screens.modals import ThemePicker

PAGE = 60  # rows per keystroke (newest first): a tall screen and a margin; more as the cursor
# reaches the "… more" row


class InboxScreen(CuratorScreen):
    AUTO_FOCUS = "#posts"  # the list, not the filter box above it (one footer rebuild fewer)
    BINDINGS = [
        Binding("space", "pick", "Pick", id="pick", tooltip="Pick / unpick for the draft edition"),
        Binding("t", "retheme", "Theme", id="retheme", tooltip="Move the post to another theme"),
        Binding("o", "open", "Open", id="open", tooltip="Open the post in the browser"),
        Binding("slash", "search", "Filter", id="search", tooltip="Search and filter the inbox"),
        Binding("f", "filter_theme", "Theme filter", id="filter-theme",
                tooltip="Show one theme only"),
        Binding("g", "toggle_grouping", "Group", id="group", tooltip="Group by theme or list by date"),
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
        self.token = 0
        self.groups: list[ThemeGroup] = []
        self.posts: dict[int, PostInfo] = {}
        self.theme_names: dict[str, str] = {}
        self.total = 0  # posts matching (a lower bound when `total_capped`)
        self.total_capped = False
        self.elapsed = 0.0
        self.title_width = 40
        self.window_start: datetime | None = None  # the draft edition's window, when one is set
        self.query_spec = InboxQuery()
        self.loads = 0  # pages shown (tests and benchmarks wait on it)
        self.load_stats: dict[str, float] = {}  # the last page's timings (the benchmark reads it)
        self.counted = 0  # count results shown
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
        self.token += 1
        self.query_spec = parse_filter(self.query_text)
        self.load(self.token, self.query_spec, self.grouped, frozenset(self.collapsed),
                  dict(self.limits))

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-load")
    def load(self, token: int, query: InboxQuery, grouped: bool, collapsed: frozenset[str],
             limits: dict[str, int]) -> None:
        """A newer keystroke cancels this worker, which aborts its running SQL statement."""
        worker = get_current_worker()
        with suppress(QueryCancelled):  # a newer keystroke's worker is already running
            self._load(token, query, grouped, collapsed, limits, lambda: worker.is_cancelled)

    def _load(self, token: int, query: InboxQuery, grouped: bool, collapsed: frozenset[str],
              limits: dict[str, int], cancelled: Callable[[], bool]) -> None:
        started = time.perf_counter()
        curator = self.curator
        if not self.theme_names:
            self.theme_names = {t.slug: t.name for t in curator.list_themes()}
        if query.feed_url and "://" not in query.feed_url:
            query.feed_url = _match_feed(curator.list_feeds(sync=False, counts=False),
                                         query.feed_url)
        self.window_start = None
        draft = curator.draft_edition() if query.use_window else None
        if draft is not None and query.since is None and query.until is None:
            query.since, query.until = draft.window_start, draft.window_end
            self.window_start = draft.window_start
        kwargs = query.kwargs()
        page = curator.list_posts(limit=limits.get("*", PAGE), cancelled=cancelled, **kwargs)
        if grouped and query.theme is None:
            by_theme: dict[str, list[PostInfo]] = {slug: [] for slug in self.theme_names}
            for post in page:
                by_theme.setdefault(post.theme or "", []).append(post)
            for slug, limit in limits.items():  # "… more" pressed on a theme
                if slug != "*" and slug not in collapsed:
                    by_theme[slug] = curator.list_posts(theme=slug, limit=limit,
                                                        cancelled=cancelled, **kwargs)
            groups = [ThemeGroup(slug, self.theme_names.get(slug, slug or "Unclassified"), None,
                                 [] if slug in collapsed else posts, slug in collapsed)
                      for slug, posts in by_theme.items()
                      if posts or slug in self.theme_names]
        else:
            name = self.theme_names.get(query.theme or "", "All posts, newest first")
            groups = [ThemeGroup(None, name, None, page)]
        self.post_message(InboxLoaded(token, groups, time.perf_counter() - started))
        started = time.perf_counter()
        theme = kwargs.pop("theme", None)  # capped: "1,000+" costs as little as a page
        slugs = [theme if group.slug is None else group.slug for group in groups]
        counts = curator.count_posts_by_theme(slugs, limit=COUNT_CAP + 1, cancelled=cancelled,
                                              **kwargs)
        self.post_message(InboxCounted(token, {g.slug or "*": counts[slug]
                                               for g, slug in zip(groups, slugs, strict=True)},
                                       time.perf_counter() - started))

    @on(InboxLoaded)
    def show_loaded(self, message: InboxLoaded) -> None:
        if message.token != self.token:
            return  # an older keystroke's answer
        self.groups = message.groups
        self.elapsed = message.elapsed
        t0 = time.perf_counter()
        self._render_rows()
        self.load_stats = {"db_ms": message.elapsed * 1000,
                           "queue_ms": (t0 - message.posted_at) * 1000,
                           "render_ms": (time.perf_counter() - t0) * 1000}
        self.loads += 1
        if self.loads == 1:  # the screen is built: keep the collector off it (see CuratorApp)
            self.call_after_refresh(gc.freeze)
            self.call_after_refresh(self.query_one(SteadyFooter).show_keys)
            self.call_after_refresh(self.post_message, FirstRowsShown())
        self._show_detail()
        if self._focus_list:
            self.call_after_refresh(self._focus_list_now)

    @on(InboxCounted)
    def show_counted(self, message: InboxCounted) -> None:
        if message.token != self.token:
            return
        self.groups = [replace(g, count=message.counts.get(g.slug or "*")) for g in self.groups]
        self.total = sum(min(n, COUNT_CAP) for n in message.counts.values())
        self.total_capped = any(n > COUNT_CAP for n in message.counts.values())
        self.counted += 1
        self._render_rows()

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
        counted = all(g.count is not None for g in self.groups)
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

        self.app.push_screen(_theme_picker()(self.theme_names, "Show which theme?", allow_all=True),
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

    # actions on the current post -------------------------------------------------------------
    def action_pick(self) -> None:
        post = self.current_post
        if post is not None:
            self._mark_local(replace(post, picked=not post.picked))
            self.toggle_pick(post.id, not post.picked)

    @work(thread=True, exclusive=False, exit_on_error=False, group="inbox-action")
    def toggle_pick(self, post_id: int, pick: bool) -> None:
        curator = self.curator
        if pick:
            if curator.draft_edition() is None:
                curator.new_edition()
            curator.pick([post_id])
        else:
            curator.unpick([post_id])
        self.post_message(PostsChanged([post_id]))  # the ✔ mark is the feedback

    def action_retheme(self) -> None:
        post = self.current_post
        if post is None:
            return

        def chosen(slug: str | None) -> None:
            if slug and post is not None and slug != post.theme:
                self.set_theme(post.id, slug)

        self.app.push_screen(_theme_picker()(self.theme_names, "Move to which theme?",
                                             current=post.theme), chosen)

    @work(thread=True, exclusive=False, exit_on_error=False, group="inbox-action")
    def set_theme(self, post_id: int, slug: str) -> None:
        self.curator.set_post_theme(post_id, slug)
        self.post_message(PostsChanged([post_id], f"moved to {self.theme_names.get(slug, slug)}"))

    def action_toggle_read(self) -> None:
        post = self.current_post
        if post is not None:
            self._mark_local(replace(post, read=not post.read))
            self.set_flag(post.id, "read", not post.read)

    def action_hide(self) -> None:
        post = self.current_post
        if post is not None:
            self.set_flag(post.id, "hidden", True)

    @work(thread=True, exclusive=False, exit_on_error=False, group="inbox-action")
    def set_flag(self, post_id: int, flag: str, value: bool) -> None:
        if flag == "read":
            self.curator.mark_read([post_id], read=value)
        else:
            self.curator.set_hidden([post_id], hidden=value)
        self.post_message(PostsChanged([post_id], "" if flag == "read" else "hidden"))

    def action_open(self) -> None:
        post = self.current_post
        if post is None or not post.link or not post.link.startswith(("http://", "https://")):
            self.notify("This post has no web link to open.", severity="warning")
            return
        self.app.open_url(post.link)
        if not post.read:
            self.set_flag(post.id, "read", True)

    @on(PostsChanged)
    def _posts_changed(self, message: PostsChanged) -> None:
        if message.note:
            self.notify(message.note, timeout=2)
        self.reload()

    @on(Done)
    def _done(self, message: Done) -> None:
        self.notify(message.text, markup=False)
        if message.reload:
            self.reload()

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


def _match_feed(feeds: list, text: str) -> str | None:
    """feed:NAME matches a feed whose title, person or URL contains NAME.

    `feeds` comes from the database's mirror of feeds.opml (the poller and the feeds screen keep
    it current): re-reading the file on a keystroke cost up to 90 ms the first time.
    """
    needle = one_line(text).lower()
    for feed in feeds:
        haystack = " ".join(str(v or "") for v in (feed.title, feed.person, feed.url)).lower()
        if needle in haystack:
            return str(feed.url)
    return text


def _theme_picker() -> type[ThemePicker]:
    """The picker's module (text areas, option lists) loads on first use: ~12 ms off the start."""
    from curator.tui.screens.modals import ThemePicker

    return ThemePicker
