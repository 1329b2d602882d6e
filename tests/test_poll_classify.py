"""New posts are classified by the poll's parse workers, exactly as the theme service would do it."""

from __future__ import annotations

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator
from sqlmodel import select

from curator.poll.pipeline import PROCESS_THRESHOLD, FeedTask, parse_and_classify
from curator.store.tables import Post

pytestmark = pytest.mark.pg

TOPICS = ["Open data release for {i}", "Freedom of information request {i}",
          "Our new prototype service {i}", "A spreadsheet tool we love {i}",
          "Weeknotes and the team {i}", "Consultation with residents {i}"]


def _items(feed: int, n: int = 4) -> list[tuple[str, str, str]]:
    return [(f"f{feed}-{i}", TOPICS[(feed + i) % len(TOPICS)].format(i=i),
             f"http://b{feed}.example/p/{i}") for i in range(n)]


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with FeedServer() as srv:
        yield srv


def _themes(cur):  # type: ignore[no-untyped-def]
    with cur.context.db.read() as s:
        return {p.id: (p.theme, p.theme_source, p.theme_why) for p in s.exec(select(Post)).all()}


@pytest.mark.parametrize("feeds", [3, PROCESS_THRESHOLD + 2], ids=["thread", "processes"])
def test_workers_classify_like_the_service(tmp_path, server, feeds, monkeypatch) -> None:
    urls = [server.route(f"/f{i}", Reply(body=rss(_items(i)))) for i in range(feeds)]
    cur = make_curator(tmp_path, urls)
    cur.themes.ensure_themes()
    rule = cur.themes.add_rule("phrase", "freedom of information", "openness")
    assert rule is not None

    def not_needed(self, post_ids):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{len(post_ids)} posts were left for classifying after storing")

    monkeypatch.setattr(type(cur.themes), "classify_posts", not_needed)
    summary = cur.polls.poll()
    assert summary.new_posts == feeds * 4
    stored = _themes(cur)
    assert all(theme for theme, _source, _why in stored.values())
    ruled = [v for v in stored.values() if v[1] == "rule"]
    assert ruled and all(theme == "openness" and "freedom of information" in why
                         for theme, _s, why in ruled)
    # the service, asked to classify every post again, changes nothing
    assert cur.themes.reclassify(all=True, dry_run=True) == 0


def test_parse_and_classify_without_a_model_leaves_entries_unthemed() -> None:
    body = rss(_items(1, 2))
    outcome, guesses = parse_and_classify(body, {"content-type": "application/rss+xml"},
                                          "http://b1.example/feed", FeedTask(1, "x").facts())
    assert outcome.feed is not None and len(outcome.feed.entries) == 2
    assert guesses is None


def test_a_broken_body_gives_an_error_and_no_guesses(tmp_path) -> None:
    cur = make_curator(tmp_path, [])
    snapshot = cur.themes.theme_snapshot()
    outcome, guesses = parse_and_classify(b"<html><body>login</body></html>", {},
                                          "http://x.example/", FeedTask(1, "x").facts(), snapshot)
    assert outcome.feed is None and outcome.error and guesses is None
    outcome, guesses = parse_and_classify(rss(_items(2, 3)), {}, "http://x.example/",
                                          FeedTask(1, "x").facts(), snapshot)
    assert guesses is not None and len(guesses) == 3
    assert {g.source for g in guesses} <= {"model", "feed"}
