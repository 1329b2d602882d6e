"""The facade the CLI and the TUI call: sub-services composed with explicit dependencies.

`curator.feeds`, `curator.posts`, `curator.themes`, `curator.roundup`, `curator.polls` and
`curator.database` each own one area; a sub-service that needs another is handed it when the
facade is built. Each is built on first use, so a poll does not import the mail and date
modules, nor, when every feed is unchanged, the data layer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from curator.config import Settings
from curator.paths import Locations
from curator.services.service_base import ServiceBase, ServiceContext

if TYPE_CHECKING:
    from curator.services.coverage_service import CoverageService
    from curator.services.database_service import DatabaseService
    from curator.services.feed_service import FeedService
    from curator.services.mail_service import MailService
    from curator.services.poll_service import PollService
    from curator.services.post_service import PostService
    from curator.services.roundup_service import RoundupService
    from curator.services.suggestion_service import SuggestionService
    from curator.services.theme_service import ThemeService

T = TypeVar("T")
_BUILDING = threading.RLock()  # re-entrant: building one service builds those it is handed


class built_once(Generic[T]):  # noqa: N801 - used as a decorator, like functools.cached_property
    """A sub-service made on first use, once: the TUI's workers may ask for one at the same
    moment, and two copies would keep two caches (functools.cached_property has no lock from
    Python 3.12)."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self.make, self.name = make, make.__name__

    @overload
    def __get__(self, obj: None, owner: type) -> built_once[T]: ...

    @overload
    def __get__(self, obj: object, owner: type) -> T: ...

    def __get__(self, obj: object | None, owner: type) -> T | built_once[T]:
        if obj is None:
            return self
        made = obj.__dict__.get(self.name)
        if made is None:
            with _BUILDING:
                made = obj.__dict__.get(self.name)
                if made is None:
                    made = obj.__dict__[self.name] = self.make(obj)
        return made


class Curator(ServiceBase):
    """Everything curator can do, as plain-data methods (no ORM objects escape).

    Each sub-service (and its modules) loads on first use: a poll that finds every feed
    unchanged never loads the data layer (see PollService)."""

    def __init__(self, locations: Locations, settings: Settings | None = None) -> None:
        super().__init__(ServiceContext(locations, settings))

    @built_once
    def themes(self) -> ThemeService:
        from curator.services.theme_service import ThemeService

        return ThemeService(self.context)

    @built_once
    def feeds(self) -> FeedService:
        from curator.services.feed_service import FeedService

        return FeedService(self.context, self.themes)

    @built_once
    def posts(self) -> PostService:
        from curator.services.post_service import PostService

        return PostService(self.context)

    @built_once
    def roundup(self) -> RoundupService:
        from curator.services.roundup_service import RoundupService

        return RoundupService(self.context, self.themes)

    @built_once
    def polls(self) -> PollService:
        from curator.services.poll_service import PollService

        return PollService(self.context, lambda: self.feeds, lambda: self.themes)

    @built_once
    def database(self) -> DatabaseService:
        from curator.services.database_service import DatabaseService

        return DatabaseService(self.context)

    @built_once
    def suggestions(self) -> SuggestionService:
        from curator.services.suggestion_service import SuggestionService

        return SuggestionService(self.context, self.roundup)

    @built_once
    def mail(self) -> MailService:
        from curator.services.mail_service import MailService

        return MailService(self.context, self.roundup)

    @built_once
    def coverage(self) -> CoverageService:
        from curator.services.coverage_service import CoverageService

        return CoverageService(self.context)

    def warm_up(self) -> None:
        """Build the everyday sub-services and do the store's one-off ORM set-up now, off the
        critical path (the TUI calls this once its first rows are shown), so no later keystroke
        pays for their imports (see configure_orm)."""
        from curator.store.engine import configure_orm

        for name in ("themes", "feeds", "posts", "roundup", "polls", "database"):
            getattr(self, name)
        configure_orm()

    def close(self) -> None:
        self.context.close()


def open_curator(db: str | None = None, opml: str | None = None,
                 settings: Settings | None = None) -> Curator:
    """Resolve locations (options, env, CURATOR_HOME, platform dirs) and build the facade."""
    return Curator(Locations.resolve(db, opml), settings)

