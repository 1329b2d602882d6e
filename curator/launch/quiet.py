"""Starting the `curator` command quickly: importing its stack without the cycle collector.

Importing SQLAlchemy, SQLModel and Textual allocates about a million long-lived objects and no
garbage cycles, yet the collector runs dozens of times meanwhile, each pass re-walking everything
imported so far (about 70 ms of a cold start). Pausing it for the imports and then freezing what
they made (so later passes skip it) is the CPython documentation's advice for such start-ups.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_imports() -> Iterator[None]:
    """Pause the cycle collector while the block imports; freeze the result afterwards."""
    if not gc.isenabled():  # nested, or the caller manages the collector itself
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
