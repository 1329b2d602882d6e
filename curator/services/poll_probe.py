"""Whether `curator poll` has anything to do, answered before the data layer loads.

The answer "nothing is due" lets a scheduled poll print its empty summary and exit in a small
fraction of a second (`store.poll_file`). Only a database file whose feed list is its feeds.opml
is probed; a server database, or any doubt, answers False and the full poll runs.
"""

from __future__ import annotations

from pathlib import Path

from curator.paths import Locations
from curator.safe_files import file_identity
from curator.store.poll_file import nothing_due


def poll_has_nothing_due(locations: Locations) -> bool:
    """True when a plain `curator poll` (not --all, not --feed) would surely poll nothing."""
    if locations.db_is_url:
        return False
    return nothing_due(Path(locations.db), file_identity(locations.opml))
