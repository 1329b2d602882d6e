"""What every curator screen shares: the facade, the one error route, a status line."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from curator.services import Curator
    from curator.tui.app import CuratorApp


class StatusLine(Static):
    """One line at the bottom: the screen's own message plus the app's polling status."""

    DEFAULT_CSS = "StatusLine { height: 1; background: $boost; color: $text-muted; padding: 0 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.local = ""

    def on_mount(self) -> None:
        self.watch(self.app, "poll_status", self._refresh_text)

    def set_local(self, text: str) -> None:
        self.local = text
        self._refresh_text()

    def _refresh_text(self, _value: object = None) -> None:
        poll = getattr(self.app, "poll_status", "")
        # one line of fixed height: no layout pass needed (it costs a few ms per keystroke)
        self.update("  ·  ".join(part for part in (self.local, poll) if part), layout=False)


class CuratorScreen(Screen[None]):
    """Base screen: workers that fail end up as one notification (never a crash)."""

    @property
    def curator_app(self) -> CuratorApp:
        return cast("CuratorApp", self.app)

    @property
    def curator(self) -> Curator:
        return self.curator_app.curator

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.curator_app.report_worker_error(event.worker)

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Fetch this screen's data again (in a worker)."""
