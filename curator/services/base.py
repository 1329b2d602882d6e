"""Shared state for the service facade: locations, settings and the lazily opened database."""

from __future__ import annotations

import threading

from curator.config import Settings
from curator.database import Database
from curator.paths import Locations


class ServiceBase:
    """Holds what every service needs; the database is opened (and migrated) on first use."""

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
                    self._db = Database(self.locations.db).open()
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
