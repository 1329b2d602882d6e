"""The inbox filter language (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from curator.tui.filters import parse_filter

pytestmark = pytest.mark.pg

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_words_and_tokens_are_separated() -> None:
    query = parse_filter("council tax theme:Tools unread picked since:7d person:priya", NOW)
    assert query.search == "council tax priya"
    assert query.theme == "tools" and query.unread_only and query.picked is True
    assert query.since == NOW - timedelta(days=7)
    assert query.kwargs() == {"search": "council tax priya", "theme": "tools",
                              "since": NOW - timedelta(days=7), "picked": True,
                              "unread_only": True}


def test_bad_dates_are_reported_not_raised_and_quotes_may_be_open() -> None:
    query = parse_filter('since:yesterday "open quote', NOW)
    assert query.since is None and query.problems
    assert query.search == '"open quote'
    # until a day includes that day, as `posts list --until` and an edition's window do
    assert parse_filter("until:2026-01-31").until == datetime(2026, 2, 1, tzinfo=UTC) - \
        timedelta(microseconds=1)


def test_unknown_keys_are_just_search_words() -> None:
    query = parse_filter("items[0] [bold]x[/bold] colour:red unpicked hidden")
    assert query.search == "items[0] [bold]x[/bold] colour:red"
    assert query.picked is False and query.include_hidden
