"""ThemeService end to end on a real database: ingest classification, rules, learning, re-bucketing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from curator.errors import ConflictError, CuratorError, NotFoundError
from curator.services import Curator, open_curator
from curator.store.tables import (
    Edition,
    EditionItem,
    EditionSection,
    Feed,
    ModelBlob,
    Post,
    TrainingSignal,
)

pytestmark = pytest.mark.pg


def place_in_edition(cur: Curator, post_id: int, section: str, theme: str) -> None:
    """Put a post in edition #1 under a theme section, as the roundup editor would."""
    with cur.context.db.write() as s:
        edition = Edition(number=1, title="Roundup 1")
        s.add(edition)
        s.flush()
        row = EditionSection(edition_id=edition.id or 0, kind="theme", title=section, theme=theme)
        s.add(row)
        s.flush()
        s.add(EditionItem(edition_id=edition.id or 0, section_id=row.id or 0, post_id=post_id,
                          title="x", link="https://a.example/x"))


@pytest.fixture
def cur() -> Curator:
    c = open_curator()
    yield c
    c.close()


def add_feed(cur: Curator, url: str = "https://a.example/feed", hint: str | None = None) -> int:
    with cur.context.db.write() as s:
        feed = Feed(url=url, title="A blog", html_url="https://a.example/", theme_hint=hint)
        s.add(feed)
        s.flush()
        assert feed.id is not None
        return feed.id


def add_post(cur: Curator, feed_id: int, title: str, summary: str = "", tags: list[str] | None = None,
             link: str | None = None, published: datetime | None = None) -> int:
    with cur.context.db.write() as s:
        post = Post(feed_id=feed_id, title=title, summary=summary, tags=tags or [], link=link,
                    published=published or datetime(2014, 5, 1, tzinfo=UTC))
        s.add(post)
        s.flush()
        assert post.id is not None
        return post.id


def get(cur: Curator, post_id: int) -> Post:
    with cur.context.db.read() as s:
        post = s.get(Post, post_id)
        assert post is not None
        return post


def test_default_themes_seeded_in_roundup_order(cur: Curator) -> None:
    themes = cur.themes.list_themes()
    assert [t.slug for t in themes] == ["openness", "improvement", "tools", "other"]
    assert themes[0].name == "Openness and engagement" and themes[3].name == "...and"
    assert all(t.seeds and t.description for t in themes)
    assert len(cur.themes.list_themes()) == 4  # seeding happens once


def test_ingest_classification_stores_theme_confidence_source_why(cur: Curator) -> None:
    feed = add_feed(cur)
    pid = add_post(cur, feed, "Publishing open data about council spending",
                   "Transparency for residents", ["foi"])
    cur.themes.classify_posts([pid])
    post = get(cur, pid)
    assert (post.theme, post.theme_source) == ("openness", "model")
    assert post.theme_confidence is not None and 0 < post.theme_confidence <= 1
    assert post.theme_why and "open data" in post.theme_why and "tag: foi" in post.theme_why


def test_feed_hint_used_when_nothing_else_speaks(cur: Curator) -> None:
    feed = add_feed(cur, hint="tools")
    pid = add_post(cur, feed, "Zxqv blorp")
    cur.themes.classify_posts([pid])
    post = get(cur, pid)
    assert (post.theme, post.theme_source) == ("tools", "feed")


def test_a_correction_changes_the_next_similar_prediction(cur: Curator) -> None:
    feed = add_feed(cur)
    first = add_post(cur, feed, "Brampton huddle notes: Wendle bins and the Thursday rota",
                     "Our Brampton huddle talked about Wendle bins.")
    cur.themes.classify_posts([first])
    before = get(cur, first).theme
    target = "tools" if before != "tools" else "openness"
    info = cur.themes.set_post_theme(first, target)
    assert (info.theme, info.theme_source, info.confidence) == (target, "user", 1.0)
    second = add_post(cur, feed, "Brampton huddle notes: Wendle bins and the Friday rota",
                      "Our Brampton huddle talked about Wendle bins again.")
    cur.themes.classify_posts([second])
    assert get(cur, second).theme == target
    with cur.context.db.read() as s:
        signals = s.exec(select(TrainingSignal)).all()
        assert [(x.post_id, x.theme, x.source) for x in signals] == [(first, target, "user")]
        assert s.get(ModelBlob, "themes") is not None  # persisted


