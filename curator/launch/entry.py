"""The `curator` command's entry point: a bare `curator` opens the TUI without loading the CLI.

The CLI imports click, its thirty subcommands and the whole data layer before it can do anything;
a bare `curator` needs none of that before its first screen (`curator.launch.tui_session`: the data layer loads in
the first-page helper, then in a worker). Any argument (a subcommand, `--db`, `--help`) goes to the
click CLI, which behaves exactly as before; errors read the same either way.
"""

from __future__ import annotations

import contextlib
import os
import sys


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
    finally:
        _plain_ctrl_c_from_here()


def _plain_ctrl_c_from_here() -> None:
    """The work is done and the process is only exiting (exit handlers, finalizers, flushing
    output): a Ctrl-C now ends it at once, as the shell's default does, instead of raising
    where Python can only print it as a traceback ("Exception ignored in ...")."""
    import signal

    with contextlib.suppress(ValueError):  # not the main thread: its handlers are not ours
        signal.signal(signal.SIGINT, signal.SIG_DFL)


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


def open_tui() -> int:
    """Open the app on the database and feed list named by CURATOR_DB / CURATOR_OPML (or defaults)."""
    try:
        from curator.launch.tui_session import TuiSession
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
