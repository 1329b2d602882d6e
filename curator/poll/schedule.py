"""Pure polling decisions: when is a feed due, what did an answer mean, how long to back off.

No I/O and no clock reads: every function takes `now` (and a random source for jitter), so the rules
are unit-tested directly. The numbers follow what well-behaved readers do (see DESIGN.md §4):
1 hour by default with 0-25 % jitter, never more often than every 30 minutes unless forced, server
hints (`Cache-Control: max-age`, `Expires`, RSS `<ttl>`) honoured within [30 min, 7 days],
`Retry-After` on 429/503 (seconds or HTTP date, 10 minutes when absent, at most 31 days), exponential
backoff on other failures capped at one day, and 410 Gone stops polling altogether.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from curator.types import FeedStatus

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.I)
_LONGEST = 10 ** 9  # seconds (31 years): any number a server sends is read as at most this
_NO_CACHE = re.compile(r"(?:^|,)\s*(no-cache|no-store)\b", re.I)


@dataclass(frozen=True)
class Policy:
    interval: float = 3600.0  # default seconds between polls
    floor: float = 1800.0  # never poll a feed more often than this unless forced
    ceiling: float = 7 * 86400.0  # server hints are honoured up to this
    jitter: float = 0.25  # add 0..25 % so feeds spread out instead of marching in step
    backoff_cap: float = 86400.0  # failures back off to at most one day
    retry_default: float = 600.0  # 429/503 without Retry-After
    retry_cap: float = 31 * 86400.0


@dataclass(frozen=True)
class Verdict:
    """What the poller should record for a feed after one attempt."""

    status: str  # ok | not_modified | error | gone | redirected
    error: str | None
    error_count: int
    next_due_at: datetime | None  # None = never (gone)
    interval_seconds: int | None = None
    pause_host_seconds: float | None = None
    success: bool = False


def is_due(next_due_at: datetime | None, status: str, now: datetime, *, force: bool = False,
           named: bool = False, in_opml: bool = True) -> bool:
    """Whether a pass polls this feed: the rule `PollService.due_feeds` writes in SQL (a test
    holds the two equal).

    A feed named on its own (`poll --feed URL`) is always polled, which also revives a gone
    one. Otherwise only subscribed feeds that are not gone: all of them with `force`
    (`--all`, the TUI's r), else those whose time has come.
    """
    if named:
        return True
    if not in_opml or status == FeedStatus.GONE:
        return False
    return force or next_due_at is None or next_due_at <= now


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Parse Retry-After: delta seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return _seconds(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _seconds(digits: str) -> float:
    """A number of seconds from a header, clamped: a 400-digit Retry-After is 'a very long
    time', not an OverflowError."""
    digits = digits.lstrip("0") or "0"
    return float(_LONGEST if len(digits) > 10 else min(int(digits), _LONGEST))


def hint_seconds(headers: dict[str, str], ttl_minutes: int | None, now: datetime) -> float | None:
    """The longest interval the server asked for (max-age, Expires, RSS ttl), or None."""
    hints: list[float] = []
    cache_control = headers.get("cache-control", "")
    if cache_control and not _NO_CACHE.search(cache_control):
        match = _MAX_AGE.search(cache_control)
        if match:
            hints.append(_seconds(match.group(1)))
    expires = headers.get("expires")
    if expires and not (cache_control and _MAX_AGE.search(cache_control)):
        try:
            when = parsedate_to_datetime(expires)
            if when.tzinfo is not None:
                hints.append((when - now).total_seconds())
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    if ttl_minutes is not None and ttl_minutes > 0:
        hints.append(float(ttl_minutes) * 60)
    return max(hints) if hints else None


def success_interval(policy: Policy, hint: float | None) -> float:
    """Our own interval, lengthened by a server hint, clamped to [floor, ceiling]."""
    base = max(policy.interval, policy.floor)
    if hint is not None:
        base = max(base, hint)
    return min(max(base, policy.floor), max(policy.ceiling, policy.floor))


def backoff_seconds(error_count: int, policy: Policy) -> float:
    """interval x 2^(n-1) after n consecutive failures, capped; never below the floor, even
    when a shorter interval is configured."""
    n = max(1, error_count)
    base = max(policy.interval, policy.floor)
    return min(base * (2 ** min(n - 1, 20)), max(policy.backoff_cap, policy.floor))


def _jitter(seconds: float, policy: Policy, rng: random.Random) -> float:
    return seconds * (1.0 + rng.uniform(0.0, policy.jitter))


def decide(*, status: int | None, error: str | None, error_kind: str | None,
           headers: dict[str, str], error_count: int, now: datetime, policy: Policy,
           rng: random.Random, ttl_minutes: int | None = None, parse_error: str | None = None,
           redirected: bool = False, paused_for: float | None = None) -> Verdict:
    """Turn one fetch (+ parse) result into the feed's next state."""
    if error_kind == "host_paused":
        # not the feed's fault: keep its error count, try again when the pause ends
        resume = policy.retry_default if paused_for is None else max(60.0, paused_for)
        return Verdict(FeedStatus.ERROR, error, error_count,
                       now + timedelta(seconds=min(resume, policy.retry_cap)))
    if status in (429, 503):
        wait = retry_after_seconds(headers.get("retry-after"), now)
        wait = policy.retry_default if wait is None else min(max(wait, 1.0), policy.retry_cap)
        wait = max(wait, backoff_seconds(error_count + 1, policy) if status == 503 else wait)
        label = "rate limited (429)" if status == 429 else "service unavailable (503)"
        return Verdict(FeedStatus.ERROR, f"{label}; retry after {int(wait)} s", error_count + 1,
                       now + timedelta(seconds=wait), pause_host_seconds=wait)
    if status == 410:
        return Verdict(FeedStatus.GONE, "410 Gone: the feed was removed; polling stopped",
                       error_count + 1, None)
    if status == 304:
        interval = success_interval(policy, hint_seconds(headers, None, now))
        return Verdict(FeedStatus.NOT_MODIFIED, None, 0,
                       now + timedelta(seconds=_jitter(interval, policy, rng)),
                       int(interval), success=True)
    if status == 200 and error is None and parse_error is None:
        interval = success_interval(policy, hint_seconds(headers, ttl_minutes, now))
        return Verdict(FeedStatus.REDIRECTED if redirected else FeedStatus.OK, None, 0,
                       now + timedelta(seconds=_jitter(interval, policy, rng)),
                       int(interval), success=True)
    count = error_count + 1
    message = error or parse_error or (f"HTTP {status}" if status else "failed")
    if error is None and parse_error is None and status is not None:
        message = f"HTTP {status}{_reason(status)}"
    wait = backoff_seconds(count, policy)
    return Verdict(FeedStatus.ERROR, message, count, now + timedelta(seconds=_jitter(wait, policy, rng)))


def _reason(status: int) -> str:
    reasons = {401: " Unauthorized", 403: " Forbidden", 404: " Not Found", 500: " Server Error",
               502: " Bad Gateway", 504: " Gateway Timeout"}
    return reasons.get(status, "")
