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
from textual.widgets import DataTable, Header, Label, Static

from curator.tui.lists import KeyTable
from curator.tui.messages import DataLoaded
from curator.tui.row_render import safe, when
from curator.tui.screens.modals import Confirm, FieldsForm
from curator.tui.screens.screen_base import CuratorScreen, StatusLine, SteadyFooter
from curator.types import ModelInfo, RuleInfo


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
        self.rules: list[RuleInfo] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="themes-body"):
            with Vertical(id="themes-left"):
                yield Label("Themes", classes="pane-title")
                themes: DataTable[object] = KeyTable(id="theme-table", cursor_type="row")
                yield themes
                yield Label("Rules (beat the model)", classes="pane-title")
                rules: DataTable[object] = KeyTable(id="rule-table", cursor_type="row")
                yield rules
            with VerticalScroll(id="stats-scroll"):
                yield Static("", id="stats", markup=False)
        yield StatusLine(id="status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#theme-table", DataTable).add_columns("#", "Slug", "Name", "Posts")
        self.query_one("#rule-table", DataTable).add_columns("Id", "Field", "Pattern", "Theme",
                                                             "On")
        self.query_one("#rule-table", DataTable).focus()

    def reload(self) -> None:
        self.load(self.next_load())

    @work(thread=True, exclusive=True, exit_on_error=False, group="themes-load")
    def load(self, generation: int) -> None:
        curator = self.curator
        themes = curator.themes.list_themes()
        counts = {t.slug: curator.posts.count_posts(theme=t.slug) for t in themes}
        rules = curator.themes.list_rules()
        stats = curator.themes.classifier_stats()
        self.post_message(DataLoaded("themes", (themes, counts, rules, stats), generation))

    @on(DataLoaded)
    def _loaded(self, message: DataLoaded) -> None:
        if not self.is_latest_load(message.generation):
            return
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
            pattern = Text(safe(rule.pattern))
            if rule.feed_url:
                pattern.append(f"  (only {safe(rule.feed_url, 50)})", style="dim")
            rule_table.add_row(str(rule.id), Text(safe(rule.field)), pattern,
                               Text(safe(rule.theme)), "yes" if rule.enabled else "no",
                               key=str(rule.id))
        self.query_one("#stats", Static).update(_stats_text(stats))
        self.query_one(StatusLine).set_local(f"{len(themes)} themes · {len(self.rules)} rules")

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
        preview = self.curator.themes.add_rule(field, pattern, theme, dry_run=True)
        examples = "; ".join(safe(m.title, 50) for m in preview.samples[:3])
        question = (f"The rule matches {preview.matched} stored posts and would move "
                    f"{preview.moved} of them to {theme}" + (f" (e.g. {examples})" if examples
                                                             else "") + ". Add it?")
        self.app.call_from_thread(self._confirm_rule, field, pattern, theme, question)

    def _confirm_rule(self, field: str, pattern: str, theme: str, question: str) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.write(lambda: self.curator.themes.add_rule(field, pattern, theme),
                           note="rule added")

        self.app.push_screen(Confirm(question), confirmed)

    def action_remove_rule(self) -> None:
        table = self.query_one("#rule-table", DataTable)
        if not table.row_count:
            return
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        rule_id = int(str(key.value))
        self.write(lambda: self.curator.themes.remove_rule(rule_id), note="rule removed")

    def action_retrain(self) -> None:
        self.write(lambda: self.curator.themes.retrain(), note="classifier retrained")

    def action_reclassify(self) -> None:
        self.dry_run_reclassify()

    @work(thread=True, exclusive=False, exit_on_error=False, group="themes-action")
    def dry_run_reclassify(self) -> None:
        moved = self.curator.themes.reclassify(all=True, dry_run=True)
        self.app.call_from_thread(self._confirm_reclassify, moved)

    def _confirm_reclassify(self, moved: object) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.write(lambda: self.curator.themes.reclassify(all=True),
                           note="themes applied")

        self.app.push_screen(Confirm(f"Reclassifying would change {moved} posts "
                                     "(your own corrections are kept). Go ahead?"), confirmed)


def _stats_text(stats: ModelInfo) -> Text:
    out = Text("Classifier\n\n", style="bold")
    for label, value in (("Model", stats.model), ("Trained", when(stats.trained_at)),
                         ("Training examples", stats.n_examples),
                         ("  from your corrections", stats.n_user),
                         ("  from editions", stats.n_edition), ("  from rules", stats.n_rule)):
        out.append(f"{label}: ", style="bold")
        out.append(f"{safe(value)}\n")
    out.append("\nT retrains now; R re-buckets stored posts (a dry-run count first). "
               "Run `curator themes eval FILE.jsonl` for accuracy and F1.", style="dim")
    return out
