"""Small dialogs: pick a theme, confirm, fill in a few fields, edit a long text."""

from __future__ import annotations

from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, TextArea
from textual.widgets.option_list import Option


class ThemePicker(ModalScreen[str | None]):
    """Choose a theme slug (or '*' for all when `allow_all`)."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog-cancel")]

    def __init__(self, names: dict[str, str], title: str, current: str | None = None,
                 allow_all: bool = False) -> None:
        super().__init__(classes="dialog")
        self.names, self.title_text, self.current, self.allow_all = names, title, current, allow_all

    def compose(self) -> ComposeResult:
        options = [Option("All themes", id="*")] if self.allow_all else []
        for index, (slug, name) in enumerate(self.names.items(), start=1):
            marker = " (current)" if slug == self.current else ""
            options.append(Option(f"{index}  {name}{marker}", id=slug))
        with Vertical(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*options, id="themes", markup=False)
            yield Label("enter or a digit choose · esc cancel", classes="hint", markup=False)

    def on_key(self, event: events.Key) -> None:
        key = event.key
        if key.isdigit() and 0 < int(key) <= len(self.names):
            event.stop()  # the digit is the answer: not also the app's "switch to screen N"
            event.prevent_default()
            self.dismiss(list(self.names)[int(key) - 1])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "answer(False)", "No", id="dialog-no"),
                Binding("y", "answer(True)", "Yes", id="dialog-yes")]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.question, classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (esc)", id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class FieldsForm(ModalScreen[dict[str, str] | None]):
    """A few labelled one-line fields; enter on the last one (or ctrl+s) submits."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel"),
                Binding("ctrl+s", "submit", "Save", id="dialog-save")]

    def __init__(self, title: str, fields: list[tuple[str, str, str]]) -> None:
        """`fields`: (name, label, initial value)."""
        super().__init__(classes="dialog")
        self.title_text, self.fields = title, fields

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            for name, label, value in self.fields:
                yield Label(label, markup=False)
                # the cursor goes to the end: a first key press edits, it does not replace
                yield Input(value=value, id=f"field-{name}", select_on_focus=False)
            many = len(self.fields) > 1
            yield Label(("enter next field · " if many else "enter or ") +
                        "ctrl+s save · esc cancel", classes="hint", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            inputs[inputs.index(event.input) + 1].focus()

    def action_submit(self) -> None:
        self.dismiss({name: self.query_one(f"#field-{name}", Input).value.strip()
                      for name, _, _ in self.fields})

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextEditor(ModalScreen[str | None]):
    """Edit a longer text (a blurb, a section body); ctrl+s saves, escape cancels."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="editor-save"),
                Binding("escape", "cancel", "Cancel", id="editor-cancel")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="dialog")
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box editor-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Label("Typing replaces the text; an arrow key keeps it for editing.",
                        classes="hint", markup=False)
            yield Label("ctrl+s save · esc cancel", classes="hint", markup=False)
            yield TextArea(self.text, id="editor", soft_wrap=True)

    def on_mount(self) -> None:
        """The starting text is selected: typing replaces it, an arrow key keeps it to edit."""
        area = self.query_one(TextArea)
        area.focus()
        area.select_all()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


EXPORT_FORMATS = {"md": "Markdown", "html": "HTML (e-mail-safe page)", "txt": "Plain text"}


class ExportDialog(ModalScreen[tuple[str, Path] | None]):
    """Choose a format and a file; the file name follows the format until it is edited."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export-cancel"),
                Binding("ctrl+s", "submit", "Save", id="export-save")]

    def __init__(self, title: str, folder: Path, stem: str) -> None:
        super().__init__(classes="dialog")
        self.title_text, self.folder, self.stem = title, folder, stem
        self.fmt = "md"

    def _default(self, fmt: str) -> str:
        return str(self.folder / f"{self.stem}.{fmt}")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            with RadioSet(id="export-format"):
                for index, (fmt, name) in enumerate(EXPORT_FORMATS.items()):
                    yield RadioButton(name, value=index == 0, id=f"format-{fmt}")
            yield Label(f"File (folder: {self.folder})", markup=False)
            yield Input(value=self._default("md"), id="export-path", select_on_focus=False)
            yield Label("↑↓ and enter pick a format · enter in File or ctrl+s save · "
                        "esc cancel", classes="hint", markup=False)

    @on(RadioSet.Changed)
    def _format_changed(self, event: RadioSet.Changed) -> None:
        fmt = (event.pressed.id or "format-md").removeprefix("format-")
        path = self.query_one("#export-path", Input)
        if path.value.strip() in (self._default(f) for f in EXPORT_FORMATS):
            path.value = self._default(fmt)  # only a name the user has not edited follows
        self.fmt = fmt

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        text = self.query_one("#export-path", Input).value.strip() or self._default(self.fmt)
        path = Path(text).expanduser()
        self.dismiss((self.fmt, path if path.is_absolute() else self.folder / path))

    def action_cancel(self) -> None:
        self.dismiss(None)
