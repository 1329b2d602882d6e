"""The demo's bundled blogs and loopback server: real feeds over real HTTP on 127.0.0.1."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import feedparser
import httpx
import pytest

from curator.demo import ALL_POSTS, BLOGS, DemoServer


@pytest.fixture(scope="module")
def server():
    with DemoServer() as demo:
        yield demo


def test_content_covers_every_theme_across_enough_blogs() -> None:
    assert len(BLOGS) >= 10
    posts = [p for blog in BLOGS for p in ALL_POSTS[blog.slug]]
    assert len(posts) >= 100
    themes = Counter(theme for _, theme, _, _ in posts)
    assert set(themes) == {"openness", "improvement", "tools", "other"}
    assert min(themes.values()) >= 15
    assert len({title for title, *_ in posts}) == len(posts), "titles must be unique"


def test_server_binds_loopback_with_ephemeral_port(server: DemoServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert not server.base_url.endswith(":0")


def test_every_feed_parses_cleanly_and_dates_are_recent(server: DemoServer) -> None:
    total = 0
    client = httpx.Client()
    for url in server.feed_urls():
        response = client.get(url)
        assert response.status_code == 200
        parsed = feedparser.parse(response.content, response_headers=dict(response.headers))
        assert not parsed.bozo, (url, parsed.bozo_exception)
        assert parsed.feed.title
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith(server.base_url)
            assert entry.get("published_parsed") and entry.get("summary")
            assert client.get(entry.link).status_code == 200
        total += len(parsed.entries)
    assert total == sum(len(v) for v in ALL_POSTS.values())


def test_conditional_get_gives_304_until_a_new_post_appears(server: DemoServer) -> None:
    url = server.feed_urls()[0]
    first = httpx.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    server.add_post(BLOGS[0].slug, "Weeknotes 45: a brand new post", "Fresh off the press.")
    again = httpx.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert feedparser.parse(again.content).entries[0].title == "Weeknotes 45: a brand new post"


def test_homepage_advertises_its_feed(server: DemoServer) -> None:
    home = server.base_url + f"/{BLOGS[1].slug}/"
    page = httpx.get(home).text
    assert 'rel="alternate"' in page and server.feed_urls()[1] in page
    assert httpx.get(server.base_url + "/nope").status_code == 404


def test_opml_lists_every_blog_with_person_org_and_theme(server: DemoServer) -> None:
    root = ET.fromstring(server.opml())
    ns = "{https://curator.invalid/ns/1}"
    feeds = [o for o in root.iter("outline") if o.get("xmlUrl")]
    assert [o.get("xmlUrl") for o in feeds] != []
    assert sorted(o.get("xmlUrl") for o in feeds) == sorted(server.feed_urls())
    by_title = {o.get("title"): o for o in feeds}
    charity = by_title["Small Charity, Big Internet"]
    assert charity.get(f"{ns}person") == "Niamh O'Connor"
    assert by_title["Library Lab"].get(f"{ns}theme") == "tools"
