"""Whether `curator poll` has anything to do, and the file it may poll through (made now for a
first poll), before the data layer loads.

The answer "nothing is due" lets a scheduled poll print its empty summary and exit in a small
fraction of a second (`store.poll_file`). Only a database file whose feed list is its feeds.opml
is probed; a server database, or any doubt, answers False and the full poll runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from curator.paths import Locations
from curator.safe_files import file_identity
from curator.store.poll_file import PollFile, nothing_due
from curator.types import FeedStatus

if TYPE_CHECKING:
    from curator.classify.decide import ThemeSnapshot
    from curator.poll.pipeline import FeedTask


def _file_and_feed_list(locations: Locations) -> tuple[Path, str | None] | None:
    """The database file and its feeds.opml's identity; None for a server database."""
    if locations.db_is_url:
        return None
    return Path(locations.db), file_identity(locations.opml)


def poll_has_nothing_due(locations: Locations) -> bool:
    """True when a plain `curator poll` (not --all, not --feed) would surely poll nothing."""
    where = _file_and_feed_list(locations)
    return where is not None and nothing_due(*where)


def open_poll_file(locations: Locations) -> PollFile | None:
    """The database file for a poll's reads and writes without the data layer, when it is
    surely this curator's and mirrors its feeds.opml (see store.poll_file); else None."""
    where = _file_and_feed_list(locations)
    return PollFile.open(*where) if where is not None else None


def new_poll_file(locations: Locations) -> PollFile | None:
    """For the first poll of a database file that does not exist yet: the file, made from
    feeds.opml without the data layer (see store.new_file), and opened. None when it exists,
    when the feed list is not a file, or at any trouble reading or making them: the data layer
    then makes the file and says what is wrong, as always."""
    where = _file_and_feed_list(locations)
    if where is None or locations.db == ":memory:":
        return None
    db_file, identity = where
    if identity is None or db_file.exists():
        return None
    from curator.errors import CuratorError
    from curator.feeds.opml import OpmlDocument
    from curator.services.feed_list import read_feed_list
    from curator.store.new_file import create_database_file

    try:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        feeds = read_feed_list(OpmlDocument.load(locations.opml)).rows.values()
    except (OSError, CuratorError):
        return None
    if not create_database_file(db_file, feeds, identity):
        return None
    return PollFile.open(db_file, identity)


@dataclass
class FileRun:
    """A pass through the database file: its feeds, and the classifier for the parse workers
    when some were never polled."""

    poll_file: PollFile
    tasks: list[FeedTask]
    snapshot: ThemeSnapshot | None


def file_run(locations: Locations, force: bool, themed: bool = True) -> FileRun | None:
    """A pass (plain, or forced) through the database file, without the data layer: a file
    that mirrors its feeds.opml, made now from feeds.opml if there is none yet. Feeds never
    polled bring their whole history, which the parse workers theme as they read it: that
    takes the stored classifier, current. None otherwise: the data layer reads, mirrors,
    migrates and retrains as always. `themed=False` (only the feeds are wanted, e.g. to count
    them): the classifier is not read."""
    from curator.poll.pipeline import FeedTask

    poll_file = open_poll_file(locations) or new_poll_file(locations)
    if poll_file is None:
        return None
    rows = poll_file.due_tasks(force)
    snapshot = None
    if themed and any(row[-1] == FeedStatus.NEW for row in rows):
        snapshot = poll_file.stored_snapshot()
        if snapshot is None:
            poll_file.close()
            return None
    return FileRun(poll_file, [FeedTask(*row[:-1]) for row in rows], snapshot)
