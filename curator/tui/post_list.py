"""The inbox's row list: a light table that paints only the lines on screen, from a cache.

Textual's DataTable renders every visible cell through Rich's layout engine again after any
change (its cell cache is keyed on an update counter), which cost 50-130 ms per paint at 100,000
posts, more than a whole keystroke may take. Here each row is drawn once per (content, width,
cursor, stripe) into a `Strip` and reused; replacing the rows re-draws only the lines in view.
Cells are Rich `Text` built by `curator.tui.row_render` (never markup).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

COLUMNS = ("mark", "title", "who", "date", "conf")
HEADERS = ("", "Title", "Who", "Date", "Sure")
PAD = 1  # blank cells either side of each column


@dataclass(frozen=True)
class Row:
    """One line: `key` is "g:SLUG" (a theme header), "p:ID" (a post) or "more:SLUG"."""

    key: str
    cells: tuple[Text, ...]
    sig: str = field(init=False, repr=False, compare=False)  # what the row looks like

    def __post_init__(self) -> None:
        object.__setattr__(self, "sig", "\x1f".join(f"{c.plain}\x1e{c.style}\x1e{c.spans}"
                                                     for c in self.cells))


class PostList(ScrollView, can_focus=True):
    """Rows with a cursor; posts `Highlighted` when the cursor moves, `Selected` on enter."""

    BINDINGS = [  # newsboat's and vi's keys beside the arrows
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list-up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list-down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="list-page-up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="list-page-down"),
        Binding("home,g", "jump(0)", "First", show=False, id="list-first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="list-last"),
        Binding("enter", "select", "Select", show=False, id="list-select"),
    ]
    COMPONENT_CLASSES = {"post-list--header", "post-list--cursor", "post-list--even"}
    DEFAULT_CSS = """
    PostList {
        overflow-x: hidden;
        scrollbar-gutter: stable;  /* the columns keep their width when a scrollbar appears */
        background: $surface;
        color: $foreground;
        & > .post-list--header { text-style: bold; background: $panel; color: $foreground; }
        & > .post-list--even { background: $surface-lighten-1 50%; }
        & > .post-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .post-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:dark > .post-list--even { background: $surface-darken-1 40%; }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=False, repaint=False)

    class Highlighted(Message):
        def __init__(self, post_list: PostList, key: str | None) -> None:
            super().__init__()
            self.post_list = post_list
            self.key = key

        @property
        def control(self) -> PostList:
            return self.post_list

    class Selected(Highlighted):
        """Enter (or a click on the highlighted row)."""

    def __init__(self, widths: tuple[int, ...], **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.widths = widths  # fixed widths; 0 marks the one flexible column
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._strips: dict[tuple[object, ...], Strip] = {}  # drawn since the last set_rows
        self._older: dict[tuple[object, ...], Strip] = {}  # drawn for the rows before
        self._frame: tuple[int, Style, Style, Style, Style] | None = None  # per paint, see below

    # data -----------------------------------------------------------------------------------
    @property
    def rows(self) -> Mapping[str, int]:
        """Row key → position (so `key in post_list.rows` works)."""
        return self._index

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row].key
        return None

    def get_cell(self, key: str, column: str) -> Text:
        return self._rows[self._index[key]].cells[COLUMNS.index(column)]

    def set_rows(self, rows: Iterable[Row], keep: str | None = None, default: int = 0) -> None:
        """Replace every row; the cursor stays on `keep` when it is still there. Only lines
        that look different are repainted (a count arriving changes a few headers)."""
        old = self._rows
        self._rows = list(rows)
        self._index = {row.key: i for i, row in enumerate(self._rows)}
        top = int(self.scroll_offset.y)
        # two generations: enough to redraw the last rows for free; a bigger cache only gives
        # the garbage collector more to walk (tens of ms per full collection)
        self._older, self._strips = self._strips, {}
        self.virtual_size = Size(self.content_width, len(self._rows) + 1)
        if keep is not None and keep in self._index:
            target = self._index[keep]
        else:
            target = min(default, len(self._rows) - 1) if self._rows else 0
            if keep is not None or not self._rows:
                self.scroll_to(y=0, animate=False, immediate=True)
        changed = target != self.cursor_row
        self._refresh_row(self.cursor_row)
        self.set_reactive(PostList.cursor_row, target)
        self._refresh_row(target)
        self._scroll_cursor_into_view()
        if int(self.scroll_offset.y) != top or len(old) != len(self._rows):
            self.refresh()
        else:
            for index in range(top, min(len(old), top + self.size.height)):
                if old[index].sig != self._rows[index].sig:
                    self._refresh_row(index)
        if changed or keep is None or keep not in self._index:
            self.post_message(self.Highlighted(self, self.cursor_key))

    def update_row(self, key: str, cells: tuple[Text, ...]) -> None:
        """New cells for one row (a toggle shown before the database confirms it)."""
        index = self._index.get(key)
        if index is not None:
            self._rows[index] = Row(key, cells)
            self._refresh_row(index)

    def _refresh_row(self, index: int) -> None:
        if 0 <= index < len(self._rows):
            self.refresh_line(index + 1)  # virtual line: the header is line 0

    # cursor -----------------------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        if self._rows:
            self.cursor_row = max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, self.cursor_key))

    def _scroll_cursor_into_view(self) -> None:
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * max(1, self.size.height - 2))

    def action_jump(self, row: int) -> None:
        self.move_cursor(row if row >= 0 else len(self._rows) - 1)

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < len(self._rows):
            if index == self.cursor_row:
                self.action_select()
            self.move_cursor(index)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.content_width, len(self._rows) + 1)
        self._strips.clear()
        self._older.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._frame = None  # focus or theme changed: styles are looked up again

    # painting ---------------------------------------------------------------------------------
    def column_widths(self, width: int) -> list[int]:
        fixed = sum(self.widths) + 2 * PAD * len(self.widths)
        return [w or max(8, width - fixed) for w in self.widths]

    @property
    def content_width(self) -> int:
        """Width left for the columns (the vertical scrollbar takes its share)."""
        return self.scrollable_content_region.width

    def render_lines(self, crop: Region) -> list[Strip]:
        """Look the width and styles up once per paint, not once per line."""
        if self._frame is None or self._frame[0] != self.content_width:
            base = self.rich_style
            self._frame = (self.content_width, base,
                           self.get_component_rich_style("post-list--header"),
                           base + self.get_component_rich_style("post-list--cursor"),
                           base + self.get_component_rich_style("post-list--even"))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if self._frame is None:
            return Strip.blank(self.size.width)
        width, base, header, cursor_style, even = self._frame
        if y == 0:
            return self._draw(("header",), [Text(h) for h in HEADERS], width, header)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        cursor = index == self.cursor_row
        style = cursor_style if cursor else even if index % 2 else base
        return self._draw((row.key, row.sig), row.cells, width, style)

    def _draw(self, key: tuple[object, ...], cells: Iterable[Text], width: int,
              style: Style) -> Strip:
        cache_key = (*key, width, style)
        strip = self._strips.get(cache_key) or self._older.get(cache_key)
        if strip is not None:
            self._strips[cache_key] = strip
        else:
            segments: list[Segment] = []
            console = self.app.console
            for cell, size in zip(cells, self.column_widths(width), strict=False):
                text = cell.copy()
                text.truncate(size, overflow="ellipsis", pad=True)
                segments.append(Segment(" " * PAD))
                segments.extend(text.render(console, end=""))
                segments.append(Segment(" " * PAD))
            line = Segment.apply_style(segments, style)
            strip = Strip(line).adjust_cell_length(width, style)
            self._strips[cache_key] = strip
        return strip
