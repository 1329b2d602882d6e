"""The Textual app. Imported only when the TUI is opened, so CLI commands start fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curator.services import Curator


def run_app(curator: Curator) -> None:
    from curator.startup import quiet_imports

    with quiet_imports():
        from curator.tui.app import make_app
    make_app(curator).run()
