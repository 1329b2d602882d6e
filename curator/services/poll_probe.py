"""Whether `curator poll` has anything to do, and the file it may poll through, before the data
layer loads.

The answer "nothing is due" lets a scheduled poll print its empty summary and exit in a small
fraction of a second (`store.poll_file`). Only a database file whose feed list is its feeds.opml
is probed; a server database, or any doubt, answers False and the full poll runs.
"""

from __future__ import annotations

from pathlib import Path

from curator.paths import Locations
from curator.safe_files import file_identity
from curator.store.poll_file import PollFile, nothing_due


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
