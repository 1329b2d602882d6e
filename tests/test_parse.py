"""Parsing fetched bytes: safety gates, clean text, JSON Feed, bozo feeds, charsets."""

from __future__ import annotations

import json

import pytest
from conftest import corpus_dir

from curator.poll.parse import html_to_text, parse_feed, parse_safely

URL = "http://blog.example/feed.xml"


def rss_doc(items: str, head: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0"><channel>'
            f"<title>Blog</title><link>http://blog.example/</link>{items}</channel></rss>").encode()


def test_html_to_text_keeps_paragraphs_drops_scripts() -> None:
    text = html_to_text("<p>Hello <b>world</b> &amp; co<script>evil()</script></p>"
                        "<style>p{}</style><ul><li>one</li><li>two</li></ul>")
    assert text == "Hello world & co\n\none\n\ntwo"
    assert html_to_text("plain   text") == "plain text"
    assert html_to_text(None) == ""


def test_entities_refused_before_feedparser() -> None:
    body = rss_doc("<item><title>&a;</title></item>",
                   head='<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]>')
    outcome = parse_safely(body, {}, URL)
    assert outcome.feed is None and "entities" in outcome.error
    utf16 = body.decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert "entities" in parse_safely(utf16, {}, URL).error


def test_html_page_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><head><title>Log in</title></head><body>wifi</body></html>"
    outcome = parse_safely(page, {"content-type": "text/html"}, URL)
    assert outcome.feed is None and "HTML page" in outcome.error


def test_entry_fields_clean_text_canonical_links() -> None:
    body = rss_doc(
        "<item><guid isPermaLink=\"false\">g1</guid><title>Hi \u202eevil\u202c &lt;b&gt;there&lt;/b&gt;\x1b[31m</title>"
        "<link>/2026/post?utm_source=rss&amp;id=3#frag</link>"
        "<description>&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two&lt;/p&gt;</description>"
        "<category>civic</category><category>civic</category>"
        "<pubDate>Tue, 03 Nov 2026 09:30:00 +0100</pubDate></item>".replace("\x1b", "&#27;"))
    feed = parse_feed(body, {"content-type": "application/rss+xml"}, URL)
    (entry,) = feed.entries
    assert entry.guid == "g1"
    assert entry.link == "http://blog.example/2026/post?id=3"
    assert "\u202e" not in entry.title and "\x1b" not in entry.title
    assert entry.title.startswith("Hi evil there")
    assert entry.summary == "One\n\nTwo"
    assert entry.tags == ["civic"]
    assert entry.published.isoformat() == "2026-11-03T08:30:00+00:00"


def test_bozo_feed_keeps_usable_entries() -> None:
    body = rss_doc("<item><title>Fish & chips</title><link>http://blog.example/a</link></item>")
    feed = parse_feed(body, {}, URL)
    assert [e.title for e in feed.entries] == ["Fish & chips"]
    assert feed.warning


def test_wrong_charset_header_wins_over_declaration() -> None:
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
            "<item><title>Caf\u00e9</title><link>http://b.example/1</link></item></channel></rss>"
            ).encode("iso-8859-1")
    feed = parse_feed(body, {"content-type": "text/xml; charset=iso-8859-1"}, URL)
    assert feed.entries[0].title == "Caf\u00e9"


def test_json_feed() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "JF",
           "home_page_url": "https://jf.example/", "authors": [{"name": "Ann"}],
           "items": [{"id": 7, "url": "/p/7?fbclid=zz", "title": "T\u001b]52;c;x\u0007",
                      "content_html": "<p>Body</p>", "date_published": "2026-11-01T10:00:00Z",
                      "tags": ["a", "a", 3]},
                     "not an object"]}
    feed = parse_feed(json.dumps(doc).encode(), {"content-type": "application/feed+json"}, URL)
    (entry,) = feed.entries
    assert feed.kind == "json" and entry.guid == "7" and entry.author == "Ann"
    assert entry.link == "https://jf.example/p/7"
    assert "\x1b" not in entry.title and "\x07" not in entry.title
    assert entry.summary == "Body" and entry.tags == ["a"]
    assert "not a JSON Feed" in parse_safely(b'{"a": 1}', {}, URL).error
    assert parse_safely(b"[" * 100000 + b"]" * 100000, {}, URL).error


