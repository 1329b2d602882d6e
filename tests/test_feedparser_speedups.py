"""The feedparser speed-ups change its speed, never its answer.

Every corpus feed is parsed twice, with feedparser as shipped and with the speed-ups installed, and
the whole results (feed, entries, version, bozo state) must be equal.
"""

from __future__ import annotations

import io
import json
import xml.sax
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from upstream import source_hash

from curator.demo.site import build_site, render_feed
from curator.poll import feedparser_speedups as speedups
from tests.conftest import corpus_dir

HEADERS = {"content-type": "application/xml", "content-location": "http://127.0.0.1/feed"}


def _parse(body: bytes) -> str:
    try:
        result = feedparser.parse(io.BytesIO(body), response_headers=HEADERS, sanitize_html=False,
                                  resolve_relative_uris=False)
    except Exception as exc:  # noqa: BLE001 - feedparser bugs must be the same bugs
        return f"raised {type(exc).__name__}: {exc}"
    problem = result.pop("bozo_exception", None)
    result["problem"] = f"{type(problem).__name__}: {problem}" if problem else None
    return json.dumps(result, default=repr, sort_keys=True, ensure_ascii=False)


def _both(body: bytes) -> tuple[str, str]:
    speedups.uninstall()
    try:
        plain = _parse(body)
    finally:
        speedups.install()
    return plain, _parse(body)


def _bodies(folder: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".xml", ".rss", ".atom", ".rdf", ".feed"):
            body = path.read_bytes()
            if b"<!ENTITY" in body or b"<!entity" in body:  # refused before parsing anyway
                continue
            yield str(path.relative_to(folder)), body


def test_the_driver_is_what_feedparser_uses() -> None:
    import feedparser.api

    import curator.poll.parse  # noqa: F401 - importing the parser installs the driver

    assert feedparser.api.PREFERRED_XML_PARSERS[0] == speedups.DRIVER
    parser = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    assert isinstance(parser, speedups.BufferedExpatParser)
    import feedparser.mixin

    assert hasattr(feedparser.mixin.make_safe_absolute_uri, "cache_info")


def test_text_split_by_character_references_arrives_whole() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            b"<title>Fish &amp; chips &#8211; &lt;b&gt;tea&lt;/b&gt;</title>"
            b"<description>&lt;p&gt;One &amp;amp; two&lt;/p&gt;</description></item>"
            b"</channel></rss>")
    plain, buffered = _both(body)
    assert plain == buffered
    assert "Fish & chips \u2013 <b>tea</b>" in buffered


def test_same_result_on_the_demo_feeds() -> None:
    site = build_site()
    assert site
    for slug, blog in site.items():
        plain, buffered = _both(render_feed(blog, "http://127.0.0.1:9/").encode("utf-8"))
        assert plain == buffered, slug


@pytest.mark.parametrize("name", ["feedparser", "realfeeds", "adversarial"])
def test_same_result_on_the_corpus(name: str) -> None:
    folder = corpus_dir(name)
    compared = 0
    for rel, body in _bodies(folder):
        plain, buffered = _both(body)
        assert plain == buffered, rel
        compared += 1
    assert compared > 0
    print(f"{name}: {compared} feeds parse identically with the buffered driver")


# The feedparser code the speed-ups stand in for, as in feedparser 6.0.11-6.0.14 (identical in
# all four; pyproject pins that range). A change upstream fails here, before any answer changes.
PATCHED = {
    ("urls.py", "_urljoin"): "236510c71910",
    ("urls.py", "make_safe_absolute_uri"): "d2028a43d8ca",
    ("util.py", "FeedParserDict"): "c1a606fa188b",
    ("mixin.py", "_FeedParserMixin.unknown_starttag"): "0c7b46d97ac8",  # base URIs
    ("mixin.py", "_FeedParserMixin.resolve_uri"): "2e45dbe1666d",  # links through _urljoin
    ("mixin.py", "_FeedParserMixin.pop"): "9405dae3df00",  # copy.deepcopy(contentparams)
}


def test_the_patched_feedparser_code_is_the_code_the_speed_ups_were_written_for() -> None:
    """Fails when feedparser changes what curator.poll.feedparser_speedups replaces: review the
    speed-ups against the new code, then update PATCHED and the pin in pyproject.toml."""
    import feedparser

    folder = Path(feedparser.__file__).parent
    changed = [f"{name} in {file}" for (file, name), digest in PATCHED.items()
               if source_hash(folder / file, name) != digest]
    assert not changed, f"feedparser {feedparser.__version__} changed {changed}"
