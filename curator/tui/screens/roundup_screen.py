"""The roundup editor: the draft edition's sections and items, a live Markdown preview.

Keys reorder items and sections, edit blurbs and notes in place, add manual links and free-text
sections, export to a file, copy to the clipboard (OSC 52) and publish. Every change is one service
call on the app's write queue, followed by a reload of the edition and its preview. Changes made
elsewhere (the CLI, another facilitator) show within a second: the screen watches the draft's
revision; saving a text someone else changed meanwhile is refused, and the words typed are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Tree

from curator.errors import DeadLinksError, NotFoundError, StaleEditError
from curator.roundup.views import EditionView, ItemView, SectionView
from curator.tui.lists import KeyTree
from curator.tui.messages import DataLoaded, EditionChanged
from curator.tui.row_render import safe
from curator.tui.screens.edition_actions import EditionActions
from curator.tui.screens.modals import (
    Confirm,
    ExportDialog,
    FieldsForm,
    TextEditor,
    ThemePicker,
)
from curator.tui.screens.screen_base import StatusLine, SteadyFooter

WATCH_EVERY_S = 1.0  # how often the open screen checks for changes made elsewhere


class RoundupScreen(EditionActions):
    BINDINGS = [
        Binding("e", "edit", "Edit", id="edit", tooltip="Edit the blurb, or a section's text"),
        Binding("n", "note", "Note", id="note", tooltip="Add a short note after the link"),
        Binding("shift+up,K", "move(-1)", "Up", id="move-up", tooltip="Move up"),
        Binding("shift+down,J", "move(1)", "Down", id="move-down", tooltip="Move down"),
        Binding("s", "to_section", "Section", id="to-section", show=False,
                tooltip="Move the item to another section"),
        Binding("a", "add_link", "Link", id="add-link",
                tooltip="Add a link (no title: read from the page)"),
        Binding("t", "details", "Details", id="item-details", show=False,
                tooltip="Correct the item's title, person or organisation"),
        Binding("A", "add_section", "Add section", id="add-section", show=False,
                tooltip="Add a free-text section"),
        Binding("delete,d", "remove", "Remove", id="remove", show=False,
                tooltip="Remove the item (or an empty section)"),
        Binding("x", "export", "Export", id="export", tooltip="Export to a file (md, html, txt)"),
        Binding("c", "copy", "Copy", id="copy", show=False,
                tooltip="Copy the Markdown to the clipboard"),
        Binding("N", "new_edition", "New", id="new-edition", show=False,
                tooltip="Start a new draft edition"),
        Binding("P", "publish", "Publish", id="publish", show=False,
                tooltip="Publish the draft edition"),
        Binding("S", "suggest", "Suggest", id="suggest",
                tooltip="Events and asks found in this window's posts"),
        Binding("m", "send", "Send", id="send", show=False,
                tooltip="E-mail the edition (or write an .eml file)"),
    ]

    def __init__(self) -> None:
        super().__init__(id="roundup")
        self.view: EditionView | None = None
        self.markdown = ""
        self.revision: tuple[int, int] | None = None  # the draft's, as loaded

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # markdown-it: ~75 ms of import the inbox can skip

        yield Header()
        with Horizontal(id="roundup-body"):
            tree: Tree[object] = KeyTree("edition", id="edition-tree")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="preview-scroll"):
                yield Markdown("", id="preview", open_links=False)
        yield StatusLine(id="status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()
        self.set_interval(WATCH_EVERY_S, self._watch, name="watch-draft")

    def _watch(self) -> None:
        # also under a dialog (the text being edited may change meanwhile), not from other modes
        if self.data_ready.is_set() and self in self.app.screen_stack:
            self.check_revision(self.revision)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roundup-watch")
    def check_revision(self, shown: tuple[int, int] | None) -> None:
        """Another process (the CLI, another facilitator) changed the draft: show it."""
        if self.curator.roundup.draft_revision() != shown:
            self.post_message(EditionChanged())

    @on(EditionChanged)
    def _changed_elsewhere(self) -> None:
        self.reload()

    # loading -------------------------------------------------------------------------------
    def reload(self) -> None:
        self.load(self.next_load())

    @work(thread=True, exclusive=True, exit_on_error=False, group="roundup-load")
    def load(self, generation: int) -> None:
        revision = self.curator.roundup.draft_revision()  # first: a change meanwhile shows later
        try:
            view = self.curator.roundup.get_edition()
        except NotFoundError:
            self.post_message(DataLoaded("edition", (None, "", revision), generation))
            return
        markdown = self.curator.roundup.export_edition("md", view.info.number)
        self.post_message(DataLoaded("edition", (view, markdown, revision), generation))

    @on(DataLoaded)
    def _loaded(self, message: DataLoaded) -> None:
        if not self.is_latest_load(message.generation):
            return
        tree = self.query_one(Tree)
        from textual.widgets import Markdown

        preview = self.query_one("#preview", Markdown)
        view, self.markdown, self.revision = message.data
        if view is None:
            self.view, self.markdown = None, ""
            tree.clear()
            preview.update("No edition yet. Pick posts in the inbox (space), or press N "
                           "to start a draft.")
            self.query_one(StatusLine).set_local("no edition")
            return
        self.view = view
        selected = self._selected_key()
        tree.clear()
        target = None
        parent = tree.root
        for section in view.sections:
            label = Text(safe(section.title), style="bold")
            if section.kind != "blogs":  # the blogs heading's items sit in its sub-sections
                label.append(f"  {len(section.items)}" if section.kind != "text" else "  (text)",
                             style="dim")
            if section.level <= 1:
                node = parent = tree.root.add(label, data=section, expand=True)
            else:  # a theme sub-section sits under "From the blogs!"
                node = parent.add(label, data=section, expand=True)
            if selected == ("section", section.id):
                target = node
            for item in section.items:
                leaf = node.add_leaf(_item_label(item), data=item)
                if selected == ("item", item.id):
                    target = leaf
        preview.update(self.markdown)
        info = view.info
        self.query_one(StatusLine).set_local(
            f"edition #{info.number} · {safe(info.title)} · {info.status} · "
            f"{len(view.items)} items")
        _ = tree.last_line  # builds the line index, so nodes know their lines
        if target is not None:
            tree.move_cursor(target)
        elif tree.cursor_line < 0:
            tree.cursor_line = 0

    # current selection ----------------------------------------------------------------------
    def _selected(self) -> SectionView | ItemView | None:
        node = self.query_one(Tree).cursor_node
        data = node.data if node is not None else None
        return data if isinstance(data, SectionView | ItemView) else None

    def _selected_key(self) -> tuple[str, int] | None:
        data = self._selected()
        if isinstance(data, ItemView):
            return ("item", data.id)
        if isinstance(data, SectionView):
            return ("section", data.id)
        return None

    # actions -------------------------------------------------------------------------------
    def action_edit(self) -> None:
        data = self._selected()
        if isinstance(data, ItemView):
            parts = data.blurb_parts  # the link's words in [brackets], as set_blurb expects
            start = data.custom_blurb or f"{parts.before}[{parts.link_text}]{parts.after}"

            def save(text: str | None) -> None:
                if text is not None:
                    blurb = text.strip() or None
                    self.save_text(lambda: self.curator.roundup.set_blurb(
                        data.id, blurb, expected=data.custom_blurb), text, "blurb saved")

            self.app.push_screen(TextEditor(
                f"Blurb for: {safe(data.title, 60)}  (put the link's words in [brackets])",
                start), save)
        elif isinstance(data, SectionView):
            def save_body(text: str | None) -> None:
                if text is not None:
                    self.save_text(lambda: self.curator.roundup.set_section_body(
                        data.id, text, expected=data.body), text, "section saved")

            self.app.push_screen(TextEditor(f"Text of: {safe(data.title, 60)}", data.body),
                                 save_body)

    def action_note(self) -> None:
        data = self._selected()
        if isinstance(data, ItemView):
            def save(values: dict[str, str] | None) -> None:
                if values is not None:
                    note = values["note"] or None
                    self.write(lambda: self.curator.roundup.set_note(data.id, note),
                               note="note saved")

            self.app.push_screen(FieldsForm("Note after the link", [
                ("note", "Note (empty removes it)", data.note or "")]), save)

    def action_move(self, delta: int) -> None:
        data = self._selected()
        if isinstance(data, ItemView):
            self.write(lambda: self.curator.roundup.move_item_by(data.id, delta))
        elif isinstance(data, SectionView) and self.view is not None:
            index = [s.id for s in self.view.sections].index(data.id)
            self.write(lambda: self.curator.roundup.reorder_section(data.id,
                                                                    max(0, index + delta)))

    def action_to_section(self) -> None:
        data = self._selected()
        if not isinstance(data, ItemView) or self.view is None:
            return
        names = {str(s.id): safe(s.title) for s in self.view.sections if s.kind != "text"}
        names.update({str(s.id): safe(s.title) for s in self.view.sections if s.kind == "text"})

        def chosen(ref: str | None) -> None:
            if ref:
                self.write(lambda: self.curator.roundup.move_item(data.id, int(ref)), note="moved")

        self.app.push_screen(ThemePicker(names, "Move to which section?"), chosen)

    def action_add_section(self) -> None:
        def save(values: dict[str, str] | None) -> None:
            if values and values["title"]:
                title = values["title"]
                self.write(lambda: self.curator.roundup.add_section(title), note="section added")

        self.app.push_screen(FieldsForm("New free-text section", [
            ("title", "Title (e.g. Events, Can you help?)", "")]), save)

    def action_remove(self) -> None:
        data = self._selected()
        if isinstance(data, ItemView):
            self.write(lambda: self.curator.roundup.unpick(item_ids=[data.id]),
                       note="removed from the edition")
        elif isinstance(data, SectionView):
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.write(lambda: self.curator.roundup.remove_section(data.id),
                               note="section removed")

            self.app.push_screen(Confirm(f"Remove the section {safe(data.title)!r}?"), confirmed)

    def action_export(self) -> None:
        if self.view is None:
            self.notify("There is no edition to export yet: pick a post in the inbox first.",
                        severity="warning")
            return

        def save(choice: tuple[str, Path] | None) -> None:
            if choice is not None:
                self.export(*choice)

        self.app.push_screen(ExportDialog("Export the edition", self.curator.locations.exports_dir,
                                          f"roundup-{self.view.info.number}"), save)

    def export(self, fmt: str, path: Path) -> None:
        number = self.view.info.number if self.view else None
        self.write(lambda: self.curator.roundup.export_edition_to(fmt, path, number),
                   done=lambda written: self.notify(f"exported to {written}", markup=False,
                                                    timeout=3), reload=False)

    def action_copy(self) -> None:
        if self.markdown:
            self.app.copy_to_clipboard(self.markdown)
            self.notify("Markdown copied (if your terminal allows OSC 52).", timeout=3)

    def action_new_edition(self) -> None:
        self.write(lambda: self.curator.roundup.new_edition(), note="new draft edition started")

    def action_publish(self) -> None:
        if self.view is None or self.view.info.status != "draft":
            self.notify("There is no draft to publish.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.notify("Checking every link first…", timeout=3)
                self.write(self._publish_checked, done=refused_or_done)

        def refused_or_done(refusal: str | None) -> None:
            if refusal is None:
                self.notify("edition published", timeout=3)
                return
            self.app.push_screen(Confirm(f"{refusal}\n\nPublish anyway?"), anyway)

        def anyway(yes: bool | None) -> None:
            if yes:
                self.write(lambda: self.curator.roundup.publish(check=False),
                           note="edition published")

        self.app.push_screen(Confirm(f"Publish edition #{self.view.info.number}? Every link "
                                     "is checked first."), confirmed)

    def _publish_checked(self) -> str | None:
        """Publish after the link check; a dead link comes back as the reason, not an error."""
        try:
            self.curator.roundup.publish()
        except DeadLinksError as exc:
            return str(exc).removesuffix(", or publish with --force")
        return None

    def save_text(self, call: Callable[[], None], text: str, saved: str) -> None:
        """Save an edited text; when someone changed it meanwhile, keep the words typed (on the
        clipboard) and say so, instead of overwriting theirs."""
        def attempt() -> str | None:
            try:
                call()
            except StaleEditError as exc:
                return str(exc)
            return None

        def after(refused: str | None) -> None:
            if refused is None:
                self.notify(saved, markup=False, timeout=3)
                return
            self.app.copy_to_clipboard(text)
            self.notify(f"{refused}. Your words are on the clipboard.", title="Not saved",
                        severity="warning", markup=False, timeout=12)

        self.write(attempt, done=after)


def _item_label(item: ItemView) -> Text:
    """Markers first: the tree pane is narrow and cuts long titles, so what was edited shows."""
    label = Text()
    if item.custom_blurb:
        label.append("✎ ", style="green")
    if item.note:
        label.append("+note ", style="dim")
    if item.featured_in:
        label.append(f"(already in #{item.featured_in}) ", style="yellow")
    label.append(safe(item.title, 70))
    who = " · ".join(safe(part) for part in (item.person, item.org) if part)
    if who:
        label.append(f"  {who}", style="dim")
    return label
