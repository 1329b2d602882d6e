"""Pure polling decisions: due times, hints, Retry-After, backoff, 410."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from curator.poll.schedule import (
    Policy,
    backoff_seconds,
    decide,
    hint_seconds,
    is_due,
    retry_after_seconds,
    success_interval,
)

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
POLICY = Policy()


def _decide(status, **kw):
    args = dict(status=status, error=None, error_kind=None, headers={}, error_count=0, now=NOW,
                policy=POLICY, rng=random.Random(1))
    args.update(kw)
    return decide(**args)


def test_due_rules() -> None:
    assert is_due(None, "new", NOW)
    assert not is_due(NOW + timedelta(minutes=5), "ok", NOW)
    assert is_due(NOW + timedelta(minutes=5), "ok", NOW, force=True)
    assert not is_due(None, "gone", NOW, force=True)
    assert is_due(None, "gone", NOW, named=True)  # poll --feed URL revives it
    assert not is_due(None, "ok", NOW, force=True, in_opml=False)


def test_success_interval_default_with_jitter_and_floor() -> None:
    v = _decide(200)
    wait = (v.next_due_at - NOW).total_seconds()
    assert v.status == "ok" and v.error_count == 0 and v.success
    assert 3600 <= wait <= 3600 * 1.25
    assert success_interval(Policy(interval=60), None) == 1800  # floor of 30 minutes


def test_hints_lengthen_within_bounds() -> None:
    assert hint_seconds({"cache-control": "public, max-age=7200"}, None, NOW) == 7200
    assert hint_seconds({"cache-control": "no-cache, max-age=7200"}, None, NOW) is None
    expires = format_datetime(NOW + timedelta(hours=3), usegmt=True)
    assert hint_seconds({"expires": expires}, None, NOW) == 3 * 3600
    assert hint_seconds({}, 180, NOW) == 180 * 60
    assert success_interval(POLICY, 90 * 86400) == 7 * 86400  # capped at a week
    assert success_interval(POLICY, 60) == 3600  # a short hint never shortens our interval
    v = _decide(200, ttl_minutes=240)
    assert v.interval_seconds == 240 * 60


def test_retry_after_both_forms() -> None:
    assert retry_after_seconds("120", NOW) == 120
    when = format_datetime(NOW + timedelta(minutes=30), usegmt=True)
    assert retry_after_seconds(when, NOW) == 1800
    assert retry_after_seconds("soon", NOW) is None
    v = _decide(429, headers={"retry-after": "120"})
    assert v.status == "error" and v.pause_host_seconds == 120
    assert v.next_due_at == NOW + timedelta(seconds=120)
    v = _decide(429, headers={"retry-after": when})
    assert v.next_due_at == NOW + timedelta(minutes=30)
    v = _decide(503)  # no header: the default, at least
    assert (v.next_due_at - NOW).total_seconds() >= POLICY.retry_default


def test_backoff_grows_and_caps_and_success_resets() -> None:
    waits = [backoff_seconds(n, POLICY) for n in range(1, 10)]
    assert waits[:3] == [3600, 7200, 14400]
    assert max(waits) == POLICY.backoff_cap and waits == sorted(waits)
    v = _decide(500, error_count=3)
    assert v.error_count == 4 and v.error == "HTTP 500 Server Error"
    assert (v.next_due_at - NOW).total_seconds() >= 8 * 3600
    assert _decide(200, error_count=7).error_count == 0


def test_gone_stops_and_304_keeps_success() -> None:
    v = _decide(410)
    assert v.status == "gone" and v.next_due_at is None and "410" in v.error
    v = _decide(304)
    assert v.status == "not_modified" and v.success


def test_parse_error_and_host_pause() -> None:
    v = _decide(200, parse_error="not a feed")
    assert v.status == "error" and v.error == "not a feed" and v.error_count == 1
    v = _decide(None, error="a.example asked us to wait", error_kind="host_paused", error_count=2)
    assert v.error_count == 2  # not the feed's fault


def test_the_sql_of_due_feeds_is_the_pure_rule(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every combination of subscribed, status and due time: the poller's query picks exactly
    the feeds `is_due` picks, forced or not, and a feed named on its own."""
    import itertools

    from pollkit import make_curator

    from curator.store.tables import Feed

    now = datetime.now(UTC)
    cur = make_curator(tmp_path, [])
    states = list(itertools.product((True, False), ("new", "ok", "error", "gone"),
                                    (None, now - timedelta(hours=1), now + timedelta(hours=1))))
    with cur.context.db.write() as session:
        for index, (in_opml, status, due) in enumerate(states):
            session.add(Feed(url=f"https://f{index}.example/feed", in_opml=in_opml,
                             status=status, next_due_at=due))
    for force in (False, True):
        by_sql = {t.url for t in cur.polls.due_feeds(force=force)}
        by_rule = {f"https://f{i}.example/feed" for i, (in_opml, status, due) in enumerate(states)
                   if is_due(due, status, now, force=force, in_opml=in_opml)}
        assert by_sql == by_rule, force
    for index, (in_opml, status, due) in enumerate(states):
        url = f"https://f{index}.example/feed"
        assert [t.url for t in cur.polls.due_feeds(feed_url=url)] == [url]
        assert is_due(due, status, now, named=True, in_opml=in_opml)
    cur.close()
