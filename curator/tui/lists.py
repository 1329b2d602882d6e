"""Textual's Tree and DataTable with the keys a newsboat or vi user reaches for first.

j/k move the cursor, g/G go to the first and last row, ctrl+f/ctrl+b page; the arrows, home/end
and page keys still work. Every binding has an id, so `[keys]` in config.toml can remap it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Tree


class KeyTree(Tree[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "cursor_up", "Up", show=False, id="tree-up"),
        Binding("j", "cursor_down", "Down", show=False, id="tree-down"),
        Binding("g", "scroll_home", "First", show=False, id="tree-first"),
        Binding("G", "scroll_end", "Last", show=False, id="tree-last"),
        Binding("ctrl+b", "page_up", "Page up", show=False, id="tree-page-up"),
        Binding("ctrl+f", "page_down", "Page down", show=False, id="tree-page-down"),
    ]


class KeyTable(DataTable[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "cursor_up", "Up", show=False, id="table-up"),
        Binding("j", "cursor_down", "Down", show=False, id="table-down"),
        Binding("g", "scroll_top", "First", show=False, id="table-first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="table-last"),
        Binding("ctrl+b", "page_up", "Page up", show=False, id="table-page-up"),
        Binding("ctrl+f", "page_down", "Page down", show=False, id="table-page-down"),
    ]
