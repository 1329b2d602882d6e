"""The bundled starter feeds.opml: a real, clean list curator can use as is."""

from __future__ import annotations

from curator.feeds.opml import CURATOR_NS, OpmlDocument, subscribable_url
from curator.paths import bundled_opml
from curator.urls import normalise_feed_url


def test_starter_list_is_complete_and_clean() -> None:
    path = bundled_opml()
    raw = path.read_bytes()
    doc = OpmlDocument.from_bytes(raw)
    feeds = doc.feeds()
    assert len(feeds) >= 30 and doc.warnings == []
    assert f'xmlns:curator="{CURATOR_NS}"'.encode() in raw
    assert len({normalise_feed_url(f.url) for f in feeds}) == len(feeds)  # no duplicates
    for feed in feeds:
        assert subscribable_url(feed.url) == feed.url and feed.url.startswith("https://")
        assert feed.title and feed.category and (feed.person or feed.org)
    categories = {f.category.split("/")[0] for f in feeds if f.category}
    assert len(categories) >= 4
    assert sum(1 for f in feeds if f.person) >= 10
    assert OpmlDocument.from_bytes(doc.to_bytes()).to_bytes() == raw  # already in curator's form
