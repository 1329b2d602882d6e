"""`?`: every key binding, where it works, and the id to remap it with in config.toml."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

REMAP_HINT = ("Remap keys in config.toml (see `curator paths`):  [keys]  pick = \"space,p\"   "
              "·   ctrl+p: command palette   ·   ctrl+q: quit")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help-close")]

    def __init__(self, bindings: list[tuple[str, Binding]]) -> None:
        super().__init__(classes="dialog", id="help")
        self.bindings_list = bindings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Label("Keys", classes="dialog-title")
            table: DataTable[str] = DataTable(id="help-table", cursor_type="row")
            yield table
            yield Static(REMAP_HINT, markup=False, classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Does", "Id")
        for where, binding in self.bindings_list:
            key = self.app.get_key_display(binding)
            table.add_row(where, key, binding.tooltip or binding.description, binding.id or "")
        table.focus()
