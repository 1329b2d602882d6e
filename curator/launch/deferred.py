"""The `Curator` facade, imported and built on first use, from whichever thread gets there first.

Importing the facade means importing the data layer (SQLAlchemy, SQLModel, pydantic, the models:
about half a second). A bare `curator` hands the app this stand-in so the UI can be drawn first;
the app's warm-up worker, or the first worker that needs the database, pays for the import off
the event loop. Settings are read at once: the app needs its key map before the first frame.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from curator.config import Settings

if TYPE_CHECKING:
    from curator.paths import Locations
    from curator.services import Curator


class DeferredCurator:
    """Stands in for `Curator`: every attribute but `locations` and `settings` is the real one's."""

    def __init__(self, locations: Locations, settings: Settings | None = None) -> None:
        self.locations = locations
        self.settings = settings if settings is not None else Settings.load(locations.config_file)
        self._real: Curator | None = None
        self._lock = threading.Lock()

    @property
    def real(self) -> Curator:
        with self._lock:
            if self._real is None:
                from curator.launch.quiet import quiet_imports

                with quiet_imports():
                    from curator.services import Curator
                self._real = Curator(self.locations, self.settings)
            return self._real

    def __getattr__(self, name: str) -> Any:  # only for names not set in __init__
        return getattr(self.real, name)

    def close(self) -> None:
        with self._lock:
            if self._real is not None:
                self._real.close()