def test_rules_beat_the_model_and_dry_run_changes_nothing(cur: Curator) -> None:
    feed = add_feed(cur)
    ids = [add_post(cur, feed, f"Open data release number {i}", "transparency", ["weeknotes"])
           for i in range(3)]
    other = add_post(cur, feed, "Open data again", "transparency")
    cur.themes.classify_posts(ids + [other])
    assert {get(cur, i).theme for i in ids} == {"openness"}
    preview = cur.themes.add_rule("tag", "Weeknotes", "other", dry_run=True)
    assert (preview.dry_run, preview.matched, preview.moved, preview.would_change) == (True, 3, 3, 3)
    assert {s.post_id for s in preview.samples} == set(ids)
    assert cur.themes.list_rules() == [] and {get(cur, i).theme for i in ids} == {"openness"}
    outcome = cur.themes.add_rule("tag", "Weeknotes", "other")
    assert outcome.moved == 3 and outcome.rule.id > 0
    post = get(cur, ids[0])
    assert (post.theme, post.theme_source, post.theme_confidence) == ("other", "rule", 1.0)
    assert post.theme_why == f"rule #{outcome.rule.id}: tag 'Weeknotes'"
    assert get(cur, other).theme == "openness"
    new = add_post(cur, feed, "Open data stuff", "transparency", ["weeknotes"])
    cur.themes.classify_posts([new])
    assert get(cur, new).theme_source == "rule"  # rules apply at ingest too
    assert cur.themes.remove_rule(outcome.rule.id) >= 3
    assert get(cur, ids[0]).theme == "openness"


def test_rule_fields_scope_and_validation(cur: Curator) -> None:
    feed_a = add_feed(cur, "https://a.example/feed")
    feed_b = add_feed(cur, "https://b.example/feed")
    a = add_post(cur, feed_a, "A post about bins", link="https://news.example.org/x")
    b = add_post(cur, feed_b, "A post about bins", link="https://blog.news.example.org/y")
    cur.themes.classify_posts([a, b])
    assert cur.themes.add_rule("domain", "news.example.org", "tools", dry_run=True).matched == 2
    scoped = cur.themes.add_rule("phrase", "about bins", "improvement", feed="https://b.example/feed")
    assert scoped.matched == 1 and get(cur, b).theme == "improvement"
    assert cur.themes.list_rules()[0].feed_url == "https://b.example/feed"
    with pytest.raises(CuratorError, match="unknown rule field"):
        cur.themes.add_rule("colour", "x", "tools")
    with pytest.raises(NotFoundError, match="no theme"):
        cur.themes.add_rule("phrase", "x", "nope")
    with pytest.raises(NotFoundError, match="no feed"):
        cur.themes.add_rule("phrase", "x", "tools", feed="https://nowhere.example/")


def test_reclassify_never_touches_user_or_edition_posts(cur: Curator) -> None:
    feed = add_feed(cur)
    user = add_post(cur, feed, "Open data transparency", "open data")
    placed = add_post(cur, feed, "Open data transparency too", "open data")
    free = add_post(cur, feed, "Open data transparency three", "open data")
    cur.themes.classify_posts([user, placed, free])
    cur.themes.set_post_theme(user, "other")
    place_in_edition(cur, placed, "Cool tools", "tools")
    with cur.context.db.write() as s:
        post = s.get(Post, placed)
        assert post is not None
        post.theme, post.theme_source = "tools", "edition"
        s.add(post)
    cur.themes.record_training_signal(placed, "tools", source="edition")
    cur.themes.add_rule("phrase", "transparency", "improvement")
    assert cur.themes.reclassify(all=True, dry_run=True) == 0
    assert (get(cur, user).theme, get(cur, user).theme_source) == ("other", "user")
    assert (get(cur, placed).theme, get(cur, placed).theme_source) == ("tools", "edition")
    assert get(cur, free).theme == "improvement"
    stats = cur.themes.classifier_stats()
    assert (stats.n_edition, stats.n_user, stats.n_rule, stats.n_examples) == (1, 1, 1, 3)


