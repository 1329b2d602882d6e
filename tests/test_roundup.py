"""Editions end to end through the facade: windows, publishing, memory, items and sections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from roundup_helpers import add_feed, add_post, make_curator
from sqlmodel import select

from curator.errors import ConflictError, CuratorError, NotFoundError
from curator.services import Curator
from curator.store.tables import Edition, Post, TrainingSignal

pytestmark = pytest.mark.pg


def _setup() -> tuple[Curator, list[int]]:
    cur = make_curator()
    tanya = add_feed(cur, "https://preston.example/feed", person="Tanya Ashworth",
                     org="Preston Council")
    dave = add_feed(cur, "https://dave.example/feed", person="Dave Briggs")
    posts = [
        add_post(cur, tanya, "Vote like an Egyptian!", "https://preston.example/vote",
                 theme="openness"),
        add_post(cur, dave, "micro-participation", "https://dave.example/micro",
                 theme="improvement"),
        add_post(cur, dave, "No theme yet", "https://dave.example/none"),
    ]
    return cur, posts


def test_window_defaults_to_thirty_days_then_since_last_publication() -> None:
    cur, posts = _setup()
    before = datetime.now(UTC)
    first = cur.roundup.new_edition()
    assert first.number == 1 and first.status == "draft" and first.title == "Roundup #1"
    assert first.window_start is not None
    assert abs((before - first.window_start) - timedelta(days=30)) < timedelta(minutes=1)
    with pytest.raises(ConflictError, match="still a draft"):
        cur.roundup.new_edition()
    cur.roundup.pick(posts[:1])
    published = cur.roundup.publish(check=False).info
    assert published.status == "published" and published.published_at is not None
    assert published.window_end == published.published_at
    second = cur.roundup.new_edition(title="Next")
    assert second.number == 2 and second.title == "Next"
    assert second.window_start == published.window_end
    assert [e.number for e in cur.roundup.list_editions()] == [1, 2]
    assert cur.roundup.draft_edition() == second


def test_explicit_window_and_bad_dates() -> None:
    cur, _posts = _setup()
    info = cur.roundup.new_edition(since="2026-03-01", until="2026-03-31")
    assert info.window_start == datetime(2026, 3, 1, tzinfo=UTC)
    assert info.window_end is not None and info.window_end.date().isoformat() == "2026-03-31"
    cur2 = make_curator()
    with pytest.raises(CuratorError, match="not a date"):
        cur2.roundup.new_edition(since="last tuesday")


def test_publish_needs_items_and_a_draft() -> None:
    cur, _posts = _setup()
    with pytest.raises(NotFoundError):
        cur.roundup.publish(check=False)
    cur.roundup.new_edition()
    with pytest.raises(CuratorError, match="no items"):
        cur.roundup.publish(check=False)


def test_memory_across_two_editions() -> None:
    cur, posts = _setup()
    other_feed = add_feed(cur, "https://aggregator.example/feed", title="Aggregator")
    syndicated = add_post(cur, other_feed, "Vote like an Egyptian! (repost)",
                          "https://preston.example/vote", theme="openness")
    cur.roundup.new_edition()
    assert {p.id for p in cur.roundup.candidates()} >= set(posts) | {syndicated}
    cur.roundup.pick([posts[0]])
    assert [p.picked for p in cur.roundup.candidates() if p.id == posts[0]] == [True]
    cur.roundup.publish(check=False)
    assert cur.roundup.featured_in([posts[0], syndicated, posts[1]]) == {posts[0]: 1, syndicated: 1}

    cur.roundup.new_edition()
    candidate_ids = {p.id for p in cur.roundup.candidates()}
    assert posts[0] not in candidate_ids and syndicated not in candidate_ids
    with pytest.raises(ConflictError, match="already featured in edition #1"):
        cur.roundup.pick([posts[0]])
    with pytest.raises(ConflictError, match="already featured in edition #1"):
        cur.roundup.pick([syndicated])  # same canonical link from another feed
    with pytest.raises(ConflictError, match="already featured"):
        cur.roundup.add_link("Vote", "https://preston.example/vote#comments")
    # a refused pick changes nothing, even for the other posts in the same call
    with pytest.raises(ConflictError):
        cur.roundup.pick([posts[1], posts[0]])
    assert cur.roundup.get_edition().items == []
    # forced: featured again, and flagged so it is never silent
    cur.roundup.pick([syndicated], force=True)
    items = cur.roundup.get_edition().items
    assert [i.featured_in for i in items] == [1]


def test_pick_places_by_theme_and_records_training_signals() -> None:
    cur, posts = _setup()
    cur.roundup.new_edition()
    ids = cur.roundup.pick(posts)
    view = cur.roundup.get_edition()
    where = {i.post_id: s.key for s in view.sections for i in s.items}
    assert where == {posts[0]: "openness", posts[1]: "improvement", posts[2]: "other"}
    assert cur.roundup.pick([posts[0]]) == []  # already in the draft: left alone
    cur.roundup.move_item(ids[0], section="tools")
    with cur.context.db.read() as session:
        signals = session.exec(select(TrainingSignal.post_id, TrainingSignal.theme,
                                      TrainingSignal.source)).all()
    assert (posts[0], "tools", "edition") in signals
    assert (posts[0], "openness", "edition") in signals
    assert all(source == "edition" for _p, _t, source in signals)
    with pytest.raises(NotFoundError):
        cur.roundup.pick([9999])
    cur.roundup.move_item(ids[1], section="the-big-news")  # any section, not only themes
    assert [i.post_id for i in cur.roundup.get_edition().sections[0].items] == [posts[1]]


def test_ordering_blurbs_notes_and_unpick() -> None:
    cur, posts = _setup()
    cur.roundup.new_edition()
    a, b, c = cur.roundup.pick(posts, section="openness")
    order = lambda: [i.id for i in cur.roundup.get_edition().sections[4].items]  # noqa: E731
    assert cur.roundup.get_edition().sections[4].key == "openness"
    assert order() == [a, b, c]
    cur.roundup.move_item_by(c, -1)
    assert order() == [a, c, b]
    cur.roundup.move_item_by(a, -5)
    assert order() == [a, c, b]
    cur.roundup.move_item(a, position=-1)
    assert order() == [c, b, a]
    cur.roundup.set_blurb(b, "Read [Dave's piece] now")
    cur.roundup.set_note(b, "it is short")
    item = next(i for i in cur.roundup.get_edition().items if i.id == b)
    assert item.blurb == "Read Dave's piece now" and item.blurb_parts.link_text == "Dave's piece"
    assert item.note == "it is short"
    cur.roundup.set_blurb(b, None)
    item = next(i for i in cur.roundup.get_edition().items if i.id == b)
    assert item.custom_blurb is None and "micro-participation" in item.blurb
    cur.roundup.edit_item(a, person="Tanya A.", org="")
    assert cur.roundup.unpick(item_ids=[c]) == 1
    assert cur.roundup.unpick(post_ids=[posts[1]]) == 1
    assert order() == [a]
    assert cur.roundup.get_edition().sections[4].items[0].position == 0
    with pytest.raises(NotFoundError):
        cur.roundup.unpick(item_ids=[c])


def test_sections_add_rename_remove_reorder_and_text() -> None:
    cur, posts = _setup()
    cur.roundup.new_edition()
    keys = lambda: [s.key for s in cur.roundup.get_edition().sections]  # noqa: E731
    assert keys() == ["the-big-news", "other-cool-events", "can-you-help", "blogs", "openness",
                      "improvement", "tools", "other", "a-personal-note"]
    levels = {s.key: s.level for s in cur.roundup.get_edition().sections}
    assert levels["openness"] == 2 and levels["blogs"] == 1 and levels["can-you-help"] == 1
    cur.roundup.add_section("Jobs", body="We are  hiring\n\n\n\nnow")
    assert keys()[-2:] == ["jobs", "a-personal-note"]
    assert cur.roundup.get_edition().sections[-2].body == "We are hiring\n\nnow"
    cur.roundup.reorder_section("jobs", 0)
    cur.roundup.rename_section("Jobs", "Vacancies")
    assert keys()[0] == "vacancies"
    cur.roundup.set_section_body("vacancies", "Two roles")
    cur.roundup.pick([posts[0]], section="vacancies")
    with pytest.raises(ConflictError, match="holds 1 item"):
        cur.roundup.remove_section("vacancies")
    cur.roundup.remove_section("vacancies", force=True)
    assert "vacancies" not in keys()
    assert [s.position for s in cur.roundup.get_edition().sections] == list(range(9))
    with pytest.raises(NotFoundError, match="no section"):
        cur.roundup.rename_section("nope", "x")


def test_published_editions_are_read_only_and_exportable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cur, posts = _setup()
    cur.roundup.new_edition(title="First")
    (item,) = cur.roundup.pick(posts[:1])
    cur.roundup.publish(check=False)
    with pytest.raises(ConflictError, match="published"):
        cur.roundup.set_note(item, "late")
    with pytest.raises(NotFoundError):
        cur.roundup.add_section("x")
    out = cur.roundup.export_edition_to("md", tmp_path / "out" / "first.md", number=1)
    assert out.read_text(encoding="utf-8").startswith("# First")
    with pytest.raises(NotFoundError, match="no edition #7"):
        cur.roundup.export_edition("md", number=7)
    with pytest.raises(CuratorError, match="unknown format"):
        cur.roundup.export_edition("pdf")
    with cur.context.db.read() as session:
        assert session.exec(select(Edition)).one().status == "published"


def test_user_templates_override_the_bundled_ones() -> None:
    cur, posts = _setup()
    cur.roundup.new_edition(title="T <1>")
    cur.roundup.pick(posts[:1])
    folder = cur.locations.templates_dir
    folder.mkdir(parents=True)
    (folder / "edition.md.j2").write_text(
        "{% for s in sections %}{% for i in s.items %}* {{ i|blurb }} / {{ edition.title }}\n"
        "{% endfor %}{% endfor %}", encoding="utf-8")
    (folder / "fragment.html.j2").write_text("<p>{{ edition.title }}</p>", encoding="utf-8")
    md = cur.roundup.export_edition("md")
    assert md == ("* [Vote like an Egyptian!](https://preston.example/vote) from Tanya Ashworth "
                  "of Preston Council / T \\<1\\>\n")
    page = cur.roundup.export_edition("html")  # the bundled page includes the user's fragment
    assert "<p>T &lt;1&gt;</p>" in page and page.startswith("<!DOCTYPE html>")
    (folder / "edition.txt.j2").write_text("{{ nope }}", encoding="utf-8")
    with pytest.raises(CuratorError, match="edition.txt.j2"):
        cur.roundup.export_edition("txt")


def test_same_link_never_twice_in_one_draft() -> None:
    cur, posts = _setup()
    mirror = add_feed(cur, "https://mirror.example/feed", title="Mirror")
    copy = add_post(cur, mirror, "Vote (mirror)", "https://preston.example/vote",
                    theme="openness")
    cur.roundup.new_edition()
    with pytest.raises(ConflictError, match="already in this draft"):
        cur.roundup.pick([posts[0], copy])
    assert cur.roundup.get_edition().items == []
    cur.roundup.pick([posts[0]])
    with pytest.raises(ConflictError, match="already in this draft"):
        cur.roundup.pick([copy])
    with pytest.raises(ConflictError, match="already in this draft"):
        cur.roundup.add_link("Vote", "https://preston.example/vote")
    cur.roundup.pick([copy], force=True)
    assert len(cur.roundup.get_edition().items) == 2


def test_a_theme_newer_than_the_draft_gets_its_sub_section() -> None:
    from curator.store.tables import Theme

    cur, posts = _setup()
    cur.roundup.new_edition()
    with cur.context.db.write() as session:
        if not session.exec(select(Theme)).first():
            for index, (slug, name) in enumerate([("openness", "Openness and engagement"),
                                                  ("improvement", "Improvement and innovation"),
                                                  ("tools", "Cool tools"), ("other", "...and")]):
                session.add(Theme(slug=slug, name=name, position=index))
        session.add(Theme(slug="events", name="Events", position=99))
    feed = add_feed(cur, "https://events.example/feed", person="Eve Vents")
    post = add_post(cur, feed, "A meetup", "https://events.example/meetup", theme="events")
    cur.roundup.pick([post])
    keys = [s.key for s in cur.roundup.get_edition().sections]
    assert keys[keys.index("other") + 1] == "events"
    assert keys[-1] == "a-personal-note"
    events = next(s for s in cur.roundup.get_edition().sections if s.key == "events")
    assert events.level == 2 and [i.post_id for i in events.items] == [post]


def test_sections_follow_the_theme_service_and_a_pick_records_its_signal() -> None:
    from curator.paths import Locations

    cur = Curator(Locations.resolve())
    cur.themes.reorder_themes(["tools", "openness"])
    feed = add_feed(cur, "https://x.example/feed", person="Jo Bloggs")
    post = add_post(cur, feed, "A tool", "https://x.example/tool", theme="tools")
    cur.roundup.new_edition()
    keys = [s.key for s in cur.roundup.get_edition().sections]
    assert keys[keys.index("blogs") + 1:keys.index("blogs") + 3] == ["tools", "openness"]
    cur.roundup.pick([post])
    with cur.context.db.read() as session:  # recorded in the pick's own transaction
        signals = session.exec(select(TrainingSignal)).all()
    assert [(s.post_id, s.theme, s.source) for s in signals] == [(post, "tools", "edition")]


def test_picking_credits_an_aggregators_author_and_keeps_the_posts_reason() -> None:
    cur = make_curator()
    club = add_feed(cur, "https://club.example/feed", title="Weekly Blog Club aggregator",
                    org="Weekly Blog Club")
    first = add_post(cur, club, "Open data in Norfolk", "https://a.example/1", theme="openness",
                     author="Carl Haggerty")
    add_post(cur, club, "Another member's post", "https://b.example/2", theme="openness",
             author="Ann Smith-Jones")
    with cur.context.db.write() as session:
        post = session.get(Post, first)
        assert post is not None
        post.theme_source, post.theme_why = "rule", "rule #3: phrase 'open data'"
        session.add(post)
    cur.roundup.new_edition(since="2020-01-01")
    cur.roundup.pick([first])
    item = cur.roundup.get_edition().items[0]
    assert (item.person, item.org) == ("Carl Haggerty", None)
    assert "aggregator" not in item.blurb and "Carl Haggerty" in item.blurb
    why = cur.posts.get_post(first).why
    assert why == "placed in an edition; before that, rule #3: phrase 'open data'"
