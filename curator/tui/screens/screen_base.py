"""What every curator screen shares: the facade, the one error route, a status line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from curator.services import Curator
    from curator.tui.app import CuratorApp


T = TypeVar("T")


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


class SteadyFooter(Footer):
    """Textual's footer, rebuilt only when the keys it shows change.

    Every focus move and reactive change announces "bindings updated"; the stock footer then
    rebuilds all its keys (about 40 ms for the inbox's 14), five times while the inbox starts.
    """

    def __init__(self, wait: bool = False, **kwargs: object) -> None:
        """`wait`: stay empty until `show_keys()` (the screen's first data comes first)."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: tuple[object, ...] | None = None
        self._waiting = wait

    def show_keys(self) -> None:
        if self._waiting:
            self._waiting = False
            # from the footer's own message queue: its keys bind to its reactives from there
            self.call_later(self.bindings_changed, self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._waiting:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = (self.compact, self.show_command_palette, *(
                (binding.key, binding.action, binding.description, enabled, tooltip,
                 self.app.get_key_display(binding))
                for _, binding, enabled, tooltip in screen.active_bindings.values()
                if binding.show))
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)


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

    _resume_pending = False

    def on_screen_resume(self) -> None:
        # Textual announces a mode's first appearance twice: one load, not two racing workers
        if not self._resume_pending:
            self._resume_pending = True
            self.call_later(self._resumed)

    def _resumed(self) -> None:
        self._resume_pending = False
        self.reload()

    _load_generation = 0

    def next_load(self) -> int:
        """Number the load about to start. Cancelling a thread worker only flags it: an older
        load can still finish after a newer one, and its answer must not win."""
        self._load_generation += 1
        return self._load_generation

    def is_latest_load(self, generation: int) -> bool:
        """The one stale-result guard of every screen: True for the newest load's answer (and
        the screen then counts as showing data)."""
        latest = generation == self._load_generation
        if latest:
            self.data_ready.set()
        return latest

    @property
    def data_ready(self) -> asyncio.Event:
        """Set once the screen shows its first data: a palette action run from another screen
        waits for it (the action works on what the screen shows)."""
        if self._data_ready is None:
            self._data_ready = asyncio.Event()
        return self._data_ready

    _data_ready: asyncio.Event | None = None

    def write(self, call: Callable[[], T], done: Callable[[T], None] | None = None,
              note: str = "", reload: bool = True) -> None:
        """Run one user action's service call on the app's write queue (one at a time, in the
        order asked), then `done(result)`, show `note` and reload, back on the event loop.

        `call` is a lambda so that even the facade's attributes are reached off the event loop.
        A `CuratorError` ends as the usual one-line notification (see `on_worker_state_changed`).
        """
        future = self.curator_app.writes.submit(call)

        async def finish() -> None:
            result = await asyncio.wrap_future(future)
            if done is not None:
                done(result)
            if note:
                self.notify(note, markup=False, timeout=3)
            if reload:
                self.reload()

        self.run_worker(finish(), group="write", exit_on_error=False)

    def reload(self) -> None:
        """Fetch this screen's data again (in a worker)."""
