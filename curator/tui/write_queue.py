"""The TUI's writes, one at a time and in the order the user asked for them.

Each user action is one service call (one transaction). Run as independent thread workers, two
quick presses could run at once or out of order (a pick overtaking the unpick before it); here
they queue on one thread. A screen awaits the result in an ordinary Textual worker, so tests and
the app wait on writes with `app.workers.wait_for_complete()` like any other work.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class WriteQueue:
    """One thread runs every submitted write, first come first served."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="curator-write")

    def submit(self, call: Callable[[], T]) -> Future[T]:
        """Queue `call` (on the event loop, so the order is the order of key presses)."""
        return self._thread.submit(call)

    def close(self) -> None:
        """Finish the writes already asked for (the user's last keys are not lost), then stop."""
        self._thread.shutdown(wait=True)
