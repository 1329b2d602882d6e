"""Editing an edition's sections inside one write session (called by the roundup service)."""

from __future__ import annotations

from sqlmodel import Session

from curator.errors import ConflictError, CuratorError
from curator.roundup.edition_rules import find_by_ref, moved
from curator.store import editions as store
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


def set_body(session: Session, edition: Edition, ref: str | int, text: str) -> None:
    section, _rows = _find(session, edition, ref)
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
