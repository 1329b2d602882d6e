"""The facade the CLI and the TUI call: sub-services composed with explicit dependencies.

`curator.feeds`, `curator.posts`, `curator.themes`, `curator.roundup`, `curator.polls` and
`curator.database` each own one area; a sub-service that needs another is handed it when the
facade is built. The edition's extras (`curator.suggestions`, `curator.mail`,
`curator.coverage`) are built on first use, so a poll does not import the mail and date modules.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from curator.config import Settings
from curator.paths import Locations
from curator.services.database_service import DatabaseService
from curator.services.feed_service import FeedService
from curator.services.poll_service import PollService
from curator.services.post_service import PostService
from curator.services.roundup_service import RoundupService
from curator.services.service_base import ServiceBase, ServiceContext
from curator.services.theme_service import ThemeService
from curator.store.engine import configure_orm

if TYPE_CHECKING:
    from curator.services.coverage_service import CoverageService
    from curator.services.mail_service import MailService
    from curator.services.suggestion_service import SuggestionService


class Curator(ServiceBase):
    """Everything curator can do, as plain-data methods (no ORM objects escape)."""

    def __init__(self, locations: Locations, settings: Settings | None = None) -> None:
        super().__init__(ServiceContext(locations, settings))
        self.themes = ThemeService(self.context)
        self.feeds = FeedService(self.context, self.themes)
        self.posts = PostService(self.context)
        self.roundup = RoundupService(self.context, self.themes)
        self.polls = PollService(self.context, self.feeds, self.themes)
        self.database = DatabaseService(self.context)

    @cached_property
    def suggestions(self) -> SuggestionService:
        from curator.services.suggestion_service import SuggestionService

        return SuggestionService(self.context, self.roundup)

    @cached_property
    def mail(self) -> MailService:
        from curator.services.mail_service import MailService

        return MailService(self.context, self.roundup)

    @cached_property
    def coverage(self) -> CoverageService:
        from curator.services.coverage_service import CoverageService

        return CoverageService(self.context)

    def warm_up(self) -> None:
        """Do the store's one-off ORM set-up now, off the critical path (see configure_orm)."""
        configure_orm()

    def close(self) -> None:
        self.context.close()


def open_curator(db: str | None = None, opml: str | None = None,
                 settings: Settings | None = None) -> Curator:
    """Resolve locations (options, env, CURATOR_HOME, platform dirs) and build the facade."""
    return Curator(Locations.resolve(db, opml), settings)

