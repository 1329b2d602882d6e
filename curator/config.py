"""User settings from `config.toml` in the config dir (all optional, sensible defaults).

Example::

    [poll]
    interval = "1h"        # default per-feed interval
    concurrency = 10
    per_host = 8           # requests at once to one host

    [keys]                 # TUI binding id -> keys, e.g. pick = "space,p"
    pick = "space"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from curator.errors import CuratorError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day|days)?\s*$", re.I)
_UNIT = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400,
         "days": 86400}


def parse_duration(text: str | int | float) -> float:
    """'30m' -> 1800.0; bare numbers are seconds. Raises CuratorError on nonsense."""
    if isinstance(text, int | float):
        return float(text)
    total = 0.0
    parts = re.findall(r"\d+(?:\.\d+)?\s*[a-zA-Z]*", text)
    if not parts or "".join(p.replace(" ", "") for p in parts) != text.replace(" ", ""):
        raise CuratorError(f"not a duration: {text!r} (try 90s, 30m, 1h, 1d)")
    for part in parts:
        match = _DURATION.match(part)
        if not match:
            raise CuratorError(f"not a duration: {text!r} (try 90s, 30m, 1h, 1d)")
        number, unit = match.groups()
        total += float(number) * _UNIT[(unit or "s").lower()]
    return total


def _count(table: dict[str, object], key: str, path: Path) -> int:
    """A whole number of at least 1 from config.toml's [poll] table, or a one-line error."""
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | str) or \
            not str(value).strip().isdigit() or int(value) < 1:
        raise CuratorError(f"{path}: [poll] {key} must be a whole number of at least 1, "
                           f"not {value!r}")
    return int(value)


@dataclass
class Settings:
    """Parsed config.toml; unknown keys are ignored so older curators read newer files."""

    poll_interval: float = 3600.0
    poll_concurrency: int = 10
    poll_per_host: int = 8  # requests at once to one host (never above poll_concurrency)
    keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Settings:
        if not path.is_file():
            return cls()
        import tomllib  # only when there is a file to read

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CuratorError(f"cannot read config {path}: {exc}") from None
        poll = data.get("poll", {}) if isinstance(data.get("poll"), dict) else {}
        settings = cls()
        if "interval" in poll:
            settings.poll_interval = parse_duration(poll["interval"])
        if "concurrency" in poll:
            settings.poll_concurrency = _count(poll, "concurrency", path)
        if "per_host" in poll:
            settings.poll_per_host = _count(poll, "per_host", path)
        keys = data.get("keys", {})
        if isinstance(keys, dict):
            settings.keys = {str(k): str(v) for k, v in keys.items()}
        return settings
