"""Service methods for roundup editions: compose, blurb, order, export, publish.

Every method works on the draft edition unless it says otherwise and returns plain values
(`curator.roundup.views`). Placing a post in a theme sub-section is a training signal for the
classifier; a post or link already featured in a published edition is refused unless forced.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from curator.errors import (
    AlreadyFeaturedError,
    ConflictError,
    CuratorError,
    DeadLinksError,
    NotFoundError,
    StaleEditError,
)
from curator.roundup import edition_rules as rules
from curator.roundup.blurbs import who
from curator.roundup.inline_links import links_in
from curator.roundup.page_meta import PageMeta
from curator.roundup.views import EditionInfo, EditionView, LinkReport, LinkResult, Publication
from curator.services.roundup_sections import UNCHECKED, RoundupSections
from curator.services.service_base import ServiceContext
from curator.services.theme_service import ThemeService
from curator.store import edition_sections as sections_mod
from curator.store import editions as store
from curator.store import theme_rows
from curator.store.engine import Tx
from curator.store.tables import Edition, EditionItem, EditionSection, utcnow
from curator.text import one_line
from curator.types import PostInfo
from curator.urls import author_link, canonical_link, check_feed_url


class RoundupService(RoundupSections):
    """Roundup operations for the CLI and the TUI."""

    # --- editions ------------------------------------------------------------------------------

    def __init__(self, context: ServiceContext, themes: ThemeService) -> None:
        super().__init__(context)
        self.themes = themes  # sections follow the themes; a placed post trains the classifier

    def _theme_order(self) -> list[tuple[str, str]]:
        """(slug, name) in roundup order, from the classifier's themes."""
        return [(t.slug, t.name) for t in self.themes.list_themes()] or list(rules.DEFAULT_THEMES)

    def new_edition(self, title: str | None = None, since: str | datetime | None = None,
                    until: str | datetime | None = None) -> EditionInfo:
        """Start the draft (one at a time); the window defaults to since the last publication."""
        start_at = rules.parse_when(since)
        end_at = rules.parse_when(until, end_of_day=True)
        themes = self._theme_order()
        with self.db.write() as session:
            current = store.draft(session)
            if current is not None:
                raise ConflictError(f"edition #{current.number} is still a draft; publish it "
                                    "before starting another")
            return store.to_info(self._start_draft(session, title, start_at, end_at, themes), 0)

    def _start_draft(self, session: Tx, title: str | None, start_at: datetime | None,
                     end_at: datetime | None, themes: list[tuple[str, str]]) -> Edition:
        """The new draft and its default sections, inside the caller's transaction."""
        number = rules.next_number(store.edition_numbers(session))
        start, end = rules.default_window(utcnow(), store.last_published_end(session),
                                          start_at, end_at)
        edition = Edition(number=number, title=one_line(title) or rules.default_title(number),
                          window_start=start, window_end=end)
        session.add(edition)
        session.flush()
        for index, spec in enumerate(rules.default_sections(themes)):
            session.add(EditionSection(edition_id=edition.id or 0, kind=spec.kind,
                                       title=spec.title, theme=spec.theme, body=spec.body,
                                       position=index))
        session.flush()
        return edition

    def draft_edition(self) -> EditionInfo | None:
        with self.db.read() as session:
            return store.draft_info(session)

    def draft_revision(self) -> tuple[int, int] | None:
        """(draft id, revision): changes whenever the draft changes, by this process or any
        other, so an open screen knows to reload. None without a draft."""
        with self.db.read() as session:
            return store.revision(session)

    def list_editions(self) -> list[EditionInfo]:
        with self.db.read() as session:
            return [store.info(session, e) for e in store.all_editions(session)]

    def get_edition(self, number: int | None = None) -> EditionView:
        """Edition `number`, or the draft (else the latest) with sections, items and blurbs."""
        with self.db.read() as session:
            return store.view(session, store.edition_by_number(session, number))

    def rename_edition(self, title: str) -> EditionInfo:
        with self.db.write() as session:
            edition = store.require_draft(session)
            edition.title = one_line(title) or edition.title
            session.add(edition)
            return store.info(session, edition)

    def publish(self, check: bool = True, force: bool = False,
                timeout: float = 10.0) -> Publication:
        """Mark the draft published now; its posts stop being candidates and the next window
        starts where this one ends.

        With `check`, every link (items and section text) is requested first, outside the
        transaction, and a dead one refuses the publication (`DeadLinksError`) unless `force`.
        """
        report = self._refuse_dead_links(force, timeout) if check else None
        with self.db.write() as session:
            edition = store.require_draft(session)
            count = len(store.items_of(session, edition.id or 0))
            if count == 0:
                raise CuratorError(f"edition #{edition.number} has no items; pick some first")
            now = utcnow()
            edition.status = "published"
            edition.published_at = now
            if edition.window_end is None or edition.window_end > now:
                edition.window_end = now
            session.add(edition)
            return Publication(store.to_info(edition, count), report)

    def _refuse_dead_links(self, force: bool, timeout: float) -> LinkReport:
        draft = self.draft_edition()
        if draft is None:
            raise NotFoundError("there is no draft edition; start one with `curator roundup new`")
        report = self.check_links(draft.number, timeout)
        if report.dead and not force:
            first = report.dead[0]
            why = first.error or f"HTTP {first.http_status}"
            more = f" and {len(report.dead) - 1} more" if len(report.dead) > 1 else ""
            raise DeadLinksError(f"not published: {first.url} ({why}, {first.where}) is dead"
                                 f"{more}; fix it, or publish with --force", report)
        return report

    def candidates(self, theme: str | None = None, limit: int | None = None) -> list[PostInfo]:
        """Posts in the draft's window (else the default window) that no published edition has
        featured; posts already in the draft come back with `picked=True`."""
        with self.db.read() as session:
            edition = store.draft(session)
            if edition is not None:
                window = (edition.window_start, edition.window_end)
            else:
                window = rules.default_window(utcnow(), store.last_published_end(session))
            return store.candidates(session, edition, window, theme, limit)

    def featured_in(self, post_ids: list[int]) -> dict[int, int]:
        """post id -> number of the published edition that featured it (or its link)."""
        with self.db.read() as session:
            links = store.post_links(session, post_ids)
            by_post, by_link = store.featured(session, post_ids, [v or "" for v in links.values()])
        return {pid: by_post.get(pid) or by_link[links[pid] or ""] for pid in post_ids
                if pid in by_post or (links.get(pid) or "") in by_link}

    # --- items ---------------------------------------------------------------------------------

    def _check_memory(self, session: Tx, post_ids: list[int], links: list[str],
                      force: bool) -> None:
        by_post, by_link = store.featured(session, post_ids, links)
        if force or not (by_post or by_link):
            return
        if by_post:
            post_id, number = next(iter(by_post.items()))
            what = f"post {post_id}"
        else:
            link, number = next(iter(by_link.items()))
            what = f"link {link}"
        raise AlreadyFeaturedError(what, number)

    def pick(self, post_ids: list[int], section: str | int | None = None,
             force: bool = False, start_draft: bool = False,
             blurbs: dict[int, str] | None = None, section_title: str | None = None
             ) -> list[int]:
        """Add posts to the draft (their theme's sub-section unless `section` is given); returns
        the new item ids. Posts already in the draft are left where they are.

        One transaction: with `start_draft` a missing draft is started first, and each placement
        in a theme's sub-section is recorded as a training signal, all or nothing. `blurbs` gives
        some posts their own blurb; `section_title` names a free-text section to place them in,
        added back first if the draft no longer has it.
        """
        created: list[EditionItem] = []
        themes = dict(self._theme_order())
        with self.db.write() as session:
            edition = store.draft(session)
            if edition is None and start_draft:
                edition = self._start_draft(session, None, None, None, list(themes.items()))
            edition = edition or store.require_draft(session)
            if section_title:
                section = sections_mod.ensure_text_section(session, edition, section_title)
            found = store.posts_with_feeds(session, post_ids)
            missing = [p for p in post_ids if p not in found]
            if missing:
                raise NotFoundError(f"no post with id {missing[0]}")
            draft_items = store.items_of(session, edition.id or 0)
            existing = {i.post_id for i in draft_items}
            wanted = [p for p in dict.fromkeys(post_ids) if p not in existing]
            self._check_memory(session, wanted,
                               [found[p][0].link or "" for p in wanted], force)
            in_draft = {i.link: i.id for i in draft_items if i.link}
            shared = store.multi_author_feeds(session, [feed.id or 0 for _p, feed in
                                                        found.values()])
            for post_id in wanted:
                post, feed = found[post_id]
                if post.link and post.link in in_draft and not force:
                    raise ConflictError(f"post {post_id} links to {post.link}, already in this "
                                        f"draft as item {in_draft[post.link]} (use --force)")
                target = sections_mod.section_for(session, edition, section, post.theme, themes)
                person, org = who(feed.person, feed.org, post.person, post.org, post.author,
                                  feed.title or feed.feed_title, feed.id in shared)
                item = EditionItem(edition_id=edition.id or 0, section_id=target.id or 0,
                                   post_id=post_id,
                                   position=len(store.section_items(session, target.id or 0)),
                                   title=one_line(post.title) or (post.link or "(untitled)"),
                                   link=post.link or "", url=post.url, person=person, org=org,
                                   blurb=one_line((blurbs or {}).get(post_id)) or None)
                session.add(item)
                session.flush()
                created.append(item)
                if item.link:
                    in_draft.setdefault(item.link, item.id)
                if target.kind == "theme" and target.theme:
                    theme_rows.record_signal(session, post_id, target.theme, "edition")
        self.themes.forget_classifier()
        return [i.id or 0 for i in created]

    def add_link(self, title: str | None, url: str, person: str | None = None,
                 org: str | None = None, section: str | int | None = None,
                 note: str | None = None, force: bool = False) -> int:
        """A link that came from no feed, with the same fields as a picked post. Without a
        title, the page is fetched first (outside the transaction) and its own title, author
        and site fill whatever was not given (see curator.roundup.page_meta)."""
        if not one_line(title):
            page = self.capture_link(url)
            title = page.title or url
            person = person if one_line(person) else page.author
            org = org if one_line(org) else page.site
        given = author_link(check_feed_url(url)) or url
        clean_url = canonical_link(given) or given
        with self.db.write() as session:
            edition = store.require_draft(session)
            self._check_memory(session, [], [clean_url], force)
            twin = next((i for i in store.items_of(session, edition.id or 0)
                         if i.link == clean_url), None)
            if twin is not None and not force:
                raise ConflictError(f"{clean_url} is already in this draft as item {twin.id} "
                                    "(use --force)")
            target = sections_mod.section_for(session, edition, section, None)
            item = EditionItem(edition_id=edition.id or 0, section_id=target.id or 0,
                               position=len(store.section_items(session, target.id or 0)),
                               title=one_line(title) or clean_url, link=clean_url,
                               url=given if given != clean_url else None,
                               person=one_line(person) or None, org=one_line(org) or None,
                               note=one_line(note) or None)
            session.add(item)
            session.flush()
            return item.id or 0

    def capture_link(self, url: str, timeout: float = 10.0) -> PageMeta:
        """What the page at `url` says about itself (title, author, site), fetched now."""
        from curator.feeds.link_capture import capture_page  # the HTTP stack: only when asked

        return capture_page(check_feed_url(url), timeout=timeout, network=self.network())

    def unpick(self, post_ids: list[int] | None = None, item_ids: list[int] | None = None) -> int:
        """Remove items from the draft by post id or item id; returns how many went."""
        with self.db.write() as session:
            edition = store.require_draft(session)
            items = store.items_of(session, edition.id or 0)
            doomed = [i for i in items if (post_ids and i.post_id in post_ids)
                      or (item_ids and i.id in item_ids)]
            if not doomed:
                raise NotFoundError("none of those posts or items is in the draft")
            for item in doomed:
                session.delete(item)
            session.flush()
            for section_id in {i.section_id for i in doomed}:
                store.renumber(session, store.section_items(session, section_id))
            return len(doomed)

    def move_item(self, item_id: int, section: str | int | None = None,
                  position: int | None = None) -> None:
        """Move an item to another section and/or index (0-based; -1 = last, default last when
        the section changes, unchanged otherwise)."""
        with self.db.write() as session:
            self._move(session, item_id, section, position, 0)

    def _move(self, session: Tx, item_id: int, section: str | int | None,
              position: int | None, delta: int) -> None:
        edition, item = store.draft_item(session, item_id)
        source = item.section_id
        if section is not None:
            target = sections_mod.section_for(session, edition, section, None)
            item.section_id = target.id or 0
            if target.kind == "theme" and target.theme and item.post_id and source != target.id:
                theme_rows.record_signal(session, item.post_id, target.theme, "edition")
                self.themes.forget_classifier()
        if delta:
            position = max(0, item.position + delta)
        siblings = [i.id or 0 for i in store.section_items(session, item.section_id)
                    if i.id != item.id]
        if position is None:
            position = item.position if item.section_id == source else len(siblings)
        order = rules.moved(siblings, item.id or 0, position)
        session.add(item)
        session.flush()
        rows = {i.id: i for i in store.section_items(session, item.section_id)}
        store.renumber(session, [rows[i] for i in order])
        if source != item.section_id:
            store.renumber(session, store.section_items(session, source))

    def move_item_by(self, item_id: int, delta: int) -> None:
        """Nudge an item up (negative) or down within its section (for key-driven reordering);
        the position is read and written in one transaction, so quick presses never lose one."""
        with self.db.write() as session:
            self._move(session, item_id, None, None, delta)

    def set_blurb(self, item_id: int, text: str | None, expected: str | None = UNCHECKED
                  ) -> None:
        """Use the facilitator's own blurb (mark the link with [brackets] or {title}); None or
        empty text goes back to the generated one.

        `expected`: the blurb the editor started from (None: the generated one); when the stored
        one differs, someone else changed it meanwhile and `StaleEditError` is raised.
        """
        with self.db.write() as session:
            _edition, item = store.draft_item(session, item_id)
            if expected is not UNCHECKED and item.blurb != expected:
                raise StaleEditError(f"the blurb of “{one_line(item.title, 60)}”")
            item.blurb = one_line(text) or None
            session.add(item)

    def set_note(self, item_id: int, text: str | None) -> None:
        """The short note after the link ("going viral to promote voting"); empty removes it."""
        with self.db.write() as session:
            _edition, item = store.draft_item(session, item_id)
            item.note = one_line(text) or None
            session.add(item)

    def edit_item(self, item_id: int, title: str | None = None, person: str | None = None,
                  org: str | None = None) -> None:
        """Correct an item's title, person or organisation (empty person/org clears it)."""
        with self.db.write() as session:
            _edition, item = store.draft_item(session, item_id)
            if title is not None and one_line(title):
                item.title = one_line(title)
            if person is not None:
                item.person = one_line(person) or None
            if org is not None:
                item.org = one_line(org) or None
            session.add(item)

    # --- export --------------------------------------------------------------------------------

    def export_edition(self, fmt: str, number: int | None = None) -> str:
        """The edition (draft by default) as md, html (full page), fragment or txt."""
        from curator.roundup.render import render  # jinja2: loaded on first export

        return render(self.get_edition(number), fmt, self.locations.templates_dir)

    def export_edition_to(self, fmt: str, path: str | os.PathLike[str],
                          number: int | None = None) -> Path:
        """Export into a file atomically; returns the path written."""
        from curator.roundup.render import write_atomic

        return write_atomic(path, self.export_edition(fmt, number))

    def check_links(self, number: int | None = None, timeout: float = 10.0) -> LinkReport:
        """Request every link of the edition, items and section text alike; report which are
        dead or redirected."""
        view = self.get_edition(number)
        with self.db.read() as session:
            edition = store.edition_by_number(session, view.info.number)
            raw = [(i.url or i.link, i.id or 0, i.title)
                   for i in store.items_of(session, edition.id or 0)]
        in_text = [(url, s.title) for s in view.sections for url in links_in(s.body)]
        from curator.poll.linkcheck import check_urls  # the HTTP stack: only when asked

        urls = [link for link, _i, _t in raw if link] + [url for url, _s in in_text]
        out: list[LinkResult] = []
        for result in check_urls(urls, timeout=timeout, network=self.network()):
            owners = [(i, t) for link, i, t in raw if link == result.url]
            out.append(LinkResult(result.url, result.status, result.http_status,
                                  result.final_url, result.error, [i for i, _t in owners],
                                  owners[0][1] if owners else "",
                                  [title for url, title in in_text if url == result.url]))
        return LinkReport(out)