def test_garbage_and_empty() -> None:
    assert parse_safely(b"", {}, URL).error == "empty response body"
    assert parse_safely(b"\x00\xff garbage", {}, URL).error


@pytest.mark.parametrize("name", ["charref-out-of-range.rss", "terminal-escapes-charrefs.rss",
                                  "markup-injection.rss", "jsonfeed-hostile.json",
                                  "xml-billion-laughs.rss", "xml-quadratic-blowup-wellformed.rss",
                                  "xml-quadratic-blowup-illformed.rss", "xml-xxe-file.rss",
                                  "xml-xxe-parameter-entity.atom", "jsonfeed-deep-nesting.json",
                                  "not-a-feed-captive-portal.html"])
def test_adversarial_files_never_raise(name: str) -> None:
    body = (corpus_dir("adversarial") / name).read_bytes()
    outcome = parse_safely(body, {}, URL)
    assert (outcome.feed is None) != (outcome.error is None)
    if outcome.feed is not None:
        for entry in outcome.feed.entries:
            for text in (entry.title, entry.summary, entry.author or ""):
                assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
                assert not any(0x80 <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E
                               for c in text)


def test_canonical_link_forms() -> None:
    from curator.urls import canonical_link

    base = "https://blog.example/2026/post/"
    assert canonical_link("../other?utm_source=x&id=3#c", base) == "https://blog.example/2026/other?id=3"
    assert canonical_link("HTTPS://Blog.Example:443/a?fbclid=1", base) == "https://blog.example/a"
    assert canonical_link("http://x.example", base) == "http://x.example/"
    assert canonical_link("/p?q=a+b&utm_medium=m", base) == "https://blog.example/p?q=a+b"
    assert canonical_link("javascript:alert(1)", base) is None
    assert canonical_link("mailto:a@b.example", None) is None


def test_html_to_text_whitespace_and_budget() -> None:
    assert html_to_text("<p>a  \u00a0b</p> \n <p> c\t d </p><br><br><br><br>e") == "a b\n\nc d\n\ne"
    assert html_to_text("x &amp;\u2003y") == "x & y"
    long_html = "<p>" + "word " * 10000 + "</p><p>tail</p>"
    text = html_to_text(long_html)
    assert text.startswith("word word") and "tail" not in text


def test_character_references_beyond_unicode_keep_the_feed() -> None:
    """One `&#x110000;` used to cost the whole feed (chr() inside feedparser's loose parser)."""
    body = rss_doc("".join(f"<item><guid>g{i}</guid><title>{ref} title {i}</title></item>"
                           for i, ref in enumerate(["&#x110000;", "&#99999999999;", "&#xD800;",
                                                    "&#0;", "&#8217;"])))
    feed = parse_feed(body, {}, URL)
    assert [e.title for e in feed.entries] == [
        "\ufffd title 0", "\ufffd title 1", "\ufffd title 2", "\ufffd title 3", "\u2019 title 4"]
    assert feed.warning and feed.warning.startswith("4 character references outside Unicode")


def test_corpus_charref_feed_keeps_its_entries() -> None:
    path = corpus_dir("adversarial") / "charref-out-of-range.rss"
    outcome = parse_safely(path.read_bytes(), {}, URL)
    assert outcome.error is None and outcome.feed is not None
    assert len(outcome.feed.entries) >= 5


def test_an_entry_crosses_to_the_poller_whole() -> None:
    """Workers pickle every entry as its fields in order (ParsedEntry.__reduce__): every field,
    set to a value of its own, must come back in its place."""
    import dataclasses
    import pickle
    from datetime import UTC, datetime

    from curator.types import ParsedEntry

    values = {f.name: (datetime(2026, 1, i + 1, tzinfo=UTC) if "datetime" in str(f.type)
                       else [f"tag{i}"] if f.name == "tags" else f"{f.name}-{i}")
              for i, f in enumerate(dataclasses.fields(ParsedEntry))}
    entry = ParsedEntry(**values)
    back = pickle.loads(pickle.dumps(entry))
    assert back == entry and dataclasses.asdict(back) == values
