"""Events and asks found in the window's posts, offered for their sections of the draft.

The finding is pure text work (curator.roundup.suggest); this service runs it over the draft's
candidates and, when one is accepted, places the post in "Other cool events" or "Can you help"
with its suggested line as the blurb: one call, one transaction (RoundupService.pick).
"""

from __future__ import annotations

from curator.errors import CuratorError, NotFoundError
from curator.roundup.suggest import Finding, find_ask, find_event
from curator.roundup.views import Suggestion
from curator.services.roundup_service import RoundupService
from curator.services.service_base import ServiceBase, ServiceContext
from curator.types import PostInfo

KINDS = {"events": ("event", "Other cool events"), "asks": ("ask", "Can you help")}


def _kind(kind: str) -> tuple[str, str]:
    key = kind.strip().lower()
    key = {"event": "events", "ask": "asks"}.get(key, key)
    if key not in KINDS:
        raise CuratorError(f"unknown suggestion kind {kind!r} (choose events or asks)")
    return KINDS[key]


class SuggestionService(ServiceBase):
    def __init__(self, context: ServiceContext, roundup: RoundupService) -> None:
        super().__init__(context)
        self.roundup = roundup  # the candidates and the placing are the roundup's

    def suggest(self, kind: str, limit: int | None = None) -> list[Suggestion]:
        """Posts in the draft's window (not featured before, not yet in the draft) that
        announce an event (`events`, soonest first) or ask readers to act (`asks`); `all`: the
        events, then the asks (the candidates are read once)."""
        kinds = ["event", "ask"] if kind.strip().lower() == "all" else [_kind(kind)[0]]
        posts = [post for post in self.roundup.candidates() if not post.picked]
        out: list[Suggestion] = []
        for which in kinds:
            found = [s for s in (self._suggestion(post, which) for post in posts) if s]
            if which == "event":
                found.sort(key=lambda s: (s.date or "9999", s.post_id))
            out += found[:limit] if limit else found
        return out

    def _suggestion(self, post: PostInfo, which: str) -> Suggestion | None:
        find = find_event if which == "event" else find_ask
        found: Finding | None = find(post.title, post.summary, post.published)
        if found is None:
            return None
        return Suggestion(post.id, which, post.title, post.link, post.person, found.line,
                          found.blurb, found.why,
                          f"{found.date:%Y-%m-%d}" if found.date else None, found.date_text,
                          found.place, post.published)

    def accept(self, post_id: int, kind: str, line: str | None = None) -> int:
        """Place the post in its section with the suggested line (or `line`, edited) as its
        blurb; returns the new item's id."""
        which, section = _kind(kind)
        if line is None:
            post = next((p for p in self.roundup.candidates() if p.id == post_id), None)
            found = self._suggestion(post, which) if post is not None else None
            if found is None:
                raise NotFoundError(f"post {post_id} is not a suggested {which} in this window")
            line = found.blurb
        ids = self.roundup.pick([post_id], start_draft=True, blurbs={post_id: line},
                                section_title=section)
        if not ids:
            raise CuratorError(f"post {post_id} is already in the draft")
        return ids[0]
