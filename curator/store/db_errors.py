"""Database failures in words a user can act on, whichever driver raised them."""

from __future__ import annotations


def is_database_error(exc: BaseException) -> bool:
    """True for an error raised by the database or its driver (not a bug in curator)."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, SQLAlchemyError | sqlite3.Error)


def database_message(exc: BaseException) -> str:
    """A database failure in words a user can act on (the driver's own words otherwise)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return ("the database is read-only: curator can show it but not change it (check the "
                "permissions of the database file and its folder, or use --db)")
    if "unable to open database file" in lowered:
        return "cannot open the database file (does its folder exist, and may curator write there?)"
    if "disk is full" in lowered or "disk i/o error" in lowered:
        return f"the disk holding the database failed: {text}"
    if "database is locked" in lowered:
        return "the database is busy (another curator is writing to it); try again"
    return f"database error: {text}"
