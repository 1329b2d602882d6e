"""What every sub-service shares: locations, settings and the store, opened on first use."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from curator.config import Settings
from curator.paths import Locations

if TYPE_CHECKING:
    from curator.poll.network import Network
    from curator.store.engine import Database


class ServiceContext:
    """One per facade: the sub-services share it, so they share one engine and one settings."""

    def __init__(self, locations: Locations, settings: Settings | None = None) -> None:
        self.locations = locations
        self.settings = settings if settings is not None else Settings.load(locations.config_file)
        self._db: Database | None = None
        self._db_lock = threading.Lock()  # the TUI's first workers may all ask at once

    @property
    def db(self) -> Database:
        if self._db is None:
            with self._db_lock:
                if self._db is None:
                    from curator.store.engine import Database  # the data layer loads here

                    self._db = Database(self.locations.db).open()
        return self._db

    @property
    def shared(self) -> bool:
        """A server database that several machines' pollers share (see store.dialect); a file
        never is, which is known without loading the data layer."""
        return self.locations.db_is_url and self.db.shared

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class ServiceBase:
    """A sub-service: reaches locations, settings and the store through its context."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @property
    def locations(self) -> Locations:
        return self.context.locations

    @property
    def settings(self) -> Settings:
        return self.context.settings

    @property
    def db(self) -> Database:
        return self.context.db

    def network(self) -> Network:
        """Proxies and TLS trust for every request: config.toml's [network], else the
        environment, else the operating system's settings (see curator.poll.network)."""
        from curator.poll.network import Network

        return Network.from_settings(self.settings)
