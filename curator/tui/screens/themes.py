"""Themes: the roundup's themes, the visible rules that beat the model, the classifier's figures.

Rules can be added (with a dry-run count of the posts they would move) and removed; the model can
be retrained and applied retroactively. Everything runs in workers.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, Static

from curator.tui.messages import DataLoaded, Done
from curator.tui.render import safe
from curator.tui.screens.base import CuratorScreen, StatusLine
from curator.tui.screens.modals import Confirm, FieldsForm


class ThemesScreen(CuratorScreen):
    BINDINGS = [
        Binding("a", "add_rule", "Add rule", id="rule-add", tooltip="Add a rule (dry run first)"),
        Binding("d,delete", "remove_rule", "Remove rule", id="rule-remove",
                tooltip="Remove the selected rule"),
        Binding("T", "retrain", "Retrain", id="retrain", tooltip="Retrain the classifier"),
        Binding("R", "reclassify", "Reclassify", id="reclassify",
                tooltip="Apply themes retroactively (dry-run count first)"),
    ]

    def __init__(self) -> None:
        super().__init__(id="themes")
        self.rules: list[object] = []
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="themes-body"):
            with Vertical(id="themes-left"):
                yield Label("Themes", classes="pane-title")
                themes: DataTable[object] = DataTable(id="theme-table", cursor_type="row")
                yield themes
                yield Label("Rules (beat the model)", classes="pane-title")
                rules: DataTable[object] = DataTable(id="rule-table", cursor_type="row")
                yield rules
            with VerticalScroll(id="stats-scroll"):
                yield Static("", id="stats", markup=False)
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#theme-table", DataTable).add_columns("#", "Slug", "Name", "Posts")
        self.query_one("#rule-table", DataTable).add_columns("Id", "Field", "Pattern", "Theme",
                                                             "On")
        self.query_one("#rule-table", DataTable).focus()

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="themes-load")
    def load(self) -> None:
        curator = self.curator
        themes = curator.list_themes()
        counts = {t.slug: curator.count_posts(theme=t.slug) for t in themes}
        rules = curator.list_rules() if hasattr(curator, "list_rules") else []
        stats = curator.classifier_stats() if hasattr(curator, "classifier_stats") else None
        self.post_message(DataLoaded("themes", (themes, counts, rules, stats)))

    @on(DataLoaded)
    def _loaded(self, message: DataLoaded) -> None:
        themes, counts, rules, stats = message.data
        table = self.query_one("#theme-table", DataTable)
        table.clear()
        for theme in themes:
            table.add_row(str(theme.position), Text(safe(theme.slug)), Text(safe(theme.name)),
                          str(counts.get(theme.slug, 0)), key=theme.slug)
        rule_table = self.query_one("#rule-table", DataTable)
        rule_table.clear()
        self.rules = list(rules)
        for rule in self.rules:
            rule_table.add_row(str(getattr(rule, "id", "")), Text(safe(getattr(rule, "field", ""))),
                               Text(safe(getattr(rule, "pattern", ""))),
                               Text(safe(getattr(rule, "theme", ""))),
                               "yes" if getattr(rule, "enabled", True) else "no",
                               key=str(getattr(rule, "id", "")))
        self.query_one("#stats", Static).update(_stats_text(stats))
        self.query_one(StatusLine).set_local(f"{len(themes)} themes · {len(self.rules)} rules")
        self.loads += 1

    # actions -------------------------------------------------------------------------------
    def action_add_rule(self) -> None:
        def save(values: dict[str, str] | None) -> None:
            if values and values["pattern"] and values["theme"]:
                self.dry_run_rule(values["field"] or "phrase", values["pattern"], values["theme"])

        self.app.push_screen(FieldsForm("Add a rule: when FIELD matches PATTERN, use THEME", [
            ("field", "Field: phrase, tag, author, feed or domain", "phrase"),
            ("pattern", "Pattern", ""), ("theme", "Theme slug", "")]), save)

    @work(thread=True, exclusive=False, exit_on_error=False, group="themes-action")
    def dry_run_rule(self, field: str, pattern: str, theme: str) -> None:
        preview = self.curator.add_rule(field, pattern, theme, dry_run=True)
        moved = getattr(preview, "would_change", preview)
        self.app.call_from_thread(self._confirm_rule, field, pattern, theme, moved)

    def _confirm_rule(self, field: str, pattern: str, theme: str, moved: object) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.theme_call("add_rule", field, pattern, theme, note="rule added")

        self.app.push_screen(Confirm(f"This rule would re-theme {moved} posts. Add it?"),
                             confirmed)

    def action_remove_rule(self) -> None:
        table = self.query_one("#rule-table", DataTable)
        if not table.row_count:
            return
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self.theme_call("remove_rule", int(str(key.value)), note="rule removed")

    def action_retrain(self) -> None:
        self.theme_call("retrain", note="classifier retrained")

    def action_reclassify(self) -> None:
        self.dry_run_reclassify()

    @work(thread=True, exclusive=False, exit_on_error=False, group="themes-action")
    def dry_run_reclassify(self) -> None:
        preview = self.curator.reclassify(dry_run=True)
        moved = getattr(preview, "changed", preview)
        self.app.call_from_thread(self._confirm_reclassify, moved)

    def _confirm_reclassify(self, moved: object) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.theme_call("reclassify", note="themes applied")

        self.app.push_screen(Confirm(f"Reclassifying would change {moved} posts "
                                     "(your own corrections are kept). Go ahead?"), confirmed)

    @work(thread=True, exclusive=False, exit_on_error=False, group="themes-action")
    def theme_call(self, method: str, *args: object, note: str = "") -> None:
        getattr(self.curator, method)(*args)
        self.post_message(Done(note))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.notify(message.text, markup=False, timeout=3)
        self.reload()


def _stats_text(stats: object) -> Text:
    out = Text("Classifier\n", style="bold")
    if stats is None:
        out.append("No figures yet.", style="dim")
        return out
    for name in ("model", "trained_at", "n_examples", "accuracy", "macro_f1", "signals"):
        value = getattr(stats, name, None)
        if value is not None:
            out.append(f"{name.replace('_', ' ')}: ", style="bold")
            out.append(f"{value:.2f}\n" if isinstance(value, float) else f"{safe(value)}\n")
    return out
