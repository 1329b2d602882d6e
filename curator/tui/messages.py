"""Typed messages that workers post back to the UI. They carry plain data only (no ORM rows)."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from curator.tui.inbox_page import ThemeGroup
from curator.types import FeedOutcome, PollSummary

__all__ = ["ThemeGroup"]  # defined beside the inbox's queries (no Textual there); shown from here


class InboxLoaded(Message):
    """A page of rows arrived; `generation` tells stale results (an older keystroke) from fresh
    ones (see `CuratorScreen.is_latest_load`)."""

    def __init__(self, generation: int, groups: list[ThemeGroup], elapsed: float) -> None:
        super().__init__()
        self.generation = generation
        self.groups = groups
        self.elapsed = elapsed


class FirstRowsShown(Message):
    """The inbox painted its first page: start-up work that can wait (the first poll) may begin."""


class InboxCounted(Message):
    """Exact counts per group (theme slug, or "*" for the flat list) for load `generation`."""

    def __init__(self, generation: int, counts: dict[str, int], elapsed: float) -> None:
        super().__init__()
        self.generation = generation
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
    """A pass ended (its totals), or was not run (`skipped_reason`)."""

    def __init__(self, summary: PollSummary, skipped_reason: str = "") -> None:
        super().__init__()
        self.summary = summary
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


class EditionChanged(Message):
    """The draft changed in the database since the screen loaded it (another process saved)."""
