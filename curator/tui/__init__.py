"""The Textual app. Imported only when the TUI is opened, so CLI commands start fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from curator.services import Curator
    from curator.tui.app import CuratorApp


def load_app() -> Callable[..., CuratorApp]:
    """`make_app`, imported with the cycle collector paused (see curator.launch.quiet)."""
    from curator.launch.quiet import quiet_imports

    with quiet_imports():
        from curator.tui.app import make_app
    return make_app


def run_app(curator: Curator) -> None:
    load_app()(curator).run()
