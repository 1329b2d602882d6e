"""Editing an edition's sections inside one write transaction (called by the roundup service)."""

from __future__ import annotations

from curator.errors import ConflictError, CuratorError, NotFoundError, StaleEditError
from curator.roundup.edition_rules import find_by_ref, moved, slugify
from curator.store import editions as store
from curator.store.engine import Tx as Session
from curator.store.tables import Edition, EditionSection
from curator.text import one_line, tidy_paragraphs


def _find(session: Session, edition: Edition, ref: str | int
          ) -> tuple[EditionSection, list[EditionSection]]:
    rows = store.sections_of(session, edition.id or 0)
    wanted = find_by_ref(ref, store.section_refs(rows))
    return next(s for s in rows if s.id == wanted), rows


def add(session: Session, edition: Edition, title: str, body: str, position: int | None) -> int:
    name = one_line(title)
    if not name:
        raise CuratorError("a section needs a title")
    rows = store.sections_of(session, edition.id or 0)
    section = EditionSection(edition_id=edition.id or 0, kind="text", title=name,
                             body=tidy_paragraphs(body), position=len(rows))
    session.add(section)
    session.flush()
    if position is None:  # before the closing note, when the edition ends with one
        position = len(rows) - 1 if rows and rows[-1].kind == "text" else -1
    order = moved([s.id or 0 for s in rows], section.id or 0, position)
    by_id = {s.id: s for s in [*rows, section]}
    store.renumber(session, [by_id[i] for i in order])
    return section.id or 0


def rename(session: Session, edition: Edition, ref: str | int, title: str) -> None:
    section, _rows = _find(session, edition, ref)
    name = one_line(title)
    if not name:
        raise CuratorError("a section needs a title")
    section.title = name
    session.add(section)


def set_body(session: Session, edition: Edition, ref: str | int, text: str,
             expected: str | None = None) -> None:
    """`expected` (when given) is the text the editor started from: a different stored text
    means someone changed it meanwhile, and the save is refused."""
    section, _rows = _find(session, edition, ref)
    if expected is not None and tidy_paragraphs(expected) != section.body:
        raise StaleEditError(f"the text of “{section.title}”")
    section.body = tidy_paragraphs(text)
    session.add(section)


def reorder(session: Session, edition: Edition, ref: str | int, position: int) -> None:
    section, rows = _find(session, edition, ref)
    order = moved([s.id or 0 for s in rows], section.id or 0, position)
    by_id = {s.id: s for s in rows}
    store.renumber(session, [by_id[i] for i in order])


def remove(session: Session, edition: Edition, ref: str | int, force: bool) -> None:
    section, rows = _find(session, edition, ref)
    items = store.section_items(session, section.id or 0)
    if items and not force:
        raise ConflictError(f"section {section.title!r} holds {len(items)} item(s); move them "
                            "first or use --force")
    for item in items:
        session.delete(item)
    session.flush()
    session.delete(section)
    session.flush()
    store.renumber(session, [s for s in rows if s.id != section.id])


def add_theme(session: Session, edition: Edition, slug: str, name: str) -> EditionSection:
    """A sub-section for a theme created after the draft, placed after the last theme one."""
    rows = store.sections_of(session, edition.id or 0)
    section = EditionSection(edition_id=edition.id or 0, kind="theme", title=name, theme=slug,
                             position=len(rows))
    session.add(section)
    session.flush()
    anchors = [i for i, s in enumerate(rows) if s.kind in ("theme", "blogs")]
    position = anchors[-1] + 1 if anchors else len(rows)
    order = moved([s.id or 0 for s in rows], section.id or 0, position)
    by_id = {s.id: s for s in [*rows, section]}
    store.renumber(session, [by_id[i] for i in order])
    return section


def section_for(session: Session, edition: Edition, ref: str | int | None, theme: str | None,
                themes: dict[str, str] | None = None) -> EditionSection:
    """Where an item goes: the named section; else the theme's sub-section (created when the
    theme is newer than the draft), else '...and', else the last theme sub-section."""
    sections = store.sections_of(session, edition.id or 0)
    if ref is not None and str(ref).strip():
        wanted = find_by_ref(ref, store.section_refs(sections))
        return next(s for s in sections if s.id == wanted)
    themed = [s for s in sections if s.kind == "theme"]
    if theme and themes and theme in themes and all(s.theme != theme for s in themed):
        return add_theme(session, edition, theme, themes[theme])
    for slug in (theme, "other"):
        match = next((s for s in themed if s.theme == slug), None)
        if match is not None:
            return match
    if themed:
        return themed[-1]
    if sections:
        return sections[-1]
    raise NotFoundError(f"edition #{edition.number} has no sections; add one first")


def ensure_text_section(session: Session, edition: Edition, title: str) -> str | int:
    """A reference to the draft's free-text section titled `title` (by key), added just before
    the closing note when the facilitator removed it."""
    key = slugify(title)
    if any(ref_key == key for _id, ref_key, _title in store.section_refs(
            store.sections_of(session, edition.id or 0))):
        return key
    return add(session, edition, title, "", None)
