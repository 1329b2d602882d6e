"""The roundup's free-text sections and its export templates: the parts of RoundupService that
edit the edition's words rather than its items (kept here so each file stays one screenful of
operations; the facade's `curator.roundup` offers them all)."""

from __future__ import annotations

from pathlib import Path

from curator.services.service_base import ServiceBase
from curator.store import edition_sections as sections_mod
from curator.store import editions as store

UNCHECKED: str = "\0unchecked"  # `expected` not given: save whatever is stored (the CLI)


class RoundupSections(ServiceBase):
    def add_section(self, title: str, body: str = "", position: int | None = None) -> int:
        """A new free-text section (at 0-based `position`, default just before the closing
        note); returns its id."""
        with self.db.write() as session:
            return sections_mod.add(session, store.require_draft(session), title, body, position)

    def rename_section(self, ref: str | int, title: str) -> None:
        with self.db.write() as session:
            sections_mod.rename(session, store.require_draft(session), ref, title)

    def set_section_body(self, ref: str | int, text: str, expected: str | None = UNCHECKED
                         ) -> None:
        """Replace a section's free text. `expected`: the text the editor started from; when
        the stored text differs (changed elsewhere meanwhile) `StaleEditError` is raised."""
        with self.db.write() as session:
            sections_mod.set_body(session, store.require_draft(session), ref, text,
                                  None if expected is UNCHECKED else expected)

    def reorder_section(self, ref: str | int, position: int) -> None:
        """Move a section to index `position` (0-based; -1 = last)."""
        with self.db.write() as session:
            sections_mod.reorder(session, store.require_draft(session), ref, position)

    def remove_section(self, ref: str | int, force: bool = False) -> None:
        """Remove a section; one holding items needs `force` (its items go with it)."""
        with self.db.write() as session:
            sections_mod.remove(session, store.require_draft(session), ref, force)

    def template_files(self, copy: bool = False) -> list[tuple[str, Path, bool]]:
        """(name, path in use, is the user's own) per export template; `copy` first puts the
        bundled ones into the user's templates dir (never overwriting an edited one)."""
        from curator.roundup.render import user_templates

        return user_templates(self.locations.templates_dir, copy)

