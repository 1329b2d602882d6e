"""Database queries for editions, turned into plain views (ORM rows never leave this module's
callers, the service methods).

Kept apart from the service so the service reads as the list of operations and this file as the
list of questions asked of the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import event, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, func, select

from curator.errors import ConflictError, NotFoundError
from curator.roundup.blurbs import BlurbInput, section_blurbs
from curator.roundup.edition_rules import slugify
from curator.roundup.views import EditionInfo, EditionView, ItemView, SectionView
from curator.store.tables import (
    EDITION_ITEMS,
    EDITIONS,
    Edition,
    EditionItem,
    EditionSection,
    Feed,
    Post,
)
from curator.types import PostInfo
from curator.urls import safe_link

_Q = TypeVar("_Q", bound=Any)  # an ORM or a Core select


@event.listens_for(Session, "before_flush")
def _count_revisions(session: Session, _context: object, _instances: object) -> None:
    """Every flush that changes an edition, its sections or its items adds one to the edition's
    `revision`, in the same transaction: an open screen compares it to see changes from
    elsewhere, whichever process or command made them."""
    touched: set[int] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, EditionItem | EditionSection):
            touched.add(row.edition_id)
        elif isinstance(row, Edition) and row.id is not None:
            touched.add(row.id)
    if touched:
        session.connection().execute(update(EDITIONS).where(EDITIONS.c.id.in_(sorted(touched)))
                                     .values(revision=EDITIONS.c.revision + 1))


def revision(session: Session) -> tuple[int, int] | None:
    """(draft id, its revision), or None without a draft: what the roundup screen watches."""
    row = session.connection().execute(
        _newest_draft(core_select(EDITIONS.c.id, EDITIONS.c.revision)).limit(1)).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def _newest_draft(query: _Q) -> _Q:
    """The draft is the newest edition still in draft: one rule for the ORM and Core reads."""
    return query.where(EDITIONS.c.status == "draft").order_by(EDITIONS.c.number.desc())


def draft(session: Session) -> Edition | None:
    return session.exec(_newest_draft(select(Edition))).first()


def draft_info(session: Session) -> EditionInfo | None:
    """The draft's summary, asked in Core SQL: the inbox's first screen needs it, and Core spares
    that screen the ORM's one-off mapper set-up (about 15 ms; the first ORM call pays it later)."""
    items = EDITION_ITEMS
    conn = session.connection()
    row = conn.execute(_newest_draft(core_select(EDITIONS)).limit(1)).first()
    if row is None:
        return None
    count = conn.execute(core_select(func.count()).select_from(items)
                         .where(items.c.edition_id == row.id)).scalar_one()
    return to_info(row, int(count))


def require_draft(session: Session) -> Edition:
    edition = draft(session)
    if edition is None:
        raise NotFoundError("there is no draft edition; start one with `curator roundup new`")
    return edition


def edition_by_number(session: Session, number: int | None) -> Edition:
    """Edition `number`, or the draft when None (falling back to the latest published)."""
    if number is None:
        found = draft(session) or session.exec(
            select(Edition).order_by(col(Edition.number).desc())).first()
        if found is None:
            raise NotFoundError("there are no editions yet; start one with `curator roundup new`")
        return found
    edition = session.exec(select(Edition).where(Edition.number == number)).first()
    if edition is None:
        raise NotFoundError(f"there is no edition #{number}")
    return edition


def require_editable(edition: Edition) -> None:
    if edition.status != "draft":
        raise ConflictError(f"edition #{edition.number} is published and can no longer change")


def sections_of(session: Session, edition_id: int) -> list[EditionSection]:
    return list(session.exec(select(EditionSection).where(EditionSection.edition_id == edition_id)
                             .order_by(col(EditionSection.position), col(EditionSection.id))))


def items_of(session: Session, edition_id: int) -> list[EditionItem]:
    return list(session.exec(select(EditionItem).where(EditionItem.edition_id == edition_id)
                             .order_by(col(EditionItem.position), col(EditionItem.id))))


def section_items(session: Session, section_id: int) -> list[EditionItem]:
    return list(session.exec(select(EditionItem).where(EditionItem.section_id == section_id)
                             .order_by(col(EditionItem.position), col(EditionItem.id))))


