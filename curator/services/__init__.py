"""The one facade the CLI and the TUI call (`Curator`, in `facade`), loaded on first use.

`from curator.services import Curator` works as ever; importing only a light module of this
package (`poll_probe`) does not load the data layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curator.services.facade import Curator, open_curator

__all__ = ["Curator", "open_curator"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from curator.services import facade

        return getattr(facade, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
