"""One reading of "since" and "until" everywhere: the CLI's options, the inbox's tokens, editions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from roundup_helpers import add_feed, add_post, make_curator

from curator.cli import main
from curator.errors import CuratorError
from curator.roundup.edition_rules import parse_when
from curator.tui.filters import parse_filter
from curator.when import parse_moment

pytestmark = pytest.mark.pg

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(("text", "ago"), [("30m", timedelta(minutes=30)),
                                           ("12h", timedelta(hours=12)),
                                           ("2d", timedelta(days=2)),
                                           ("2w", timedelta(weeks=2)),
                                           ("1h30m", timedelta(minutes=90))])
def test_durations_mean_that_long_ago(text: str, ago: timedelta) -> None:
    assert parse_moment(text, now=NOW) == NOW - ago
    assert parse_filter(f"since:{text}", NOW).since == NOW - ago  # the inbox's token too


def test_dates_and_times() -> None:
    assert parse_moment("2026-01-31") == datetime(2026, 1, 31, tzinfo=UTC)
    assert parse_moment("2026-01-31", end_of_day=True) == datetime(2026, 2, 1, tzinfo=UTC) - \
        timedelta(microseconds=1)
    assert parse_moment("2026-01-31T10:00+02:00") == datetime(2026, 1, 31, 8, tzinfo=UTC)
    assert parse_moment("2026-01-31T10:00Z") == datetime(2026, 1, 31, 10, tzinfo=UTC)
    assert parse_when("2026-01-31", end_of_day=True) == parse_moment("2026-01-31",
                                                                    end_of_day=True)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "3fortnights", "-5m", ""])
def test_one_message_for_nonsense(text: str) -> None:
    with pytest.raises(CuratorError, match="try 30m, 12h, 2d, 2w or 2026-01-31"):
        parse_moment(text)
    assert parse_filter(f"since:{text}" if text else "since:x", NOW).problems


def test_posts_list_and_the_inbox_agree() -> None:
    cur = make_curator()
    feed = add_feed(cur, "https://a.example/feed")
    now = datetime.now(UTC)
    for title, age in [("ten minutes", timedelta(minutes=10)), ("two hours", timedelta(hours=2)),
                       ("ten days", timedelta(days=10)), ("three weeks", timedelta(weeks=3))]:
        add_post(cur, feed, title, f"https://a.example/{age.total_seconds():.0f}",
                 published=now - age)
    for text, expected in [("30m", ["ten minutes"]), ("2w", ["ten minutes", "two hours",
                                                               "ten days"])]:
        result = CliRunner().invoke(main, ["posts", "list", "--since", text, "--json"])
        assert result.exit_code == 0, result.output
        cli = [p["title"] for p in json.loads(result.stdout)]
        inbox = [p.title for p in cur.posts.list_posts(**parse_filter(f"since:{text}").kwargs())]
        assert cli == inbox == expected
    cur.close()
