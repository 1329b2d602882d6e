"""Events and asks: found in posts written like the seed roundup's, explained, and accepted into
their sections (service and CLI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from roundup_helpers import add_feed, add_post, make_curator

from curator.cli import main
from curator.roundup.suggest import find_ask, find_event

pytestmark = pytest.mark.pg

APRIL = datetime(2011, 4, 20, 9, 0, tzinfo=UTC)

EVENTS = [
    ("ReWiredState Norwich",
     "ReWiredState Norwich is a weekend hack making better use of data in Norfolk. "
     "It happens on 7 May at the Forum. Sign up now.",
     "ReWiredState Norwich \u2013 a weekend hack making better use of data in Norfolk \u2013 "
     "7 May at the Forum", "2011-05-07"),
    ("MailCamp",
     "MailCamp is an unconference for people who send e-mail to the public. It takes place on "
     "12 May in Central London, late afternoon.",
     "MailCamp \u2013 an unconference for people who send e-mail to the public \u2013 12 May in "
     "Central London, late afternoon", "2011-05-12"),
    ("LocalGovCamp 2011: save the date",
     "We are planning this year's unconference for local government, probably in June or July.",
     "LocalGovCamp 2011 \u2013 save the date \u2013 June or July", "2011-06-01"),
    ("Webinar: open data for councils",
     "Join our webinar on Tuesday 3rd May at 2pm to hear how councils publish spending data.",
     "Open data for councils \u2013 a webinar \u2013 3 May online, 2pm", "2011-05-03"),
]
NOT_EVENTS = [
    ("Our hack day was great", "On 2 April we held a hack day in Leeds. Thanks to all who came."),
    ("Conference season", "Conferences are expensive; here is why we go to fewer of them."),
    ("Seven things about maps", "A list of map tools, updated 14 June 2011."),
]


@pytest.mark.parametrize(("title", "summary", "line", "date"), EVENTS)
def test_events_are_found_with_their_date_and_place(title: str, summary: str, line: str,
                                                    date: str) -> None:
    found = find_event(title, summary, APRIL)
    assert found is not None and found.line == line
    assert found.date is not None and f"{found.date:%Y-%m-%d}" == date
    assert "event words:" in found.why and "after publication" in found.why


@pytest.mark.parametrize(("title", "summary"), NOT_EVENTS)
def test_past_events_and_posts_without_a_coming_date_are_not_events(title: str,
                                                                    summary: str) -> None:
    assert find_event(title, summary, APRIL) is None


def test_asks_need_a_request_to_the_reader() -> None:
    ask = find_ask("Help shape our library service",
                   "We need your views on the future of libraries in Preston. Please fill in "
                   "our short survey by 30 May.", APRIL)
    assert ask is not None
    assert ask.line == ("Help shape our library service \u2013 we need your views on the future "
                        "of libraries in Preston (by 30 May)")
    assert "we need your" in ask.why and "2011-05-30" in ask.why
    call = find_ask("Call for participants", "We are looking for council officers to take part "
                    "in user research about planning. Can you help?", APRIL)
    assert call is not None and "take part" in call.why
    # a post about a consultation is not an ask
    assert find_ask("How we ran a consultation", "Last month we ran a consultation about "
                    "libraries. Here is what we learned from it.", APRIL) is None


def test_suggest_and_accept_through_the_cli() -> None:
    cur = make_curator()
    feed = add_feed(cur, "https://norfolk.example/feed", person="Ann Smith")
    ids = [add_post(cur, feed, title, f"https://norfolk.example/{n}", published=APRIL,
                    summary=summary) for n, (title, summary, _l, _d) in enumerate(EVENTS)]
    ask = add_post(cur, feed, "Help shape our library service", "https://norfolk.example/ask",
                   published=APRIL, summary="Please fill in our survey by 30 May: we need "
                   "your views.")
    add_post(cur, feed, "Our hack day was great", "https://norfolk.example/past",
             published=APRIL, summary=NOT_EVENTS[0][1])
    cur.roundup.new_edition(since="2011-04-01", until="2011-04-30")
    cur.roundup.remove_section("other-cool-events")  # accepting brings it back
    cur.close()
    runner = CliRunner()
    result = runner.invoke(main, ["roundup", "suggest", "events", "--json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    assert [e["post_id"] for e in events] == [ids[3], ids[0], ids[1], ids[2]]  # soonest first
    assert {"post_id", "title", "date", "line", "why"} <= set(events[0])
    assert events[0]["date"] == "2011-05-03"
    result = runner.invoke(main, ["roundup", "suggest", "asks"])
    assert result.exit_code == 0 and str(ask) in result.stdout and "why: asks readers" in \
        result.stdout
    result = runner.invoke(main, ["roundup", "accept", "events", str(ids[1])])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["roundup", "accept", "asks", str(ask)]).exit_code == 0
    result = runner.invoke(main, ["roundup", "accept", "events", str(ids[1])])
    assert result.exit_code == 1 and "Traceback" not in result.output
    md = runner.invoke(main, ["roundup", "export"]).stdout
    assert ("## Other cool events\n\n- [MailCamp](https://norfolk.example/1) \u2013 an "
            "unconference for people who send e-mail to the public \u2013 12 May in Central "
            "London, late afternoon") in md
    assert "## Can you help\n\n- [Help shape our library service](https://norfolk.example/ask)" \
        in md
    # accepted posts are no longer offered
    again = json.loads(runner.invoke(main, ["roundup", "suggest", "events", "--json"]).stdout)
    assert ids[1] not in [e["post_id"] for e in again]


WORDS = ["hack", "camp", "on", "7", "May", "June", "or", "in", "Central", "London", "2011-06-14",
         "Tuesday", "3rd", "at", "2pm", "survey", "please", "fill", "your", "views", "\u202e",
         "\x00", "[", "](", ":", "\u2013", ".", "31", "February", "99/99/9999", "late"]


def test_odd_text_never_breaks_the_finders() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)),
                     max_size=25).map(" ".join)
    moments = st.one_of(st.none(), st.datetimes(min_value=datetime(1990, 1, 1),
                                                 max_value=datetime(2090, 1, 1)))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts, texts, moments)
    def check(title: str, summary: str, published: datetime | None) -> None:
        for finding in (find_event(title, summary, published),
                        find_ask(title, summary, published)):
            assert finding is None or (finding.line and "\n" not in finding.line)

    check()
