"""What storing a poll's first new posts needs, loaded while the poll is still fetching.

A poll over a database file starts without the data layer (`store.poll_file`). When the first
new body arrives, the pipeline starts this loader once, in a thread of its own: it reads the
stored classifier, which is enough when it is current (a few milliseconds of sqlite3); when it
is not (no model yet, or a correction since it was trained) it loads the data layer and
retrains, about half a second of imports better spent while feeds are fetched.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curator.classify.decide import ThemeSnapshot
    from curator.store.poll_file import PollFile


class StoreLoader:
    """`start` (from the pipeline's fetch thread, once) loads; `snapshot` (from the storing
    thread) waits for it. A failure is left to the storing thread, which meets it again."""

    def __init__(self, poll_file: PollFile, retrain: Callable[[], object],
                 snapshot: ThemeSnapshot | None = None) -> None:
        """`snapshot`: the stored classifier, already read (there is nothing to load)."""
        self.poll_file, self._retrain = poll_file, retrain
        self._thread = threading.Thread(target=self._load, name="curator-preload", daemon=True)
        self._started = threading.Lock()  # held by whoever runs the load: it runs once
        self._snapshot = snapshot
        if snapshot is not None:
            self._started.acquire()

    def start(self) -> None:
        if self._started.acquire(blocking=False):
            self._thread.start()

    def snapshot(self) -> ThemeSnapshot | None:
        """The stored classifier when it is current; None when the data layer must store (it
        is loaded, and the classifier retrained, by then)."""
        if self._started.acquire(blocking=False):  # never started: load here
            self._load()
        self.join()
        return self._snapshot

    def join(self) -> None:
        if self._thread.ident is not None:
            self._thread.join()

    def _load(self) -> None:
        with contextlib.suppress(Exception):
            from curator.poll import record  # noqa: F401 - imported for its side: loading

            self._snapshot = self.poll_file.stored_snapshot()
            if self._snapshot is None:
                from curator.store import ingest_ops  # noqa: F401 - loading the data layer

                self._retrain()
