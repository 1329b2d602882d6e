"""Fast paths in text, URL and feedparser helpers give exactly the answers of the slow paths.

Each fast path skips work only when that work could not change the result. These tests hold every
one against a reference: the straightforward form (regex, urllib, feedparser as shipped), on
generated inputs biased towards the characters each shortcut looks for.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import feedparser.urls
from feedparser.util import FeedParserDict
from hypothesis import given, settings
from hypothesis import strategies as st

from curator import text, urls
from curator.poll import feedparser_speedups as speedups

_CONTROL = text._CONTROL
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")

TRICKY = st.sampled_from(["\r\n", "\r", "\n", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u202e",
                          "\u200b", "\u00a0", "  ", " ", "e\u0301", "é", "&amp;", "<p>", "x"])
TEXTS = st.lists(st.one_of(TRICKY, st.text(max_size=6)), max_size=12).map("".join)


def reference_strip_controls(value: str | None) -> str:
    if not value:
        return ""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def reference_one_line(value: str | None, limit: int | None = None) -> str:
    cleaned = _SPACES.sub(" ", reference_strip_controls(value).replace("\n", " ")
                          .replace("\t", " ")).strip()
    cleaned = unicodedata.normalize("NFC", cleaned)
    if limit is not None and len(cleaned) > limit:
        return cleaned[: max(0, limit - 1)].rstrip() + "…"
    return cleaned


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.sampled_from([None, 1, 5, 40]))
def test_text_cleaning_matches_the_regex_reference(value: str, limit: int | None) -> None:
    assert text.strip_controls(value) == reference_strip_controls(value)
    assert text.one_line(value, limit) == reference_one_line(value, limit)


def test_ascii_fast_path_still_removes_controls() -> None:
    assert text.strip_controls("a\x00b\x1bc\x7fd\te\r\nf") == "abcd\te\nf"
    assert text.one_line("  plain title ") == "plain title"
    assert text.one_line("tab\there\x07") == "tab here"


LINK_PARTS = st.sampled_from(["http://", "https://", "HTTP://", "//", "/", "a", "B.c", ":8080",
                              ":80", "u:p@", "[::1]", "[", "?", "#", ";", "q=1", "utm_x=1", "%41",
                              " ", "é", ".", "..", "@", "%"])
LINKS = st.lists(LINK_PARTS, max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(LINKS)
def test_netloc_fast_path_matches_urllib(link: str) -> None:
    try:
        parts = urlsplit(link)
    except ValueError:
        return
    scheme = parts.scheme.lower()
    assert urls._netloc(scheme, parts) == urls._netloc_parsed(scheme, parts)
    expected = urlunsplit((scheme, urls._netloc_parsed(scheme, parts), parts.path or "/",
                           parts.query, ""))
    assert urls.normalise_feed_url(link) == expected if link.strip() == link else True


BASES = st.one_of(LINKS, st.sampled_from(["", "http://ex.org/a/", "https://ex.org", "HTTP://X/",
                                          "http://[::1]/", "http://[bad/", "ftp://x/"]))


@settings(max_examples=600, deadline=None)
@given(BASES, LINKS)
def test_quick_urljoin_matches_feedparser(base: str, link: str) -> None:
    original = speedups._ORIGINAL.get("_urljoin", feedparser.urls._urljoin)
    assert speedups._quick_urljoin(original)(base, link) == original(base, link)


def test_quick_urljoin_shortcut_is_taken_for_plain_links() -> None:
    calls: list[tuple[str, str]] = []

    def spy(base: str, link: str) -> str:
        calls.append((base, link))
        return feedparser.urls._urljoin(base, link)

    join = speedups._quick_urljoin(spy)
    assert join("http://ex.org/", "https://blog.example.org/2026/10/post") == \
        "https://blog.example.org/2026/10/post"
    assert calls == []
    assert join("http://ex.org/a/", "post?id=1") == "http://ex.org/a/post?id=1"
    assert calls == [("http://ex.org/a/", "post?id=1")]


KEYS = st.sampled_from(sorted(FeedParserDict.keymap) + ["category", "enclosures", "license",
                       "updated", "updated_parsed", "published", "title", "summary", "tags",
                       "links", "value", "id", "missing"])
VALUES = st.one_of(st.text(max_size=3), st.none(), st.integers(0, 3))


def _original(name: str):  # type: ignore[no-untyped-def]
    return speedups._ORIGINAL.get("FeedParserDict", {}).get(name, getattr(FeedParserDict, name))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(KEYS, VALUES), max_size=6), KEYS)
def test_feedparserdict_fast_methods_answer_like_the_originals(items: list, key: str) -> None:
    import warnings

    fast = FeedParserDict()
    slow = FeedParserDict()
    for k, v in items:
        fast[k] = v
        _original("__setitem__")(slow, k, v)
    assert dict(fast) == dict(slow)
    for d in (fast, slow):
        d.setdefault("tags", [{"term": "t"}])
        d.setdefault("links", [{"rel": "enclosure", "href": "h"}])

    def answer(call):  # type: ignore[no-untyped-def]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return ("ok", call())
            except Exception as exc:  # noqa: BLE001 - the same exception is the same answer
                return ("raised", type(exc))

    assert answer(lambda: fast[key]) == answer(lambda: _original("__getitem__")(slow, key))
    assert answer(lambda: fast.get(key, "d")) == answer(lambda: _original("get")(slow, key, "d"))
    assert answer(lambda: key in fast) == answer(lambda: _original("__contains__")(slow, key))


def test_contentparams_copy_is_a_faithful_deep_copy() -> None:
    import feedparser.mixin

    params = FeedParserDict({"type": "text/html", "language": None, "base": "http://x/"})
    clone = feedparser.mixin.copy.deepcopy(params)
    assert clone == copy.deepcopy(params) and type(clone) is FeedParserDict
    assert clone is not params
    nested = FeedParserDict({"type": "text/html", "extra": ["mutable"]})
    deep = feedparser.mixin.copy.deepcopy(nested)
    assert deep == nested and deep["extra"] is not nested["extra"]


def test_every_speedup_is_installed_and_uninstall_restores_them() -> None:
    import feedparser.mixin

    import curator.poll.parse  # noqa: F401 - importing the parser installs the speed-ups

    assert feedparser.mixin.copy is not copy
    assert hasattr(feedparser.mixin._urljoin, "original")
    assert FeedParserDict.get is not dict.get and FeedParserDict.get.__name__ == "fast_get"
    speedups.uninstall()
    try:
        assert feedparser.mixin.copy is copy
        assert feedparser.mixin._urljoin is feedparser.urls._urljoin
        assert FeedParserDict.__dict__["get"].__qualname__ == "FeedParserDict.get"
    finally:
        speedups.install()
    assert FeedParserDict.get.__name__ == "fast_get"


PLAINISH = st.builds(
    lambda scheme, labels, tail: scheme + ".".join(labels) + tail,
    st.sampled_from(["http://", "https://", "HTTP://", "Https://", "ftp://", "https:/"]),
    st.lists(st.sampled_from(["blog", "Ex", "a-b", "x9", "", "é", "B"]), min_size=1, max_size=3),
    st.sampled_from(["", "/", "/p", "/2026/10/post-1", "/p?utm_source=x", "/p?id=1", "/p#top",
                     "/a b", "/\x00", ":80/x", ":8080", ".", "/é", "@x/", "?", "#", "/p/?"]))


@settings(max_examples=600, deadline=None)
@given(st.one_of(PLAINISH, LINKS), st.sampled_from([None, "http://ex.org/a/", "https://x.y/"]))
def test_canonical_link_shortcut_matches_the_full_route(link: str, base: str | None) -> None:
    expected = urls._canonical(link.strip(), base) if link else None
    assert urls.canonical_link(link, base) == expected


def test_canonical_link_shortcut_cases() -> None:
    assert urls.canonical_link("https://blog.example.org") == "https://blog.example.org/"
    assert urls.canonical_link(" https://blog.example.org/2026/post-1 ") == \
        "https://blog.example.org/2026/post-1"
    assert urls.canonical_link("https://Blog.example.org/x?utm_source=a&id=2#top") == \
        "https://blog.example.org/x?id=2"
