"""What a bare `curator` sets up around the app: the first-page helper and the deferred facade."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from curator.launch.deferred import DeferredCurator
    from curator.paths import Locations
    from curator.services import Curator
    from curator.tui.app import CuratorApp
    from curator.tui.prefetch import FirstPagePrefetch


class TuiSession:
    """Everything a bare `curator` sets up around the app, as a context manager.

    The inbox's first page is read by a forked helper (`curator.tui.prefetch`) while this process
    imports Textual; the app gets a `DeferredCurator`, whose data layer loads in a worker after
    the first rows are on screen. The benchmark opens the app through this too.
    """

    def __init__(self, locations: Locations, poll_on_start: bool = True) -> None:
        self.locations = locations
        self.poll_on_start = poll_on_start
        self.prefetch: FirstPagePrefetch | None = None
        self.curator: DeferredCurator | None = None
        self.app: CuratorApp | None = None

    def __enter__(self) -> CuratorApp:
        from curator.config import Settings
        from curator.launch.deferred import DeferredCurator
        from curator.tui.prefetch import FirstPagePrefetch

        settings = Settings.load(self.locations.config_file)  # a broken file: one line, no app
        self.prefetch = FirstPagePrefetch.start(self.locations, settings)
        try:
            from curator.tui import load_app

            make_app = load_app()
            self.curator = DeferredCurator(self.locations, settings)
            self.app = make_app(cast("Curator", self.curator), poll_on_start=self.poll_on_start,
                                prefetch=self.prefetch)
            return self.app
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.app is not None:
            self.app.writes.close()  # the last keys' writes finish before the database closes
        if self.prefetch is not None:
            self.prefetch.close()
        if self.curator is not None:
            self.curator.close()