def section_key(section: EditionSection) -> str:
    if section.kind == "theme" and section.theme:
        return section.theme
    return "blogs" if section.kind == "blogs" else slugify(section.title)


def section_refs(sections: Sequence[EditionSection]) -> list[tuple[int, str, str]]:
    return [(s.id or 0, section_key(s), s.title) for s in sections]


def renumber(session: Session, rows: Sequence[EditionItem | EditionSection]) -> None:
    for index, row in enumerate(rows):
        if row.position != index:
            row.position = index
            session.add(row)


def last_published_end(session: Session):  # type: ignore[no-untyped-def]
    """Where the next window starts: the end of the latest published edition's window."""
    edition = session.exec(select(Edition).where(Edition.status == "published")
                           .order_by(col(Edition.number).desc())).first()
    if edition is None:
        return None
    return edition.window_end or edition.published_at


def featured(session: Session, post_ids: Iterable[int], links: Iterable[str],
             exclude_edition: int | None = None) -> tuple[dict[int, int], dict[str, int]]:
    """Published editions that already featured these posts or links: (post_id -> number,
    link -> number), earliest edition first."""
    ids, urls = list(set(post_ids)), list({u for u in links if u})
    by_post: dict[int, int] = {}
    by_link: dict[str, int] = {}
    if not ids and not urls:
        return by_post, by_link
    query = (select(EditionItem.post_id, EditionItem.link, Edition.number)
             .join(Edition, col(Edition.id) == EditionItem.edition_id)
             .where(Edition.status == "published")
             .where(col(EditionItem.post_id).in_(ids) | col(EditionItem.link).in_(urls)))
    if exclude_edition is not None:
        query = query.where(Edition.id != exclude_edition)
    for post_id, link, number in session.exec(query.order_by(col(Edition.number).desc())):
        if post_id is not None:
            by_post[post_id] = number
        if link:
            by_link[link] = number
    return by_post, by_link


def info(session: Session, edition: Edition) -> EditionInfo:
    count = session.exec(select(func.count()).select_from(EditionItem)
                         .where(EditionItem.edition_id == edition.id)).one()
    return to_info(edition, int(count))


def to_info(edition: Edition | Any, count: int) -> EditionInfo:
    """From an Edition row or a Core row with the same columns."""
    return EditionInfo(number=edition.number, title=edition.title, status=edition.status,
                       window_start=edition.window_start, window_end=edition.window_end,
                       created_at=edition.created_at, published_at=edition.published_at,
                       item_count=count)


def view(session: Session, edition: Edition) -> EditionView:
    """The whole edition with ordered sections, ordered items and their blurbs."""
    sections = sections_of(session, edition.id or 0)
    items = items_of(session, edition.id or 0)
    grouped: dict[int, list[EditionItem]] = defaultdict(list)
    for item in items:
        grouped[item.section_id].append(item)
    by_post, by_link = featured(session, [i.post_id for i in items if i.post_id],
                                [i.link for i in items], exclude_edition=edition.id)
    texts = post_texts(session, [i.post_id for i in items if i.post_id])
    named: dict[str, int] = {}  # people named so far, down the whole edition
    out: list[SectionView] = []
    in_blogs = False
    for section in sections:
        if section.kind == "blogs":
            in_blogs = True
        elif section.kind != "theme":
            in_blogs = False
        rows = grouped.get(section.id or 0, [])
        blurbs = section_blurbs([BlurbInput(r.title, r.person, r.org, r.blurb, r.id or 0,
                                            texts.get(r.post_id or 0)) for r in rows], named)
        views = [ItemView(id=r.id or 0, section_id=r.section_id, position=index, title=r.title,
                          link=safe_link(r.url or r.link), person=r.person, org=r.org, note=r.note,
                          blurb=b.text, blurb_parts=b, custom_blurb=r.blurb, post_id=r.post_id,
                          featured_in=(by_post.get(r.post_id) if r.post_id else None)
                          or by_link.get(r.link))
                 for index, (r, b) in enumerate(zip(rows, blurbs, strict=True))]
        level = 2 if section.kind == "theme" and in_blogs else 1
        out.append(SectionView(id=section.id or 0, key=section_key(section), kind=section.kind,
                               title=section.title, body=section.body, theme=section.theme,
                               position=section.position, level=level, items=views))
    return EditionView(info=to_info(edition, len(items)), sections=out)


