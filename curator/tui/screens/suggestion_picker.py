"""Choose an event or an ask to add to the edition: each offer shows its roundup line and why
it was offered (the words and the date found)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from curator.roundup.views import Suggestion
from curator.tui.row_render import safe

HEADINGS = {"event": "Other cool events", "ask": "Can you help"}


class SuggestionPicker(ModalScreen[Suggestion | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="suggest-cancel")]

    def __init__(self, suggestions: list[Suggestion]) -> None:
        super().__init__(classes="dialog")
        self.suggestions = {f"{s.kind}:{s.post_id}": s for s in suggestions}

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        for kind, heading in HEADINGS.items():
            offers = [(key, s) for key, s in self.suggestions.items() if s.kind == kind]
            if not offers:
                continue
            options.append(Option(Text(heading, style="bold"), disabled=True))
            for key, s in offers:
                label = Text(safe(s.line, 150))
                label.append(f"\n   why: {safe(s.why, 150)}", style="dim")
                options.append(Option(label, id=key))
        with Vertical(classes="dialog-box suggest-box"):
            yield Label("Events and asks in this window's posts", classes="dialog-title",
                        markup=False)
            yield OptionList(*[o for o in options if o is not None], id="suggestions")
            yield Label("enter adds it to its section · esc closes", classes="hint",
                        markup=False)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.suggestions.get(event.option.id or ""))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
