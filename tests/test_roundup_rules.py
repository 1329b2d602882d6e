"""Pure rules: windows, dates, ordering, section references and blurb styles."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator.errors import CuratorError, NotFoundError
from curator.roundup.blurbs import BlurbInput, first_name, parse_custom, section_blurbs, who
from curator.roundup.casing import in_sentence
from curator.roundup.edition_rules import (
    default_sections,
    default_window,
    find_by_ref,
    moved,
    next_number,
    parse_when,
)

pytestmark = pytest.mark.pg

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)


def test_default_window() -> None:
    assert default_window(NOW, None) == (NOW - timedelta(days=30), None)
    last = datetime(2026, 3, 15, tzinfo=UTC)
    assert default_window(NOW, last) == (last, None)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert default_window(NOW, last, since) == (since, None)
    with pytest.raises(CuratorError, match="before it starts"):
        default_window(NOW, last, None, datetime(2026, 3, 1, tzinfo=UTC))


def test_parse_when() -> None:
    assert parse_when("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    end = parse_when("2026-03-01", end_of_day=True)
    assert end is not None and end.date().isoformat() == "2026-03-01" and end.hour == 23
    assert parse_when("2026-03-01T10:00:00+02:00") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert parse_when("2026-03-01T10:00Z") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_when(None) is None
    with pytest.raises(CuratorError):
        parse_when("yesterday")


def test_numbering_and_default_sections() -> None:
    assert next_number([]) == 1 and next_number([1, 2, 5]) == 6
    specs = default_sections([("openness", "Openness and engagement"), ("tools", "Cool tools")])
    assert [(s.kind, s.title) for s in specs] == [
        ("text", "The big news"), ("text", "Other cool events"), ("text", "Can you help"),
        ("blogs", "From the blogs!"), ("theme", "Openness and engagement"),
        ("theme", "Cool tools"), ("text", "A personal note")]


@given(st.lists(st.integers(0, 50), unique=True, min_size=1), st.data())
def test_moved_is_a_permutation_with_the_item_in_place(order: list[int], data) -> None:  # type: ignore[no-untyped-def]
    ident = data.draw(st.sampled_from(order))
    position = data.draw(st.integers(-60, 60))
    result = moved(order, ident, position)
    assert sorted(result) == sorted(order)
    if 0 <= position < len(order):
        assert result.index(ident) == position
    assert [x for x in result if x != ident] == [x for x in order if x != ident]


def test_find_by_ref() -> None:
    rows = [(1, "the-big-news", "The big news"), (7, "openness", "Openness and engagement")]
    assert find_by_ref("openness", rows) == 7
    assert find_by_ref("The Big News", rows) == 1
    assert find_by_ref(7, rows) == 7
    assert find_by_ref("openness and engagement", rows) == 7
    with pytest.raises(NotFoundError, match="sections: the-big-news, openness"):
        find_by_ref("tools", rows)


def test_who_falls_back_from_opml_to_author_to_blog_title() -> None:
    assert who("Tanya Ashworth", "Preston Council", None, None, "admin", "Blog") == (
        "Tanya Ashworth", "Preston Council")
    assert who(None, None, None, None, "Carl Haggerty", "Devon Digital") == ("Carl Haggerty",
                                                                             None)
    assert who(None, "Org", None, None, "  ", "Devon Digital") == ("Devon Digital", "Org")
    assert who(None, None, None, None, None, None) == (None, None)
    assert who(None, None, "Post Person", "Post Org", "x", "y") == ("Post Person", "Post Org")


def _keyed(*items: BlurbInput) -> list[BlurbInput]:
    """Items with ids 1, 2, 3, … as picked: the id chooses each one's style."""
    return [replace(item, key=index) for index, item in enumerate(items, 1)]


def test_section_blurbs_styles_and_repeated_people() -> None:
    items = _keyed(BlurbInput("Vote like an Egyptian!", "Tanya Ashworth", "Preston Council"),
                   BlurbInput("micro-participation", "Dave Briggs", None),
                   BlurbInput("Open data", "Ann Smith", None),
                   BlurbInput("More on micro-participation", "Dave Briggs", None),
                   BlurbInput("And more", "Dave Briggs", None),
                   BlurbInput("Anonymous", None, None))
    texts = [b.text for b in section_blurbs(items)]
    assert texts == ["Vote like an Egyptian! from Tanya Ashworth of Preston Council",
                     "Dave Briggs writes about micro-participation",
                     "Ann Smith blogs on open data",
                     "Dave also blogs on more on micro-participation",
                     "Dave also writes about and more",
                     "Anonymous"]
    blurbs = section_blurbs(items)
    assert blurbs[1].before == "Dave Briggs writes about "
    assert blurbs[1].link_text == "micro-participation"
    assert first_name("The Weeknotes Collective") == "The Weeknotes Collective"


def test_moving_an_item_leaves_the_others_wording_alone() -> None:
    items = _keyed(BlurbInput("One", "Priya Natarajan", None), BlurbInput("Two", "Sam Okafor", None),
                   BlurbInput("Three", "Gareth Pryce", None), BlurbInput("Four", "Jo Bell", None))
    before = {b.text for b in section_blurbs(items)}
    for order in ([3, 2, 1, 0], [1, 0, 3, 2], [2, 0, 1, 3]):
        assert {b.text for b in section_blurbs([items[i] for i in order])} == before