def post_texts(session: Session, post_ids: Sequence[int]) -> dict[int, str]:
    """post id -> its title and summary: how the author writes their words (blurb casing)."""
    if not post_ids:
        return {}
    rows = session.exec(select(Post.id, Post.title, Post.summary)
                        .where(col(Post.id).in_(list(post_ids)))).all()
    return {int(pid): f"{title}\n{summary}" for pid, title, summary in rows if pid is not None}


def candidates(session: Session, edition: Edition | None, window: tuple, theme: str | None,
               limit: int | None) -> list[PostInfo]:
    """Posts in the window that no published edition featured (by post or canonical link),
    newest first; those already in the draft are marked `picked`."""
    start, end = window
    when = func.coalesce(Post.published, Post.first_seen_at)
    query = (select(Post, Feed).join(Feed, col(Feed.id) == Post.feed_id)
             .where(col(Post.hidden).is_(False)))
    if start is not None:
        query = query.where(when >= start)
    if end is not None:
        query = query.where(when <= end)
    if theme:
        query = query.where(Post.theme == theme)
    rows = session.exec(query.order_by(when.desc(), col(Post.id).desc())).all()
    by_post, by_link = featured(session, [p.id or 0 for p, _f in rows],
                                [p.link or "" for p, _f in rows])
    picked = ({i.post_id for i in items_of(session, edition.id or 0)} if edition else set())
    out: list[PostInfo] = []
    for post, feed in rows:
        if post.id in by_post or (post.link and post.link in by_link):
            continue
        out.append(PostInfo(id=post.id or 0, feed_url=feed.url, title=post.title, link=post.url or post.link,
                            person=post.person or feed.person, published=post.published,
                            theme=post.theme, confidence=post.theme_confidence,
                            why=post.theme_why, org=post.org or feed.org, author=post.author,
                            blog_title=feed.title or feed.feed_title, summary=post.summary,
                            tags=list(post.tags or []), theme_source=post.theme_source,
                            read=post.read, hidden=post.hidden, picked=post.id in picked))
        if limit is not None and len(out) >= limit:
            break
    return out


def edition_numbers(session: Session) -> list[int]:
    return list(session.exec(select(Edition.number)).all())


def all_editions(session: Session) -> list[Edition]:
    return list(session.exec(select(Edition).order_by(col(Edition.number))).all())


def post_links(session: Session, post_ids: Sequence[int]) -> dict[int, str | None]:
    """post id -> its canonical link, for the posts that exist."""
    rows = session.exec(select(Post.id, Post.link).where(col(Post.id).in_(post_ids))).all()
    return {int(pid): link for pid, link in rows if pid is not None}


def posts_with_feeds(session: Session, post_ids: Sequence[int]) -> dict[int, tuple[Post, Feed]]:
    rows = session.exec(select(Post, Feed).join(Feed, col(Feed.id) == Post.feed_id)
                        .where(col(Post.id).in_(post_ids))).all()
    return {post.id or 0: (post, feed) for post, feed in rows}


def multi_author_feeds(session: Session, feed_ids: Sequence[int]) -> set[int]:
    """Feeds whose posts name two or more authors: aggregators and group blogs, where a post is
    credited to its own author rather than to the feed."""
    if not feed_ids:
        return set()
    rows = session.exec(select(Post.feed_id).where(col(Post.feed_id).in_(list(set(feed_ids))))
                        .where(col(Post.author).is_not(None)).group_by(col(Post.feed_id))
                        .having(func.count(func.distinct(Post.author)) >= 2)).all()
    return {int(feed_id) for feed_id in rows}


def item_by_id(session: Session, item_id: int) -> EditionItem | None:
    return session.get(EditionItem, item_id)


def edition_by_id(session: Session, edition_id: int) -> Edition | None:
    return session.get(Edition, edition_id)


def draft_item(session: Session, item_id: int) -> tuple[Edition, EditionItem]:
    """An item with its edition, which must still be the editable draft."""
    item = item_by_id(session, item_id)
    if item is None:
        raise NotFoundError(f"no item with id {item_id}")
    edition = edition_by_id(session, item.edition_id)
    assert edition is not None
    require_editable(edition)
    return edition, item
