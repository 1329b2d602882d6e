"""The database as a whole: moving it to another one (a file to a community's server)."""

from __future__ import annotations

from collections.abc import Callable

from curator.errors import CuratorError
from curator.services.service_base import ServiceBase
from curator.types import CopyReport


class DatabaseService(ServiceBase):
    def copy_to(self, target: str,
                on_table: Callable[[str, int], None] | None = None) -> CopyReport:
        """Copy every feed, post, theme, rule, signal, model and edition into `target` (a
        database URL or file, created if new, which must hold no feeds, posts or editions)."""
        from curator.store.database_copy import copy_database
        from curator.store.engine import Database

        destination = Database(target)
        if destination.url == self.db.url:
            raise CuratorError("the target is the database curator is using; name another")
        destination.open()
        try:
            return copy_database(self.db, destination, on_table)
        finally:
            destination.close()
