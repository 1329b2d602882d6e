"""The roundup screen's actions on the rest of the edition: links added by hand (their page read
for a title), an item's details, events and asks offered from the posts, and sending by e-mail.

Each is one service call on the app's write queue (curator.tui.screens.screen_base.write); the
roundup screen supplies what is selected.
"""

from __future__ import annotations

from curator.roundup.views import Delivery, ItemView, SectionView, Suggestion
from curator.tui.screens.modals import FieldsForm
from curator.tui.screens.screen_base import CuratorScreen


class EditionActions(CuratorScreen):
    """Mixed into RoundupScreen, which knows the selection."""

    def _selected(self) -> SectionView | ItemView | None:
        raise NotImplementedError

    def action_add_link(self) -> None:
        def save(values: dict[str, str] | None) -> None:
            if values and values["url"]:
                data = self._selected()
                section = data.id if isinstance(data, SectionView) else (
                    data.section_id if isinstance(data, ItemView) else None)
                if not values["title"]:
                    self.notify("Reading the page for its title…", timeout=3)
                self.write(lambda: self.curator.roundup.add_link(
                    values["title"] or None, values["url"], values["person"] or None,
                    values["org"] or None, section), note="link added")

        self.app.push_screen(FieldsForm("Add a link", [
            ("url", "URL", ""), ("title", "Title (empty: read from the page)", ""),
            ("person", "Person (empty: the page's author)", ""),
            ("org", "Organisation (empty: the page's site)", "")]), save)

    def action_details(self) -> None:
        data = self._selected()
        if not isinstance(data, ItemView):
            return

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self.write(lambda: self.curator.roundup.edit_item(
                    data.id, title=values["title"], person=values["person"],
                    org=values["org"]), note="item updated")

        self.app.push_screen(FieldsForm("Item details", [
            ("title", "Title", data.title), ("person", "Person (empty clears)", data.person or ""),
            ("org", "Organisation (empty clears)", data.org or "")]), save)

    def action_suggest(self) -> None:
        self.notify("Looking for events and asks…", timeout=2)
        self.write(lambda: self.curator.suggestions.suggest("all"), done=self._offer,
                   reload=False)

    def _offer(self, found: list[Suggestion]) -> None:
        if not found:
            self.notify("No events or asks among this window's posts.", timeout=4)
            return
        from curator.tui.screens.suggestion_picker import SuggestionPicker

        def chosen(offer: Suggestion | None) -> None:
            if offer is not None:
                section = "Other cool events" if offer.kind == "event" else "Can you help"
                self.write(lambda: self.curator.suggestions.accept(offer.post_id, offer.kind),
                           note=f"added to {section}")

        self.app.push_screen(SuggestionPicker(found), chosen)

    def action_send(self) -> None:
        smtp = self.curator.settings.smtp
        where = f"through {smtp.host}" if smtp.host else "(no [smtp] host set: dry run only)"

        def send(values: dict[str, str] | None) -> None:
            if not values:
                return
            to = [a.strip() for a in values["to"].split(",") if a.strip()]
            eml = values["eml"] or None
            self.write(lambda: self.curator.mail.send(to, dry_run=eml), done=self._sent,
                       reload=False)

        self.app.push_screen(FieldsForm(f"Send the edition {where}", [
            ("to", "To (addresses, comma-separated)", ", ".join(smtp.to)),
            ("eml", "Or write it to this .eml file instead (empty: send now)", "")]), send)

    def _sent(self, done: Delivery) -> None:
        if done.path:
            self.notify(f"wrote {done.path}", markup=False, timeout=4)
        else:
            self.notify(f"sent to {', '.join(done.recipients)}", markup=False, timeout=4)
        if done.refused:
            self.notify(f"the server refused {', '.join(done.refused)}", severity="warning",
                        markup=False, timeout=10)
