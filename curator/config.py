"""User settings from `config.toml` in the config dir (all optional, sensible defaults).

Example::

    [poll]
    interval = "1h"        # default per-feed interval
    concurrency = 10
    per_host = 8           # requests at once to one host
    lease = "2m"           # on a shared server: how long a dead poller's hosts stay held

    [network]              # default: HTTP(S)_PROXY / NO_PROXY, else the system's settings
    proxy = "http://proxy.example:8080"
    no_proxy = "intranet.example,10.0.0.0/8"
    ca_file = "corporate-ca.pem"   # trusted beside the system's trust store
    allow_private = false          # true: links in feeds may reach private networks

    [coverage]
    quiet_days = 60        # a blog without a post this long is "quiet" in `curator coverage`

    [smtp]                 # `curator roundup send`: how the edition goes out
    host = "smtp.example.org"
    port = 587                     # default: 465 for tls, 587 for starttls, 25 for none
    security = "starttls"          # none | starttls | tls
    user = "roundup@example.org"
    password_env = "CURATOR_SMTP_PASSWORD"   # the password is read from this variable
    from = "Roundup <roundup@example.org>"
    to = ["members@lists.example.org"]       # default recipients

    [keys]                 # TUI binding id -> keys, e.g. pick = "space,p"
    pick = "space"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from curator.errors import CuratorError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day|days|w|wk|week|weeks)?"
                       r"\s*$", re.I)
_UNIT = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400,
         "days": 86400, "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800}


LONGEST_DURATION = 3650 * 86400.0  # ten years: anything longer is a typo, not a schedule


def parse_duration(text: str | int | float) -> float:
    """'30m' -> 1800.0; bare numbers are seconds. Raises CuratorError on nonsense, on a negative
    number and on anything longer than ten years."""
    if isinstance(text, bool) or not isinstance(text, int | float | str):
        raise CuratorError(f"not a duration: {text!r} (try 90s, 30m, 1h, 1d, 2w)")
    if isinstance(text, int | float):
        return _bounded(float(text), repr(text))
    total = 0.0
    parts = re.findall(r"\d+(?:\.\d+)?\s*[a-zA-Z]*", text)
    if not parts or "".join(p.replace(" ", "") for p in parts) != text.replace(" ", ""):
        raise CuratorError(f"not a duration: {text!r} (try 90s, 30m, 1h, 1d, 2w)")
    for part in parts:
        match = _DURATION.match(part)
        if not match:
            raise CuratorError(f"not a duration: {text!r} (try 90s, 30m, 1h, 1d, 2w)")
        number, unit = match.groups()
        total += float(number) * _UNIT[(unit or "s").lower()]
    return _bounded(total, repr(text))


def _bounded(seconds: float, shown: str) -> float:
    if not 0 <= seconds <= LONGEST_DURATION:  # also catches inf and nan
        raise CuratorError(f"duration {shown[:40]} is out of range (0 to 3650d)")
    return seconds


def _count(table: dict[str, object], key: str, path: Path, name: str = "poll") -> int:
    """A whole number of at least 1 from a config.toml table, or a one-line error."""
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | str) or \
            not str(value).strip().isdigit() or int(value) < 1:
        raise CuratorError(f"{path}: [{name}] {key} must be a whole number of at least 1, "
                           f"not {value!r}")
    return int(value)


def _text(table: dict[str, object], key: str, path: Path) -> str:
    value = table[key]
    if not isinstance(value, str):
        raise CuratorError(f"{path}: {key} must be a string in quotes, not {value!r}")
    return value.strip()


SMTP_SECURITY = {"none": 25, "starttls": 587, "tls": 465}


@dataclass
class SmtpSettings:
    """config.toml's [smtp]: where `roundup send` delivers. The password never sits in the file:
    `password_env` names the environment variable that holds it."""

    host: str | None = None
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password_env: str | None = None
    sender: str | None = None  # the `from` key
    to: list[str] = field(default_factory=list)

    @property
    def port_or_default(self) -> int:
        return self.port or SMTP_SECURITY[self.security]

    @classmethod
    def from_table(cls, table: dict[str, object], path: Path) -> SmtpSettings:
        smtp = cls()
        for key, attr in (("host", "host"), ("user", "user"), ("password_env", "password_env"),
                          ("from", "sender")):
            if key in table:
                setattr(smtp, attr, _text(table, key, path) or None)
        if "security" in table:
            smtp.security = _text(table, "security", path).lower()
            if smtp.security not in SMTP_SECURITY:
                raise CuratorError(f"{path}: [smtp] security must be none, starttls or tls, "
                                   f"not {table['security']!r}")
        if "port" in table:
            port = table["port"]
            if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
                raise CuratorError(f"{path}: [smtp] port must be a number from 1 to 65535, "
                                   f"not {port!r}")
            smtp.port = port
        if "to" in table:
            to = table["to"]
            items = [to] if isinstance(to, str) else to
            if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
                raise CuratorError(f"{path}: [smtp] to must be an address or a list of them")
            smtp.to = [a.strip() for a in items if a.strip()]
        return smtp


@dataclass
class Settings:
    """Parsed config.toml; unknown keys are ignored so older curators read newer files."""

    poll_interval: float = 3600.0
    poll_concurrency: int = 10
    poll_per_host: int = 8  # requests at once to one host (never above poll_concurrency)
    poll_lease: float = 120.0  # server databases: a poller's hosts are its own this long
    # after its last renewal (renewed every third of it), so a killed poller's feeds wait this long
    keys: dict[str, str] = field(default_factory=dict)
    proxy: str | None = None  # [network] proxy: every request through it (overrides the env)
    no_proxy: str | None = None  # [network] no_proxy: hosts reached directly
    ca_file: str | None = None  # [network] ca_file: extra CA certificates (PEM)
    allow_private: bool = False  # [network] allow_private: feed links may reach private networks
    theme: str | None = None  # [ui] theme: the TUI's colour theme, saved when changed there
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    quiet_days: int = 60  # [coverage] quiet_days: a blog without a post this long is quiet

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
        if "lease" in poll:
            settings.poll_lease = parse_duration(poll["lease"])
        network = data.get("network", {}) if isinstance(data.get("network"), dict) else {}
        for key in ("proxy", "no_proxy", "ca_file"):
            if key in network:
                setattr(settings, key, _text(network, key, path))
        if "allow_private" in network:
            if not isinstance(network["allow_private"], bool):
                raise CuratorError(f"{path}: [network] allow_private must be true or false, "
                                   f"not {network['allow_private']!r}")
            settings.allow_private = network["allow_private"]
        if settings.ca_file:
            settings.ca_file = str(path.parent / Path(settings.ca_file).expanduser())
        ui = data.get("ui", {}) if isinstance(data.get("ui"), dict) else {}
        if "theme" in ui:
            settings.theme = _text(ui, "theme", path)
        coverage = data.get("coverage", {}) if isinstance(data.get("coverage"), dict) else {}
        if "quiet_days" in coverage:
            settings.quiet_days = _count(coverage, "quiet_days", path, "coverage")
        if isinstance(data.get("smtp"), dict):
            settings.smtp = SmtpSettings.from_table(data["smtp"], path)
        keys = data.get("keys", {})
        if isinstance(keys, dict):
            settings.keys = {str(k): str(v) for k, v in keys.items()}
        return settings


def save_setting(path: Path, table: str, key: str, value: str) -> None:
    """Set `[table] key = "value"` in config.toml, keeping every other line (comments too).

    A line-level edit rather than a TOML rewrite: the file is the user's, hand-written.
    """
    import json

    from curator.safe_files import atomic_write

    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    except (OSError, UnicodeDecodeError) as exc:
        raise CuratorError(f"cannot read config {path}: {exc}") from None
    header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]\s*(#.*)?$")
    assignment = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
    start = next((i for i, text in enumerate(lines) if header.match(text)), None)
    if start is None:
        lines += ([""] if lines and lines[-1].strip() else []) + [f"[{table}]", line]
    else:
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].lstrip().startswith("[")), len(lines))
        found = next((i for i in range(start + 1, end) if assignment.match(lines[i])), None)
        if found is None:
            lines.insert(start + 1, line)
        else:
            lines[found] = line
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"), error=CuratorError)
