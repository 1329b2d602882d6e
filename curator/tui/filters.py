"""The inbox filter language, newsboat-style: words search, `key:value` tokens filter.

    council tax theme:tools person:priya unread picked since:7d feed:data-cafe anytime
    unfeatured:3      (blogs none of the last 3 published editions featured)

With a draft edition, the inbox shows its window unless `since:`/`until:` or `anytime` is given.

Pure and fast (it runs on every keystroke); the result is keyword arguments for
`PostService.list_posts` / `count_posts`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from curator.errors import CuratorError
from curator.when import parse_moment

FLAGS = {"unread": ("unread_only", True), "picked": ("picked", True),
         "unpicked": ("picked", False), "hidden": ("include_hidden", True),
         "anytime": ("use_window", False)}
KEYS = ("theme", "feed", "since", "until", "person", "unfeatured")


@dataclass
class InboxQuery:
    """What the inbox shows: filters plus the free-text search."""

    search: str = ""
    theme: str | None = None
    feed_url: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    picked: bool | None = None
    unread_only: bool = False
    include_hidden: bool = False
    use_window: bool = True  # limit to the draft edition's window (`anytime` lifts it)
    unfeatured_in: int | None = None  # blogs none of the last N published editions featured
    problems: list[str] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by list_posts and count_posts (unset ones left out)."""
        out: dict[str, Any] = {}
        if self.search:
            out["search"] = self.search
        for name in ("theme", "feed_url", "since", "until", "picked", "unfeatured_in"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.unread_only:
            out["unread_only"] = True
        if self.include_hidden:
            out["include_hidden"] = True
        return out


def parse_filter(text: str, now: datetime | None = None) -> InboxQuery:
    """Split the filter box into filters and search words; bad tokens are reported, not fatal."""
    query = InboxQuery()
    try:
        tokens = shlex.split(text)
    except ValueError:  # an unclosed quote while typing
        tokens = text.split()
    words: list[str] = []
    for token in tokens:
        key, sep, value = token.partition(":")
        key = key.lower()
        if not sep and key in FLAGS:
            name, flag = FLAGS[key]
            setattr(query, name, flag)
        elif sep and key == "person" and value:  # people's names are searched like any text
            words.append(value)
        elif sep and key in KEYS and value:
            _apply(query, key, value, now)
        else:
            words.append(token)
    query.search = " ".join(words)
    return query


def _apply(query: InboxQuery, key: str, value: str, now: datetime | None) -> None:
    if key == "theme":
        query.theme = value.lower()
    elif key == "feed":
        query.feed_url = value
    elif key == "unfeatured":
        if value.isdigit() and 0 < int(value) <= 1000:
            query.unfeatured_in = int(value)
        else:
            query.problems.append(f"unfeatured:{value} (a number of editions, e.g. unfeatured:3)")
    else:
        try:
            setattr(query, key, parse_moment(value, now=now, end_of_day=key == "until"))
        except CuratorError as exc:
            query.problems.append(f"{key}:{exc}")