def test_reclassify_since_and_default(cur: Curator) -> None:
    feed = add_feed(cur)
    old = add_post(cur, feed, "Open data", published=datetime(2010, 1, 1, tzinfo=UTC))
    new = add_post(cur, feed, "Open data", published=datetime(2015, 1, 1, tzinfo=UTC))
    assert cur.themes.reclassify() == 2  # the unclassified ones
    assert cur.themes.reclassify() == 0
    cur.themes.add_rule("phrase", "zzz never", "tools")
    with cur.context.db.write() as s:
        for pid in (old, new):
            post = s.get(Post, pid)
            assert post is not None
            post.theme = "tools"
            s.add(post)
    assert cur.themes.reclassify(since=datetime(2014, 1, 1, tzinfo=UTC)) == 1
    assert (get(cur, old).theme, get(cur, new).theme) == ("tools", "openness")


def test_theme_crud_and_remove_rebuckets(cur: Curator) -> None:
    feed = add_feed(cur)
    added = cur.themes.add_theme("events", "Events", "Fairs and meetups", ["zine fair", "meetup"])
    assert added.position == 4
    with pytest.raises(ConflictError):
        cur.themes.add_theme("events", "Again")
    with pytest.raises(CuratorError, match="bad theme slug"):
        cur.themes.add_theme("Bad Slug!", "x")
    edited = cur.themes.edit_theme("events", name="Events!", add_seeds=["craft market"],
                            remove_seeds=["meetup"])
    assert edited.name == "Events!" and edited.seeds == ["zine fair", "craft market"]
    order = cur.themes.reorder_themes(["events", "tools"])
    assert [t.slug for t in order] == ["events", "tools", "openness", "improvement", "other"]
    pid = add_post(cur, feed, "See you at the zine fair", "Bring a friend.")
    cur.themes.classify_posts([pid])
    assert get(cur, pid).theme == "events"
    cur.themes.set_post_theme(pid, "events")  # even a hand-placed post moves when its theme goes
    place_in_edition(cur, pid, "Events", "events")  # ... and one sitting in an edition
    assert cur.themes.remove_theme("events") == 1
    assert get(cur, pid).theme in {"openness", "improvement", "tools", "other"}
    assert get(cur, pid).theme_source != "user"
    assert "events" not in [t.slug for t in cur.themes.list_themes()]
    with pytest.raises(NotFoundError):
        cur.themes.remove_theme("events")


def test_retrain_reports_signals(cur: Curator) -> None:
    feed = add_feed(cur)
    ids = [add_post(cur, feed, title, summary) for title, summary in [
        ("Open data day", "transparency"), ("Agile lessons", "service design"),
        ("Twitter tips", "how to"), ("Leaving do", "new job")]]
    for pid, slug in zip(ids, ["openness", "improvement", "tools", "other"], strict=True):
        cur.themes.record_training_signal(pid, slug)
    assert (get(cur, ids[2]).theme, get(cur, ids[2]).theme_source) == ("tools", "edition")
    info = cur.themes.retrain()
    assert (info.n_examples, info.n_edition, info.n_user) == (4, 4, 0)
    assert "linear" in info.model and info.trained_at is not None
    with pytest.raises(NotFoundError):
        cur.themes.record_training_signal(9999, "tools")
    with pytest.raises(NotFoundError):
        cur.themes.set_post_theme(ids[0], "nope")


def test_stored_model_is_reused_by_a_new_process(cur: Curator, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = add_feed(cur)
    ids = [add_post(cur, feed, t) for t in ("Open data day", "Agile lessons", "Twitter tips")]
    for pid, slug in zip(ids, ["openness", "improvement", "tools"], strict=True):
        cur.themes.record_training_signal(pid, slug)
    cur.themes.retrain()
    from curator.classify.model import ThemeClassifier

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("retrained although the stored model is current")

    monkeypatch.setattr(ThemeClassifier, "fit", classmethod(refuse))
    other = open_curator()
    try:
        assert other.themes.classifier().linear is not None
        new = add_post(other, feed, "More open data")
        other.themes.classify_posts([new])
        assert get(other, new).theme == "openness"
    finally:
        other.close()


def test_low_confidence_posts_come_first(cur: Curator) -> None:
    feed = add_feed(cur)
    vague = add_post(cur, feed, "Zxqv blorp")
    clear = add_post(cur, feed, "Open data and transparency for residents", "open data, foi")
    cur.themes.classify_posts([vague, clear])
    assert get(cur, vague).theme_confidence < 0.5 < get(cur, clear).theme_confidence
    assert [p.id for p in cur.themes.low_confidence()] == [vague]
    cur.themes.set_post_theme(vague, "tools")  # a decision: no longer doubtful
    assert cur.themes.low_confidence() == []
