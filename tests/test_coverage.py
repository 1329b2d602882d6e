"""`curator coverage` and the inbox's `unfeatured:N`: a community with featured, never featured,
quiet, broken and new blogs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from roundup_helpers import add_feed, add_post, make_curator

from curator.cli import main
from curator.services import Curator
from curator.store.tables import Feed
from curator.tui.filters import parse_filter

NOW = datetime.now(UTC)


def _feed_state(cur: Curator, feed_id: int, **values: object) -> None:
    with cur.context.db.write() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        for key, value in values.items():
            setattr(feed, key, value)
        session.add(feed)


@pytest.mark.pg
def test_coverage_of_a_community() -> None:
    cur = make_curator()
    old = NOW - timedelta(days=200)
    dave = add_feed(cur, "https://dave.example/feed", person="Dave Briggs")
    dave2 = add_feed(cur, "https://dave-work.example/feed", person="Dave Briggs", org="Council")
    ann = add_feed(cur, "https://ann.example/feed", person="Ann Smith")
    quiet = add_feed(cur, "https://quiet.example/feed", title="The Quiet Blog")
    broken = add_feed(cur, "https://broken.example/feed", person="Bo Ken")
    new = add_feed(cur, "https://new.example/feed", person="Nia New")
    for feed_id in (dave, dave2, ann, quiet, broken):
        _feed_state(cur, feed_id, created_at=old, status="ok", last_success_at=NOW)
    _feed_state(cur, broken, status="error", error_count=5, last_error="HTTP 404")
    first = add_post(cur, dave, "Micro-participation", "https://dave.example/1",
                     published=NOW - timedelta(days=40), theme="openness")
    add_post(cur, dave2, "Work post", "https://dave-work.example/1",
             published=NOW - timedelta(days=3))
    add_post(cur, ann, "Open data", "https://ann.example/1", published=NOW - timedelta(days=5))
    add_post(cur, ann, "More open data", "https://ann.example/2",
             published=NOW - timedelta(days=4))
    add_post(cur, quiet, "Long ago", "https://quiet.example/1", published=old)
    add_post(cur, new, "Hello world", "https://new.example/1", published=NOW - timedelta(days=1))
    cur.roundup.new_edition(since=NOW - timedelta(days=60), until=NOW - timedelta(days=30))
    cur.roundup.pick([first])
    cur.roundup.publish(check=False)
    rows = {r.feed_url: r for r in cur.coverage.report().rows}
    assert rows["https://dave-work.example/feed"].last_featured_edition == 1  # the member's
    assert rows["https://dave.example/feed"].posts == 1
    assert (rows["https://ann.example/feed"].posts, rows["https://ann.example/feed"].status,
            rows["https://ann.example/feed"].never_featured) == (2, "active", True)
    assert rows["https://quiet.example/feed"].status == "quiet"
    assert rows["https://quiet.example/feed"].person == "The Quiet Blog"
    assert rows["https://broken.example/feed"].status == "broken"
    assert "HTTP 404" in rows["https://broken.example/feed"].note
    assert rows["https://new.example/feed"].status == "new"
    order = [r.person for r in cur.coverage.report().rows]
    # posted lately and never featured first; those with no posts in the window last
    assert order.index("Ann Smith") < order.index("Dave Briggs") < order.index("The Quiet Blog")
    assert cur.coverage.report(quiet_days=3).rows and \
        {r.status for r in cur.coverage.report(quiet_days=2).rows
         if r.person == "Ann Smith"} == {"quiet"}
    # the inbox's filter: blogs none of the last editions featured
    query = parse_filter("unfeatured:1 anytime")
    assert query.unfeatured_in == 1 and not query.problems
    titles = {p.title for p in cur.posts.list_posts(**query.kwargs())}
    assert "Micro-participation" not in titles and "Open data" in titles
    assert "Work post" in titles  # another of Dave's blogs: not featured itself
    assert parse_filter("unfeatured:x").problems
    cur.close()

    runner = CliRunner()
    result = runner.invoke(main, ["coverage", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"person", "feed_url", "posts", "last_post", "last_featured_edition",
            "status"} <= set(data[0])
    result = runner.invoke(main, ["coverage", "--status", "broken", "--status", "quiet"])
    assert result.exit_code == 0 and "Bo Ken" in result.stdout and "Ann Smith" not in \
        result.stdout
    assert "members never featured" in result.stderr
    result = runner.invoke(main, ["coverage", "--never-featured", "--since", "30d"])
    assert "Dave Briggs" not in result.stdout and "Nia New" in result.stdout
    result = runner.invoke(main, ["posts", "list", "--unfeatured", "1", "--json"])
    assert "Micro-participation" not in result.stdout and "Open data" in result.stdout
    assert runner.invoke(main, ["coverage", "--since", "yesterdayish"]).exit_code == 1
