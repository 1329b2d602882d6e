"""The one facade the CLI and the TUI call. Each area's methods live in their own module."""

from __future__ import annotations

from curator.config import Settings
from curator.paths import Locations
from curator.services.feed_service import FeedService
from curator.services.poll_service import PollService
from curator.services.post_service import PostService
from curator.services.roundup_service import RoundupService
from curator.services.theme_service import ThemeService


class Curator(FeedService, PollService, PostService, ThemeService, RoundupService):
    """Everything curator can do, as plain-data methods (no ORM objects escape)."""


def open_curator(db: str | None = None, opml: str | None = None,
                 settings: Settings | None = None) -> Curator:
    """Resolve locations (options, env, CURATOR_HOME, platform dirs) and build the facade."""
    return Curator(Locations.resolve(db, opml), settings)


__all__ = ["Curator", "open_curator"]
