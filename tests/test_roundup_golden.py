"""An edition shaped like the real roundup, rendered to md, html and txt, against golden files.

Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change (then read the
diff before committing it).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from roundup_helpers import add_feed, add_post, make_curator

from curator.services import Curator

GOLDEN = Path(__file__).parent / "golden"
MARCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def build_real_edition(cur: Curator) -> None:
    preston = add_feed(cur, "https://preston.example/feed", person="Tanya Ashworth",
                       org="Preston Council")
    dave = add_feed(cur, "https://davebriggs.example/feed", person="Dave Briggs")
    sarah = add_feed(cur, "https://sarahlay.example/feed", person="Sarah Lay",
                     org="Derbyshire County Council")
    devon = add_feed(cur, "https://devon.example/feed", title="Devon Digital")  # no OPML person
    blog = add_feed(cur, "https://weeknotes.example/feed", title="The Weeknotes Collective")
    tools = add_feed(cur, "https://odi.example/feed", person="Leigh Dodds", org="ODI")

    vote = add_post(cur, preston, "Vote like an Egyptian!", "https://preston.example/vote",
                    theme="openness", published=MARCH)
    micro = add_post(cur, dave, "micro-participation", "https://davebriggs.example/micro",
                     theme="openness", published=MARCH)
    second = add_post(cur, dave, "Why every council should blog",
                      "https://davebriggs.example/blog", theme="openness", published=MARCH)
    agile = add_post(cur, sarah, "Agile in a county council", "https://sarahlay.example/agile",
                     theme="improvement", published=MARCH)
    author = add_post(cur, devon, "Service design on a shoestring",
                      "https://devon.example/shoestring", theme="improvement",
                      author="Carl Haggerty", published=MARCH)
    weeknote = add_post(cur, blog, "Weeknote 42", "https://weeknotes.example/42",
                        theme="improvement", published=MARCH)
    apis = add_post(cur, tools, "A map of council APIs", "https://odi.example/apis",
                    theme="tools", published=MARCH)

    cur.roundup.new_edition(title="Public sector blogs roundup: March 2026", since="2026-03-01",
                    until="2026-03-31")
    ids = cur.roundup.pick([vote, micro, second, agile, author, weeknote, apis])
    cur.roundup.set_note(ids[0], "going viral to promote voting")
    cur.roundup.set_blurb(ids[6], "A handy [map of council APIs] from Leigh Dodds at the ODI")
    cur.roundup.set_section_body("the-big-news", "LocalGovCamp is back! Tickets go on sale on Monday.\n\n"
                         "The network passed 1,000 members this month.")
    cur.roundup.set_section_body("Other cool events",
                         "Two unconferences in April (details: https://unconf.example/april).")
    cur.roundup.add_link("UKGovCamp spring edition", "https://ukgovcamp.example/spring?utm_source=x",
                 section="other-cool-events", note="free, in Manchester")
    cur.roundup.set_section_body("can-you-help", "Tell us which tools your team uses for consultation.")
    cur.roundup.add_link("The state of open data", "https://example.org/open-data", person="Ann Smith",
                 section="other")
    cur.roundup.set_section_body("a-personal-note", "Thanks for reading, and keep blogging.\n\nDave")


@pytest.mark.parametrize(("fmt", "name"), [("md", "roundup.md"), ("html", "roundup.html"),
                                           ("fragment", "roundup.fragment.html"),
                                           ("txt", "roundup.txt")])
def test_real_edition_matches_golden(fmt: str, name: str) -> None:
    cur = make_curator()
    build_real_edition(cur)
    text = cur.roundup.export_edition(fmt)
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_real_edition_blurbs_read_like_the_seed() -> None:
    cur = make_curator()
    build_real_edition(cur)
    view = cur.roundup.get_edition()
    blurbs = {s.key: [i.blurb for i in s.items] for s in view.sections}
    assert blurbs["openness"] == [
        "Vote like an Egyptian! from Tanya Ashworth of Preston Council",
        "Dave Briggs writes about micro-participation",
        "Dave also writes about why every council should blog",
    ]
    # person from OPML, then the post's author, then the blog's title
    assert blurbs["improvement"] == [
        "Agile in a county council from Sarah Lay of Derbyshire County Council",
        "Carl Haggerty writes about service design on a shoestring",
        "The Weeknotes Collective blogs on Weeknote 42",
    ]
    assert blurbs["tools"] == ["A handy map of council APIs from Leigh Dodds at the ODI"]
    md = cur.roundup.export_edition("md")
    assert ("[Vote like an Egyptian!](https://preston.example/vote) from Tanya Ashworth of "
            "Preston Council \u2013 going viral to promote voting") in md
    assert "Dave Briggs writes about [micro-participation](https://davebriggs.example/micro)" in md
    # the manual link was stored canonical (tracking parameter gone)
    assert "https://ukgovcamp.example/spring)" in md
    # empty sections are left out of the export but kept in the edition
    assert "Cool tools" in [s.title for s in view.sections]
