"""Feed-list operations: feeds.opml is the source of truth, the Feed table mirrors it.

Every edit is one locked read-modify-write of the OPML (atomic replace), followed by a sync of the
database while the lock is still held, so two processes never lose an edit and never leave the
database describing an older file. Removing a feed only marks its row `in_opml=False`: posts stay.
The OPML modules load inside the methods that read or write the file, not with the facade: the
inbox's first screen does not need them (about 12 ms of every start-up).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from curator.errors import ConflictError, NotFoundError, UnsafeUrlError
from curator.safe_files import atomic_write, file_identity, file_lock
from curator.services.service_base import ServiceBase, ServiceContext
from curator.store import feed_rows
from curator.store.meta_keys import OPML_MIRRORED
from curator.text import one_line
from curator.types import FeedAddResult, FeedImportReport, FeedInfo, FeedSyncReport
from curator.urls import normalise_feed_url

if TYPE_CHECKING:
    from curator.feeds.opml import OpmlDocument
    from curator.services.theme_service import ThemeService


class FeedService(ServiceBase):
    """Subscriptions for the CLI, the TUI and the poller (plain dataclasses in and out)."""

    def __init__(self, context: ServiceContext, themes: ThemeService) -> None:
        super().__init__(context)
        self.themes = themes  # a feed's default theme must be one of them

    _feeds_synced: tuple[str, FeedSyncReport] | None = None

    # reading ------------------------------------------------------------------------------
    def read_opml(self) -> OpmlDocument:
        from curator.feeds.opml import OpmlDocument

        return OpmlDocument.load(self.locations.opml)

    def sync_opml(self) -> FeedSyncReport:
        """Mirror feeds.opml into the Feed table (called on start and at every poll)."""
        from curator.feeds.opml import OpmlDocument

        path = self.locations.opml
        with file_lock(path, required=False):
            identity = file_identity(path)
            cached = self._feeds_synced
            if cached is not None and identity is not None and cached[0] == identity:
                # file unchanged since this process last mirrored it: nothing to change
                return replace(cached[1], added=0, updated=0, removed=0)
            report = self._sync(OpmlDocument.load(path), {}, identity)
            self._feeds_synced = (identity, report) if identity is not None else None
            return report

    def follows_file(self) -> bool:
        """Whether feeds.opml is read on its own before listing and polling. On a database file
        it is the feed list. On a shared server the database's list is the list, and a file
        merges into it only when named (--opml, CURATOR_OPML) or imported (`feeds import`)."""
        return not (self.db.shared and not self.locations.opml_named)

    def sync_opml_if_changed(self) -> None:
        """The poller's sync: skipped when feeds.opml is the very file last mirrored into this
        database, by any process (a cron `poll` would otherwise re-read a big OPML every run)."""
        if not self.follows_file():
            return
        key = file_identity(self.locations.opml)
        if key is not None:
            with self.db.read() as tx:
                seen = feed_rows.meta(tx, OPML_MIRRORED)
            if seen == key:
                return
        self.sync_opml()

    def list_feeds(self, include_removed: bool = False, sync: bool = True,
                   counts: bool = True) -> list[FeedInfo]:
        """The subscriptions, mirrored from feeds.opml first (cheap when the file is unchanged).

        `counts=False` leaves `post_count` at 0 and skips counting every post (the inbox's
        `feed:` filter only needs names, once per keystroke).
        """
        if sync and self.follows_file() and self.locations.opml.exists():
            self.sync_opml()
        with self.db.read() as tx:
            feeds = feed_rows.feed_infos(tx, include_removed, counts)
        return sorted(feeds, key=lambda f: ((f.category or "").lower(), (f.title or f.url).lower()))

    def get_feed(self, url: str) -> FeedInfo:
        key = normalise_feed_url(url)
        for info in self.list_feeds(include_removed=True, sync=False):
            if normalise_feed_url(info.url) == key:
                return info
        raise NotFoundError(f"no feed with URL {url}")

    # editing ------------------------------------------------------------------------------
    @contextmanager
    def _editing(self, renames: dict[str, str] | None = None) -> Iterator[OpmlDocument]:
        """Locked read-modify-write: yields the document, then writes it and syncs the DB.

        On a shared server the document is the database's list, and what the edit changed is
        applied to it: feeds it added (even ones someone had removed), updated or renamed, and
        only the feeds it removed leave, so another facilitator's edit made meanwhile stays.
        No feeds.opml is written there (`feeds export` writes one)."""
        from curator.feeds.opml import OpmlDocument

        renames = renames if renames is not None else {}
        if self.db.shared:
            doc = self._database_document()
            before = {normalise_feed_url(f.url) for f in doc.feeds()}
            yield doc
            after = {normalise_feed_url(f.url) for f in doc.feeds()}
            self._sync(doc, renames, None, removed=before - after - set(renames),
                       added=after - before)
            return
        path = self.locations.opml
        with file_lock(path):
            doc = OpmlDocument.load(path) if path.exists() else OpmlDocument.new()
            yield doc
            atomic_write(path, doc.to_bytes())
            self._sync(doc, renames, file_identity(path))

    def _database_document(self) -> OpmlDocument:
        """The database's feed list as an OPML document (a shared server's list)."""
        from curator.feeds.opml import OpmlDocument, OpmlFeed

        doc = OpmlDocument.new()
        with self.db.read() as tx:
            listed = feed_rows.feed_infos(tx, include_removed=False, counts=False)
        for info in sorted(listed, key=lambda f: f.id or 0):
            doc.add(OpmlFeed(url=info.url, title=info.title, html_url=info.html_url,
                             person=info.person, org=info.org, theme=info.theme,
                             category=info.category))
        return doc

    def add_feed(self, url: str, *, person: str | None = None, org: str | None = None,
                 category: str | None = None, theme: str | None = None,
                 title: str | None = None, discover: bool = True) -> FeedAddResult:
        """Subscribe to a feed URL, or to the feed a blog homepage advertises (autodiscovery)."""
        from curator.feeds.opml import OpmlFeed, subscribable_url

        url = subscribable_url(url)
        self._refuse_duplicate(url)
        self._check_theme(theme)
        found_from, alternatives, found_title, html_url = None, [], None, None
        if discover:
            from curator.feeds.discover import discover_feed

            result = discover_feed(url, network=self.network())
            if normalise_feed_url(result.url) != normalise_feed_url(url):
                found_from = url
            url = result.url
            alternatives = [c.url for c in result.alternatives]
            found_title, html_url = result.title, result.html_url
        feed = OpmlFeed(url=url, title=_opt(title) or one_line(found_title) or None,
                        html_url=html_url, person=_opt(person), org=_opt(org),
                        theme=_opt(theme), category=_category(category))
        with self._editing() as doc:
            if doc.find(url) is not None:
                raise ConflictError(f"already subscribed: {url}")
            doc.add(feed)
        return FeedAddResult(self.get_feed(url), found_from, alternatives)

    def edit_feed(self, url: str, *, new_url: str | None = None, **changes: str | None
                  ) -> FeedInfo:
        """Change a feed's title/person/org/category/theme/URL; "" clears a field."""
        from curator.feeds.opml import subscribable_url

        allowed = {"title", "person", "org", "category", "theme", "html_url"}
        if set(changes) - allowed:
            raise ValueError(f"unknown fields {sorted(set(changes) - allowed)}")
        if "category" in changes and changes["category"] is not None:
            changes["category"] = _category(changes["category"]) or ""
        self._check_theme(changes.get("theme"))
        renames: dict[str, str] = {}
        with self._editing(renames) as doc:
            entry = doc.find(url)
            if entry is None:
                raise NotFoundError(f"no feed with URL {url} in {self.locations.opml.name}")
            if new_url is not None:
                new_url = subscribable_url(new_url)
                other = doc.find(new_url)
                if other is not None and other.element is not entry.element:
                    raise ConflictError(f"already subscribed: {new_url}")
                renames[normalise_feed_url(entry.feed.url)] = new_url
            doc.update(entry.feed.url, url=new_url, **changes)
        return self.get_feed(new_url or url)

    def remove_feed(self, url: str) -> FeedInfo:
        """Drop a feed from the OPML; its database row and posts are kept (status "removed")."""
        with self._editing() as doc:
            removed = doc.remove(url)
        try:
            return self.get_feed(removed.url)
        except NotFoundError:  # an outline the database never mirrored (e.g. a refused URL)
            return FeedInfo(url=removed.url, title=removed.title, person=removed.person,
                            org=removed.org, category=removed.category, theme=removed.theme,
                            status="removed", html_url=removed.html_url)

    def replace_feed_url(self, old: str, new: str) -> FeedInfo | None:
        """Follow a permanent redirect: rewrite xmlUrl and the Feed row, keeping state and posts.

        Call it outside any open database transaction (it takes the OPML lock, then writes).
        Returns None when `old` is no longer in the OPML.
        """
        from curator.feeds.opml import subscribable_url

        new = subscribable_url(new)
        renames: dict[str, str] = {}
        with self._editing(renames) as doc:
            entry = doc.find(old)
            if entry is None:
                return None
            if doc.find(new) is not None and normalise_feed_url(new) != normalise_feed_url(old):
                doc.remove(old)  # the target is already subscribed: keep one outline
            else:
                renames[normalise_feed_url(entry.feed.url)] = new
                doc.update(entry.feed.url, url=new)
        return self.get_feed(new)

    def import_opml(self, source: Path | bytes) -> FeedImportReport:
        """Merge another OPML file's feeds in (folders, attributes kept); no duplicates."""
        from curator.feeds.opml import OpmlDocument, subscribable_url

        if isinstance(source, bytes):
            incoming = OpmlDocument.from_bytes(source)
        else:
            incoming = OpmlDocument.load(Path(source))
        added, skipped, invalid, details = [], 0, 0, list(incoming.warnings)
        with self._editing() as doc:
            known = {normalise_feed_url(f.url) for f in doc.feeds()}
            for entry in incoming.entries():
                try:
                    url = subscribable_url(entry.feed.url)
                except UnsafeUrlError as exc:
                    invalid += 1
                    details.append(str(exc))
                    continue
                if normalise_feed_url(url) in known:
                    skipped += 1
                    continue
                known.add(normalise_feed_url(url))
                doc.add(replace(entry.feed, url=url), extra=dict(entry.element.attrs),
                        namespaces=incoming.namespaces)
                added.append(url)
        return FeedImportReport(len(added), skipped, invalid, details, added)

    def export_opml(self, target: Path | None = None) -> bytes:
        """The feed list as OPML 2.0 bytes; also written atomically to `target` when given.
        (On a shared server: the database's list.)"""
        doc = self._database_document() if self.db.shared else self.read_opml()
        data = doc.to_bytes()
        if target is not None:
            atomic_write(Path(target), data)
        return data

    def _check_theme(self, slug: str | None) -> None:
        """A feed's default theme must be one of the themes; "" or None means none."""
        if not slug or not slug.strip():
            return
        known = [t.slug for t in self.themes.list_themes()]
        if slug.strip() not in known:
            raise NotFoundError(f"no theme {slug.strip()!r}; the themes are: {', '.join(known)}")

    def _refuse_duplicate(self, url: str) -> None:
        from curator.feeds.opml import OpmlDocument

        path = self.locations.opml
        if self.db.shared:
            doc: OpmlDocument | None = self._database_document()
        else:
            doc = OpmlDocument.load(path) if path.exists() else None
        if doc is not None and doc.find(url) is not None:
            raise ConflictError(f"already subscribed: {url}")

    # database mirror ----------------------------------------------------------------------
    def _sync(self, doc: OpmlDocument, renames: dict[str, str], mirrored: str | None,
              removed: set[str] | None = None, added: set[str] | None = None) -> FeedSyncReport:
        """Mirror `doc` into the Feed table; `mirrored` (the file's path and stat) is recorded in
        the same transaction, so a later poller knows this exact file is already in the table.
        On a shared server `doc` merges in (see feed_rows.mirror), and an edit's `removed` and
        `added` feeds (normalised URLs) leave or join the list explicitly."""
        from curator.services.feed_list import read_feed_list

        found = read_feed_list(doc)
        with self.db.write() as tx:
            n_added, n_updated, n_removed = feed_rows.mirror(tx, found.rows, renames,
                                                             merge_only=self.db.shared)
            for key in removed or ():
                n_removed += feed_rows.mark_removed(tx, key)
            for key in added or ():
                n_added += feed_rows.mark_removed(tx, key, removed=False)
            if mirrored is not None:  # in the same transaction as the rows it describes
                feed_rows.set_meta(tx, OPML_MIRRORED, mirrored)
        return FeedSyncReport(len(found.rows), n_added, n_updated, n_removed, found.duplicates,
                              found.invalid, list(doc.warnings))


def _opt(value: str | None) -> str | None:
    cleaned = one_line(value) if value else ""
    return cleaned or None


def _category(value: str | None) -> str | None:
    parts = [one_line(p) for p in (value or "").split("/")]
    return "/".join(p for p in parts if p) or None

