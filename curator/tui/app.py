"""The curator Textual application: modes (inbox, roundup, feeds, themes), polling, errors.

Built by `make_app()` so the CLI, `curator demo`, the tests and the benchmarks all start the same
app. Workers do every database and network call; they post typed messages back. A failed worker
becomes one notification (`report_worker_error`), never a crash.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable
from contextlib import suppress
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from curator.errors import CuratorError
from curator.text import one_line
from curator.tui.messages import FirstRowsShown, PollFinished, PollProgress, PollStarted
from curator.tui.screens.screen_base import CuratorScreen
from curator.tui.write_queue import WriteQueue
from curator.types import FeedStatus, PollSummary

if TYPE_CHECKING:
    from curator.services import Curator
    from curator.tui.prefetch import FirstPagePrefetch

START_POLL_LATEST = 3.0  # seconds: the start-up poll waits for the first rows, at most this long
CHECK_EVERY = 300.0  # seconds between "is any feed due?" passes while the app is open
DATA_WAIT = 10.0  # seconds a palette action waits for its screen's first data
LIVE_CHECK = 1.0  # seconds between looks at the poll counter: any poller's posts show within 2 s
# Each mode's screen is imported when first shown: the inbox opens without loading the others.
SCREENS = {"inbox": ("curator.tui.screens.inbox_screen", "InboxScreen"),
           "roundup": ("curator.tui.screens.roundup_screen", "RoundupScreen"),
           "feeds": ("curator.tui.screens.feeds_screen", "FeedsScreen"),
           "themes": ("curator.tui.screens.themes_screen", "ThemesScreen"),
           "coverage": ("curator.tui.screens.coverage_screen", "CoverageScreen")}


MODE_TITLES = {"inbox": "Inbox", "roundup": "Roundup", "feeds": "Feeds", "themes": "Themes",
               "coverage": "Coverage"}


def screen_class(mode: str) -> type[CuratorScreen]:
    module, name = SCREENS[mode]
    return cast("type[CuratorScreen]", getattr(import_module(module), name))


def _new_screen(mode: str) -> CuratorScreen:
    return screen_class(mode)()


class CuratorApp(App[None]):
    TITLE = "curator"
    SUB_TITLE = "From the blogs!"
    CSS_PATH = Path(__file__).parent / "curator.tcss"
    MODES = {mode: partial(_new_screen, mode) for mode in SCREENS}
    DEFAULT_MODE = "inbox"  # built first, with no blank default screen before it
    BINDINGS = [
        Binding("1", "switch_mode('inbox')", "Inbox", id="mode-inbox", tooltip="The inbox"),
        Binding("2", "switch_mode('roundup')", "Roundup", id="mode-roundup",
                tooltip="The draft edition"),
        Binding("3", "switch_mode('feeds')", "Feeds", id="mode-feeds", tooltip="Subscriptions"),
        Binding("4", "switch_mode('themes')", "Themes", id="mode-themes",
                tooltip="Themes, rules and the classifier"),
        Binding("5", "switch_mode('coverage')", "Coverage", id="mode-coverage", show=False,
                tooltip="Who posted and who was featured"),
        Binding("r", "poll_now", "Poll", id="poll", tooltip="Poll every feed now"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key binding"),
        Binding("ctrl+t", "toggle_dark", "Light/dark", id="toggle-dark", show=False,
                tooltip="Switch between the dark and the light colour theme"),
        Binding("q", "quit", "Quit", id="quit", show=False, tooltip="Quit curator"),
    ]

    poll_status: reactive[str] = reactive("")
    data_version: reactive[int] = reactive(0, init=False)  # the screens load themselves first

    def __init__(self, curator: Curator, poll_on_start: bool = True,
                 prefetch: FirstPagePrefetch | None = None) -> None:
        super().__init__()
        self.curator = curator
        self.poll_on_start = poll_on_start
        self._prefetch = prefetch
        self.writes = WriteQueue()  # every user action's service call, one at a time, in order
        self._start_poll_done = False
        self._polls_stored: int | None = None  # the poll counter when the screens last loaded
        if curator.settings.keys:
            self.set_keymap(dict(curator.settings.keys))
        self._theme_ready = False  # the saved theme is applied before changes are saved

    def on_mount(self) -> None:
        # Everything alive now (modules, styles: a few hundred thousand objects) stays for the
        # app's life; freezing it keeps each full garbage collection from walking it all again
        # (60-90 ms each, at random keystrokes, before this). The inbox freezes once more when
        # its first page is on screen.
        gc.freeze()
        self._apply_saved_theme()
        for clash in self.keymap_conflicts():
            self.notify(clash, title="config.toml [keys]", severity="warning", markup=False,
                        timeout=12)
        if self.poll_on_start:
            # after the inbox's first rows (its queries and the poller's imports would share one
            # interpreter lock), or after a few seconds if the inbox never gets there
            self.set_timer(START_POLL_LATEST, self._start_poll, name="start-poll")
        self.set_interval(CHECK_EVERY, partial(self.poll_feeds, False), name="poll-check")
        self.set_interval(LIVE_CHECK, self.refresh_if_changed, name="live-check")

    def take_prefetch(self) -> FirstPagePrefetch | None:
        """The inbox's first page read ahead by `curator.tui.prefetch`, for the first taker."""
        prefetch, self._prefetch = self._prefetch, None
        return prefetch

    # polling ---------------------------------------------------------------------------------
    @on(FirstRowsShown)
    def _first_rows_shown(self) -> None:
        self.run_worker(self._warm_up, thread=True, exit_on_error=False, group="warm-up")
        self.refresh_if_changed()  # the poll counter as the screens first loaded: the baseline
        self._start_poll()

    def _warm_up(self) -> None:
        # in the worker: a DeferredCurator imports the data layer on this first touch
        self.curator.warm_up()
        # what that brought in (SQLAlchemy, pydantic, the services: some 300,000 objects) lives
        # as long as the app: frozen too, or every full collection walks it again (25-80 ms, at
        # random keystrokes, before this)
        gc.freeze()

    def _start_poll(self) -> None:
        if self.poll_on_start and not self._start_poll_done:
            self._start_poll_done = True
            self.poll_feeds(False)

    def action_poll_now(self) -> None:
        self.poll_feeds(True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def poll_feeds(self, force: bool) -> None:
        """One pass over the due feeds (or all, when forced); one message per feed."""
        if self.curator.polls.poller_running():
            self.post_message(PollFinished(PollSummary(), "another poller is at work on this "
                                           "database (its posts show here as they arrive)"))
            return
        self.post_message(PollStarted(force))
        summary = PollSummary()
        for outcome in self.curator.polls.poll_iter(force=force):
            summary.add(outcome)
            self.post_message(PollProgress(summary.feeds, outcome))
        self.post_message(PollFinished(summary))

    @on(PollStarted)
    def _poll_started(self, message: PollStarted) -> None:
        self.poll_status = "polling all feeds…" if message.forced else "polling due feeds…"

    @on(PollProgress)
    def _poll_progress(self, message: PollProgress) -> None:
        outcome = message.outcome
        self.poll_status = f"polling… {message.done} feeds done"
        if FeedStatus(outcome.status).is_problem:
            self.notify(one_line(f"{outcome.url}: {outcome.error or outcome.status}", 200),
                        title="Feed problem", severity="warning", markup=False, timeout=6)

    @on(PollFinished)
    def _poll_finished(self, message: PollFinished) -> None:
        if message.skipped_reason:
            self.poll_status = message.skipped_reason
            self.data_version += 1
            return
        summary = message.summary
        errors = f", {summary.errors} with errors" if summary.errors else ""
        self.poll_status = (f"polled {summary.feeds} feeds: {summary.new_posts} new{errors}"
                            if summary.feeds else "no feed is due yet (r polls all now)")
        if summary.new_posts:
            self.data_version += 1

    @work(thread=True, exclusive=True, exit_on_error=False, group="refresh")
    def refresh_if_changed(self) -> None:
        """Show what any poller stored (a daemon, another machine's, this app's own) once the
        poll counter moves: one cheap read a second, a reload only when something changed."""
        stored = self.curator.polls.polls_stored()
        if self._polls_stored is not None and stored != self._polls_stored:
            self.call_from_thread(self._bump)
        self._polls_stored = stored

    def _bump(self) -> None:
        self.data_version += 1

    def watch_data_version(self, _old: int, _new: int) -> None:
        screen = self.screen
        if isinstance(screen, CuratorScreen):
            screen.reload()

    # the one error route -----------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_worker_error(event.worker)

    def report_worker_error(self, worker: Worker[object]) -> None:
        error = worker.error
        if isinstance(error, CuratorError | OSError):
            text = str(error)
        else:
            text = f"{type(error).__name__}: {error}"
        self.notify(one_line(text, 300) or "something went wrong", title="Error",
                    severity="error", markup=False, timeout=8)
        if worker.group == "poll":
            self.poll_status = "poll failed"

    # help, palette, themes -----------------------------------------------------------------------
    def action_help(self) -> None:
        from curator.tui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.all_bindings()))

    def all_bindings(self) -> list[tuple[str, Binding]]:
        """(where, binding) for every binding of the app and its screens, after the keymap
        (config.toml's [keys], the keymap this app gave Textual)."""
        out: list[tuple[str, Binding]] = []
        keymap = self.curator.settings.keys
        classes: list[tuple[str, type[App[None] | Screen[None]]]] = [("everywhere", type(self))]
        classes += [(mode, screen_class(mode)) for mode in SCREENS]
        for where, cls in classes:
            for binding in cls.BINDINGS:
                if isinstance(binding, Binding):
                    if binding.id and binding.id in keymap:
                        binding = Binding(str(keymap[binding.id]), binding.action,
                                          binding.description, id=binding.id,
                                          tooltip=binding.tooltip)
                    out.append((where, binding))
        return out

    def keymap_conflicts(self) -> list[str]:
        """Keys that [keys] in config.toml gave to two bindings active on one screen: the one
        nearer the focus wins and the other silently stops working, so say so."""
        remapped = set(self.curator.settings.keys)
        if not remapped:
            return []
        owners: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for where, binding in self.all_bindings():
            for key in binding.key.split(","):
                owners.setdefault((where, key.strip()), []).append((binding.id or binding.action,
                                                                    binding.description))
        out: list[str] = []
        for mode in SCREENS:
            for (where, key), found in owners.items():
                if where != mode:
                    continue
                clash = found + owners.get(("everywhere", key), [])
                ids = [i for i, _d in clash]
                if len(set(ids)) > 1 and remapped & set(ids):
                    names = " and ".join(f"{i} ({d})" for i, d in clash)
                    out.append(f"{key} is the key of {names} on the {mode} screen; only the "
                               f"first works there")
        return out

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """One palette for the whole app: Textual's commands, the app's, and every action of
        every screen (another screen's action switches there first)."""
        for command in super().get_system_commands(screen):
            if command.title == "Theme":  # colours: not to be mistaken for a post's theme
                command = SystemCommand("Colours", "Change the colour theme (kept for next time)",
                                        command.callback)
            yield command
        for binding in type(self).BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                yield SystemCommand(binding.description, binding.tooltip or binding.description,
                                    partial(self.call_later, self.run_action, binding.action, self))
        for mode, title in MODE_TITLES.items():
            for binding in screen_class(mode).BINDINGS:
                if isinstance(binding, Binding) and binding.description:
                    yield SystemCommand(f"{title}: {_say(binding)}",
                                        f"{title} screen, key {self.get_key_display(binding)}",
                                        partial(self._run_on_screen, mode, binding.action))

    async def _run_on_screen(self, mode: str, action: str) -> None:
        if not isinstance(self.screen, screen_class(mode)):
            await self.switch_mode(mode)
        screen = self.screen
        if isinstance(screen, CuratorScreen):
            with suppress(TimeoutError):
                await asyncio.wait_for(screen.data_ready.wait(), DATA_WAIT)
        await self.run_action(action, screen)

    # colour theme ---------------------------------------------------------------------------
    def _apply_saved_theme(self) -> None:
        saved = self.curator.settings.theme
        if saved and saved in self.available_themes:
            self.theme = saved
        self._theme_ready = True

    def watch_theme(self, name: str) -> None:
        """A colour theme chosen in the app is kept in config.toml for the next start."""
        if getattr(self, "_theme_ready", False) and name != self.curator.settings.theme:
            self.curator.settings.theme = name
            self.save_theme(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save-theme")
    def save_theme(self, name: str) -> None:
        from curator.config import save_setting

        save_setting(self.curator.locations.config_file, "ui", "theme", name)


def _say(binding: Binding) -> str:
    """What a binding does, in words the palette can find by its footer label too."""
    said = binding.tooltip or binding.description
    if binding.description.lower() not in said.lower():
        said += f" ({binding.description})"
    return said


def make_app(curator: Curator, poll_on_start: bool = True,
             prefetch: FirstPagePrefetch | None = None) -> CuratorApp:
    """The one way to build the app (CLI, demo, tests, benchmarks)."""
    return CuratorApp(curator, poll_on_start=poll_on_start, prefetch=prefetch)