def test_first_names_for_a_second_post_anywhere_in_the_edition() -> None:
    assert first_name("Ann Smith-Jones") == "Ann"
    assert first_name("Cllr Jo de Souza") == "Jo"
    assert first_name("Siân O'Neill") == "Siân"
    assert first_name("J. Smith") == "J. Smith"
    assert first_name("Weekly Blog Club") == "Weekly Blog Club"
    assert first_name("Digital Leaders") == "Digital Leaders"
    seen: dict[str, int] = {}
    section_blurbs(_keyed(BlurbInput("A first post", "Ann Smith-Jones", None)), seen)
    later = section_blurbs([BlurbInput("Another post", "Ann Smith-Jones", None, key=2)], seen)
    assert later[0].text == "Ann also blogs on another post"


def test_titles_read_as_part_of_the_sentence() -> None:
    summary = "How the team ran the consultation in Reading, and what Reading residents said."
    items = _keyed(BlurbInput("Open Data Can Work for Councils Too!", "Stuart Harrison", None),
                   BlurbInput("How We Ran A Consultation", "Ann Smith", None, context=summary),
                   BlurbInput("Reading Borough Council goes open", "Jo Bell", None),
                   BlurbInput("NHS Digital and the API", "Sam Okafor", None),
                   BlurbInput("Why I love LocalGovCamp", "Priya Natarajan", None))
    texts = [b.text for b in section_blurbs(items)]
    assert texts == [
        "Open data can work for councils too! from Stuart Harrison",  # opens the blurb
        "Ann Smith writes about how we ran a consultation",
        "Jo Bell blogs on Reading Borough Council goes open",  # a name keeps its capitals
        "NHS Digital and the API from Sam Okafor",  # an acronym opens the blurb as it is
        "Priya Natarajan writes about why I love LocalGovCamp",
    ]
    # the post's own text decides a word the list cannot: "Reading" is only ever a place there
    assert in_sentence("Reading residents speak up", summary) == "Reading residents speak up"
    assert in_sentence("Reading list for the week", "my reading list") == "reading list for the week"


def test_aggregator_posts_are_credited_to_their_author() -> None:
    assert who(None, "Weekly Blog Club", None, None, "Carl Haggerty", "Weekly Blog Club aggregator",
               multi_author=True) == ("Carl Haggerty", None)
    # without an author the aggregator is named once, not "… aggregator of Weekly Blog Club"
    person, org = who(None, "Weekly Blog Club", None, None, None, "Weekly Blog Club aggregator",
                      multi_author=True)
    blurb = section_blurbs([BlurbInput("A post", person, org, key=2)])[0]
    assert blurb.text == "Weekly Blog Club aggregator writes about a post"


def test_editing_one_blurb_leaves_the_others_wording_alone() -> None:
    items = _keyed(BlurbInput("Vote like an Egyptian!", "Tanya Ashworth", "Preston Council"),
                   BlurbInput("micro-participation", "Dave Briggs", None),
                   BlurbInput("Open data", "Ann Smith", None),
                   BlurbInput("More on micro-participation", "Dave Briggs", None))
    before = [b.text for b in section_blurbs(items)]
    for index in range(len(items)):
        edited = list(items)
        edited[index] = replace(items[index], custom="My own words on [it]")
        after = [b.text for b in section_blurbs(edited)]
        assert after[index] == "My own words on it"
        # other people's blurbs keep their words; the same person's later post names them in
        # full when the edited blurb no longer does
        others = [i for i, item in enumerate(items) if item.person != items[index].person]
        assert [after[i] for i in others] == [before[i] for i in others]
    edited = list(items)
    edited[1] = replace(items[1], custom="{person} on [it]")
    assert section_blurbs(edited)[3].text == "Dave also blogs on more on micro-participation"
    edited[1] = replace(items[1], custom="Someone on [it]")
    assert section_blurbs(edited)[3].text == ("More on micro-participation from Dave Briggs")


def test_custom_blurbs_mark_their_link() -> None:
    item = BlurbInput("A map of APIs", "Leigh Dodds", "ODI")
    b = parse_custom("A handy [map] from {person}", item)
    assert (b.before, b.link_text, b.after) == ("A handy ", "map", " from Leigh Dodds")
    b = parse_custom("{person} of {org} maps it: {title}!", item)
    assert (b.before, b.link_text, b.after) == ("Leigh Dodds of ODI maps it: ", "A map of APIs",
                                                "!")
    b = parse_custom("Just read it\x1b[31m", item)
    assert (b.before, b.link_text, b.after) == ("", "Just read it[31m", "")


def test_styles_vary_and_keep_the_organisation() -> None:
    items = _keyed(BlurbInput("One", "Priya Natarajan", "Calderbrook Council"),
                   BlurbInput("Two", "Sam Okafor", "Riverside Libraries"),
                   BlurbInput("Three", "Gareth Pryce", "Valleys Data"),
                   BlurbInput("Four", "Weeknotes Collective", None))
    assert [b.text for b in section_blurbs(items)] == [
        "One from Priya Natarajan of Calderbrook Council",
        "Sam Okafor of Riverside Libraries writes about two",
        "Gareth Pryce of Valleys Data blogs on three",
        "Four from Weeknotes Collective"]


def test_a_name_cannot_inject_the_link_marker() -> None:
    item = BlurbInput("T", "[Mallory]", None)
    b = parse_custom("Read {person} on [this]", item)
    assert (b.before, b.link_text, b.after) == ("Read [Mallory] on ", "this", "")


def test_words_with_a_doubled_consonant_before_their_ending_are_ordinary() -> None:
    assert in_sentence("Mapping the outpatient letter journey") == \
        "mapping the outpatient letter journey"
    assert in_sentence("Planning our budget") == "planning our budget"
