"""Shared state for the service facade: locations, settings and the lazily opened database."""

from __future__ import annotations

import threading

from curator.config import Settings
from curator.paths import Locations
from curator.store.engine import Database


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

    def warm_up(self) -> None:
        """Do now, off the critical path, the one-off set-up the first ORM query would do.

        The inbox's first screen reads through Core SQL; SQLAlchemy configures the ORM's mappers
        (about 15 ms) on the first ORM query, which would otherwise land on a later keystroke.
        """
        from sqlalchemy.orm import configure_mappers

        configure_mappers()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
