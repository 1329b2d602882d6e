"""The `curator` command's entry point: a bare `curator` opens the TUI without loading the CLI.

The CLI imports click, its thirty subcommands and the whole data layer before it can do anything;
a bare `curator` needs none of that before its first screen (`TuiSession`: the data layer loads in
the first-page helper, then in a worker). Any argument (a subcommand, `--db`, `--help`) goes to the
click CLI, which behaves exactly as before; errors read the same either way.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from curator.launch.deferred import DeferredCurator
    from curator.paths import Locations
    from curator.services import Curator
    from curator.tui.app import CuratorApp
    from curator.tui.prefetch import FirstPagePrefetch


def main() -> None:
    """Ctrl-C at any moment (imports included) ends with status 130 and no traceback."""
    try:
        # any argument, or click's completion request (`_CURATOR_COMPLETE=bash_source curator`)
        if sys.argv[1:] or "_CURATOR_COMPLETE" in os.environ:
            from curator.cli import main as cli

            # fixed names, so `python -m curator` completes and reads its help as `curator` does
            status = cli.main(prog_name="curator", complete_var="_CURATOR_COMPLETE",
                              standalone_mode=False)
            sys.exit(status if isinstance(status, int) else 0)
        else:
            sys.exit(open_tui())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # click's usage errors and aborts, outside standalone mode
        sys.exit(_click_exit(exc))


def _click_exit(exc: Exception) -> int:
    """What click's standalone mode would do, except that an abort (Ctrl-C) is status 130."""
    import click

    if isinstance(exc, click.exceptions.Abort):
        return 130
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, click.ClickException):
        exc.show()
        return exc.exit_code
    raise exc


class TuiSession:
    """Everything a bare `curator` sets up around the app, as a context manager.

    The inbox's first page is read by a forked helper (`curator.tui.prefetch`) while this process
    imports Textual; the app gets a `DeferredCurator`, whose data layer loads in a worker after
    the first rows are on screen. The benchmark opens the app through this too.
    """

    def __init__(self, locations: Locations, poll_on_start: bool = True) -> None:
        self.locations = locations
        self.poll_on_start = poll_on_start
        self.prefetch: FirstPagePrefetch | None = None
        self.curator: DeferredCurator | None = None
        self.app: CuratorApp | None = None

    def __enter__(self) -> CuratorApp:
        from curator.config import Settings
        from curator.launch.deferred import DeferredCurator
        from curator.tui.prefetch import FirstPagePrefetch

        settings = Settings.load(self.locations.config_file)  # a broken file: one line, no app
        self.prefetch = FirstPagePrefetch.start(self.locations, settings)
        try:
            from curator.tui import load_app

            make_app = load_app()
            self.curator = DeferredCurator(self.locations, settings)
            self.app = make_app(cast("Curator", self.curator), poll_on_start=self.poll_on_start,
                                prefetch=self.prefetch)
            return self.app
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.app is not None:
            self.app.writes.close()  # the last keys' writes finish before the database closes
        if self.prefetch is not None:
            self.prefetch.close()
        if self.curator is not None:
            self.curator.close()


def open_tui() -> int:
    """Open the app on the database and feed list named by CURATOR_DB / CURATOR_OPML (or defaults)."""
    try:
        from curator.paths import Locations

        locations = Locations.resolve(os.environ.get("CURATOR_DB") or None,
                                      os.environ.get("CURATOR_OPML") or None)
        with TuiSession(locations) as app:
            app.run()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from curator.launch.failures import describe_failure

        message = describe_failure(exc)
        if message is None:
            raise  # a bug: the traceback is the useful report
        print(f"curator: {message}", file=sys.stderr)
        return 1
    return 0
