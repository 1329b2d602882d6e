"""Typed messages that workers post back to the UI. They carry plain data only (no ORM rows)."""

from __future__ import annotations

import time
from typing import Any

from textual.message import Message

from curator.tui.inbox_page import ThemeGroup
from curator.types import FeedOutcome

__all__ = ["ThemeGroup"]  # defined beside the inbox's queries (no Textual there); shown from here


class InboxLoaded(Message):
    """A page of rows arrived; `token` tells stale results (an older keystroke) from fresh ones."""

    def __init__(self, token: int, groups: list[ThemeGroup], elapsed: float) -> None:
        super().__init__()
        self.token = token
        self.groups = groups
        self.elapsed = elapsed
        self.posted_at = time.perf_counter()  # how long it waited in the queue (benchmark)


class FirstRowsShown(Message):
    """The inbox painted its first page: start-up work that can wait (the first poll) may begin."""


class InboxCounted(Message):
    """Exact counts per group (theme slug, or "*" for the flat list) for the query `token`."""

    def __init__(self, token: int, counts: dict[str, int], elapsed: float) -> None:
        super().__init__()
        self.token = token
        self.counts = counts
        self.elapsed = elapsed


class PostsChanged(Message):
    """Posts were picked, re-themed, read or hidden: screens showing posts should reload."""

    def __init__(self, post_ids: list[int], note: str = "") -> None:
        super().__init__()
        self.post_ids = post_ids
        self.note = note


class FeatureAgain(Message):
    """A post to pick was featured before: the screen asks before picking it with force."""

    def __init__(self, post_id: int, title: str, edition: int) -> None:
        super().__init__()
        self.post_id, self.title, self.edition = post_id, title, edition


class PollStarted(Message):
    def __init__(self, forced: bool) -> None:
        super().__init__()
        self.forced = forced


class PollProgress(Message):
    """One feed done (one item of `poll_iter`)."""

    def __init__(self, done: int, outcome: FeedOutcome) -> None:
        super().__init__()
        self.done = done
        self.outcome = outcome


class PollFinished(Message):
    def __init__(self, feeds: int, new_posts: int, errors: int, skipped_reason: str = "") -> None:
        super().__init__()
        self.feeds = feeds
        self.new_posts = new_posts
        self.errors = errors
        self.skipped_reason = skipped_reason


class DataLoaded(Message):
    """Generic result of a screen's load worker: `kind` names what, `data` is plain values.

    `generation` tells a late answer from an older load apart (see CuratorScreen.next_load).
    """

    def __init__(self, kind: str, data: Any, generation: int = 0) -> None:
        super().__init__()
        self.kind = kind
        self.data = data
        self.generation = generation


class Done(Message):
    """A background action succeeded; `text` goes to a notification."""

    def __init__(self, text: str, reload: bool = True) -> None:
        super().__init__()
        self.text = text
        self.reload = reload
