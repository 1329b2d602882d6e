"""One reading of every "since", "until" and window a user types, in the CLI and the TUI alike.

`30m`, `12h`, `2d`, `2w` (and combinations such as `1h30m`) mean that long ago; `2026-01-31` is
that day (its first instant, or its last for an "until"); any ISO 8601 time is itself (UTC when
it names no zone). Everything else is one CuratorError with one message.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from curator.errors import CuratorError

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
HINT = "try 30m, 12h, 2d, 2w or 2026-01-31"


def parse_moment(text: str | datetime | date, *, now: datetime | None = None,
                 end_of_day: bool = False) -> datetime:
    """An aware UTC moment from what a user typed (see the module docstring)."""
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    if isinstance(text, date):
        text = text.isoformat()
    raw = text.strip()
    if _DAY.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise CuratorError(f"not a date: {text!r} ({HINT})") from None
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1, microseconds=-1) if end_of_day else start
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        pass
    else:
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    from curator.config import parse_duration

    try:
        seconds = parse_duration(raw)
    except CuratorError:
        raise CuratorError(f"not a date or duration: {text!r} ({HINT})") from None
    return (now or datetime.now(UTC)) - timedelta(seconds=seconds)
