"""One inbox load as plain data: the queries behind every page of the inbox, in one place.

It imports neither Textual nor the database layer, so `curator.tui.prefetch` can run the very same
first load in a helper process while the app is still importing its UI. The inbox's worker calls
the same two functions for every keystroke.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from curator.text import one_line
from curator.tui.filters import InboxQuery, parse_filter
from curator.types import FeedInfo, PostInfo

if TYPE_CHECKING:
    from curator.services import Curator

PAGE = 60  # rows per keystroke (newest first): a tall screen and a margin; more as the cursor
# reaches the "… more" row
COUNT_CAP = 1000  # counts stop here ("1,000+"): an exact count of a common word scans every post


@dataclass(frozen=True)
class ThemeGroup:
    """One theme's slice of the inbox: total matching posts and the first page of them."""

    slug: str | None  # None: the flat (ungrouped) list
    name: str
    count: int | None  # None until the (slower, debounced) count query answers
    posts: list[PostInfo] = field(default_factory=list)
    collapsed: bool = False


@dataclass
class InboxPage:
    """What one load found: the groups to show and what the counts need to follow them."""

    groups: list[ThemeGroup]
    theme_names: dict[str, str]  # slug -> name, in the themes' order
    window_start: datetime | None  # the draft edition's window, when it applied
    filters: dict[str, Any]  # the query as `list_posts` keywords
    elapsed: float


def load_page(curator: Curator, query: InboxQuery, grouped: bool, collapsed: frozenset[str],
              limits: dict[str, int], cancelled: Callable[[], bool] | None = None,
              theme_names: dict[str, str] | None = None) -> InboxPage:
    """Rows first: one paged query (plus one per theme whose "… more" was pressed)."""
    started = time.perf_counter()
    names = theme_names or {t.slug: t.name for t in curator.themes.list_themes()}
    if query.feed_url and "://" not in query.feed_url:
        query.feed_url = match_feed(curator.feeds.list_feeds(sync=False, counts=False), query.feed_url)
    window_start = None
    draft = curator.roundup.draft_edition() if query.use_window else None
    if draft is not None and query.since is None and query.until is None:
        query.since, query.until = draft.window_start, draft.window_end
        window_start = draft.window_start
    kwargs = query.kwargs()
    page = curator.posts.list_posts(limit=limits.get("*", PAGE), cancelled=cancelled, **kwargs)
    if grouped and query.theme is None:
        by_theme: dict[str, list[PostInfo]] = {slug: [] for slug in names}
        for post in page:
            by_theme.setdefault(post.theme or "", []).append(post)
        for slug, limit in limits.items():  # "… more" pressed on a theme
            if slug != "*" and slug not in collapsed:
                by_theme[slug] = curator.posts.list_posts(theme=slug, limit=limit,
                                                    cancelled=cancelled, **kwargs)
        groups = [ThemeGroup(slug, names.get(slug, slug or "Unclassified"), None,
                             [] if slug in collapsed else posts, slug in collapsed)
                  for slug, posts in by_theme.items() if posts or slug in names]
    else:
        name = names.get(query.theme or "", "All posts, newest first")
        groups = [ThemeGroup(None, name, None, page)]
    return InboxPage(groups, names, window_start, kwargs, time.perf_counter() - started)


def count_page(curator: Curator, page: InboxPage,
               cancelled: Callable[[], bool] | None = None) -> tuple[dict[str, int], float]:
    """Capped counts per group ("1,000+" costs as little as a page), keyed by slug or "*"."""
    started = time.perf_counter()
    kwargs = dict(page.filters)
    theme = kwargs.pop("theme", None)
    slugs = [theme if group.slug is None else group.slug for group in page.groups]
    counts = curator.posts.count_posts_by_theme(slugs, limit=COUNT_CAP + 1, cancelled=cancelled,
                                          **kwargs)
    return ({g.slug or "*": counts[slug] for g, slug in zip(page.groups, slugs, strict=True)},
            time.perf_counter() - started)


def first_page(curator: Curator) -> InboxPage:
    """The load a newly opened inbox makes: no filter, grouped by theme, nothing expanded."""
    return load_page(curator, parse_filter(""), True, frozenset(), {})


def is_first_page(query: InboxQuery, grouped: bool, collapsed: frozenset[str],
                  limits: dict[str, int]) -> bool:
    """Whether a load asks for what `first_page` loads (so a page read ahead answers it)."""
    return query.kwargs() == {} and query.use_window and grouped and not collapsed \
        and not limits


def match_feed(feeds: list[FeedInfo], text: str) -> str | None:
    """feed:NAME matches a feed whose title, person or URL contains NAME.

    `feeds` comes from the database's mirror of feeds.opml (the poller and the feeds screen keep
    it current): re-reading the file on a keystroke cost up to 90 ms the first time.
    """
    needle = one_line(text).lower()
    for feed in feeds:
        haystack = " ".join(str(v or "") for v in (feed.title, feed.person, feed.url)).lower()
        if needle in haystack:
            return str(feed.url)
    return text
