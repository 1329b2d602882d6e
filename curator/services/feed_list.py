"""Which outlines of a feeds.opml become feed rows, and with what values: every subscribable
URL once (the first outline of a feed wins), the rest reported. The one reading of the list
that both the feed service's sync and the first poll of a new database file use."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from curator.errors import UnsafeUrlError
from curator.urls import normalise_feed_url

if TYPE_CHECKING:
    from curator.feeds.opml import OpmlDocument, OpmlFeed

_FIELDS = ("title", "html_url", "person", "org", "category")


@dataclass
class FeedList:
    """`rows`: normalised URL -> the Feed columns its outline decides."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)  # one line each: why it was left out
    duplicates: int = 0


def read_feed_list(doc: OpmlDocument) -> FeedList:
    from curator.feeds.opml import subscribable_url

    found = FeedList()
    for feed in doc.feeds():
        try:
            feed = replace(feed, url=subscribable_url(feed.url))
        except UnsafeUrlError as exc:
            found.invalid.append(str(exc))
            continue
        key = normalise_feed_url(feed.url)
        if key in found.rows:
            found.duplicates += 1
        else:
            found.rows[key] = outline_values(feed)
    return found


def outline_values(feed: OpmlFeed) -> dict[str, Any]:
    """The Feed columns an OPML outline decides."""
    values: dict[str, object] = {name: getattr(feed, name) for name in _FIELDS}
    values.update(url=feed.url, theme_hint=feed.theme, in_opml=True)
    return values
