"""Textual's Tree and DataTable with the keys a newsboat or vi user reaches for first.

j/k move the cursor, g/G go to the first and last row, ctrl+f/ctrl+b page; the arrows, home/end
and page keys still work. Every binding has an id, so `[keys]` in config.toml can remap it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Tree


def vi_keys(prefix: str, first: str, last: str) -> list[BindingType]:
    """j/k, g/G and ctrl+f/ctrl+b onto a widget's own cursor actions, ids `PREFIX-up`..."""
    return [
        Binding("k", "cursor_up", "Up", show=False, id=f"{prefix}-up"),
        Binding("j", "cursor_down", "Down", show=False, id=f"{prefix}-down"),
        Binding("g", first, "First", show=False, id=f"{prefix}-first"),
        Binding("G", last, "Last", show=False, id=f"{prefix}-last"),
        Binding("ctrl+b", "page_up", "Page up", show=False, id=f"{prefix}-page-up"),
        Binding("ctrl+f", "page_down", "Page down", show=False, id=f"{prefix}-page-down"),
    ]


class KeyTree(Tree[object]):
    BINDINGS: ClassVar[list[BindingType]] = vi_keys("tree", "scroll_home", "scroll_end")


class KeyTable(DataTable[object]):
    BINDINGS: ClassVar[list[BindingType]] = vi_keys("table", "scroll_top", "scroll_bottom")
