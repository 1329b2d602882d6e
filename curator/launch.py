"""The `curator` command's entry point: a bare `curator` opens the TUI without loading the CLI.

Importing click and the CLI's thirty subcommands costs about 40 ms that opening the TUI does not
need, out of a first screen the issue wants within a second. Any argument (a subcommand, `--db`,
`--help`) goes to the click CLI, which behaves exactly as before; errors read the same either way.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from curator.errors import CuratorError

if TYPE_CHECKING:
    from collections.abc import Callable


def main() -> None:
    if sys.argv[1:]:
        from curator.cli import main as cli

        cli()
    else:
        sys.exit(open_tui())


def load_tui_stack() -> tuple[Any, Any, Callable[..., Any]]:
    """(Locations, Curator, make_app): everything a bare `curator` imports before the first screen."""
    from curator.startup import quiet_imports

    with quiet_imports():
        from curator.paths import Locations
        from curator.services import Curator
        from curator.tui import load_app
    return Locations, Curator, load_app()


def open_tui() -> int:
    """Open the app on the database and feed list named by CURATOR_DB / CURATOR_OPML (or defaults)."""
    locations_type, curator_type, make_app = load_tui_stack()
    curator = None
    try:
        locations = locations_type.resolve(os.environ.get("CURATOR_DB") or None,
                                           os.environ.get("CURATOR_OPML") or None)
        curator = curator_type(locations)
        make_app(curator).run()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        message = describe_failure(exc)
        if message is None:
            raise  # a bug: the traceback is the useful report
        print(f"curator: {message}", file=sys.stderr)
        return 1
    finally:
        if curator is not None:
            curator.close()
    return 0


def describe_failure(exc: BaseException) -> str | None:
    """The one line shown for an error the user can act on; None for a bug."""
    if isinstance(exc, CuratorError):
        message = str(exc)
    elif isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        message = f"{exc.strerror or exc}{where}"
    else:
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(exc, SQLAlchemyError):
            return None
        orig = getattr(exc, "orig", None) or exc
        message = f"database error: {orig}"
    return message.splitlines()[0] if message else "error"
