"""The one line a user sees for a failure they can act on, shared by the CLI, the TUI and start-up."""

from __future__ import annotations

from curator.errors import CuratorError


def describe_failure(exc: BaseException) -> str | None:
    """The one line shown for an error the user can act on; None for a bug."""
    if isinstance(exc, CuratorError):
        message = str(exc)
    elif isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        message = f"{exc.strerror or exc}{where}"
    else:
        from curator.store.db_errors import database_message, is_database_error

        if not is_database_error(exc):
            return None
        message = database_message(getattr(exc, "orig", None) or exc)
    return message.splitlines()[0] if message else "error"
