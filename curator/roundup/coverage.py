"""Who in the community has been heard from, and who has not: per member (the person behind a
blog, else the blog), posts in the window, last post, last featured edition, and each blog's
state: active, quiet (no post for a while), broken (its feed keeps failing) or new.

Pure: the store's facts in, rows out. A member with two blogs is featured when either is, or
when a link added by hand credits them by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from curator.text import one_line

BROKEN_AFTER_ERRORS = 3  # failed polls in a row before a blog counts as broken
STATUS_ORDER = {"broken": 0, "new": 1, "active": 2, "quiet": 3}


@dataclass(frozen=True)
class BlogFacts:
    feed_id: int
    url: str
    title: str | None
    person: str | None
    org: str | None
    status: str
    error_count: int
    last_error: str | None
    created_at: datetime | None
    last_success_at: datetime | None
    posts_since: int  # published (else first seen) in the window
    last_post: datetime | None


@dataclass(frozen=True)
class FeaturedFact:
    feed_id: int | None  # None for a link added by hand
    person: str | None  # the item's person, as the edition credited it
    number: int
    published_at: datetime | None


@dataclass(frozen=True)
class CoverageRow:
    person: str  # the member: the blog's person, else the blog's name
    feed_url: str
    blog: str
    org: str | None
    posts: int  # in the window
    last_post: datetime | None
    last_featured_edition: int | None
    last_featured_at: datetime | None
    never_featured: bool
    status: str  # active | quiet | broken | new
    note: str = ""  # why broken (the last error) or since when quiet


@dataclass(frozen=True)
class CoverageReport:
    since: datetime
    quiet_days: int
    rows: list[CoverageRow]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def never_featured(self) -> int:
        return len({r.person for r in self.rows if r.never_featured})


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _member(blog: BlogFacts) -> str:
    return (one_line(blog.person) or one_line(blog.title) or urlsplit(blog.url).hostname
            or blog.url)


def _status(blog: BlogFacts, since: datetime, quiet_before: datetime) -> tuple[str, str]:
    if blog.status == "gone" or blog.error_count >= BROKEN_AFTER_ERRORS or (
            blog.status == "error" and blog.last_success_at is None):
        return "broken", one_line(blog.last_error, 120) or f"feed {blog.status}"
    created = _aware(blog.created_at)
    if created is not None and created >= since:
        return "new", f"added {created:%Y-%m-%d}"
    last = _aware(blog.last_post)
    if last is None or last < quiet_before:
        return "quiet", f"last post {last:%Y-%m-%d}" if last else "no posts yet"
    return "active", ""


def coverage(blogs: Sequence[BlogFacts], featured: Sequence[FeaturedFact], since: datetime,
             quiet_days: int = 60, now: datetime | None = None) -> CoverageReport:
    """One row per blog, its member's featuring history beside it; those who posted in the
    window but were featured longest ago (or never) first."""
    now = now or datetime.now(UTC)
    quiet_before = now - timedelta(days=quiet_days)
    by_feed: dict[int, tuple[int, datetime | None]] = {}
    by_person: dict[str, tuple[int, datetime | None]] = {}
    for fact in featured:
        seen = (fact.number, _aware(fact.published_at))
        if fact.feed_id is not None and by_feed.get(fact.feed_id, (0, None))[0] < fact.number:
            by_feed[fact.feed_id] = seen
        person = one_line(fact.person).casefold()
        if person and by_person.get(person, (0, None))[0] < fact.number:
            by_person[person] = seen
    members: dict[str, list[BlogFacts]] = {}
    for blog in blogs:
        members.setdefault(_member(blog), []).append(blog)
    rows: list[CoverageRow] = []
    for name, theirs in members.items():
        hits = [by_feed[b.feed_id] for b in theirs if b.feed_id in by_feed]
        hits += [by_person[name.casefold()]] if name.casefold() in by_person else []
        number, at = max(hits, key=lambda h: h[0]) if hits else (None, None)
        for blog in theirs:
            status, note = _status(blog, since, quiet_before)
            rows.append(CoverageRow(name, blog.url, one_line(blog.title) or blog.url,
                                    one_line(blog.org) or None, blog.posts_since,
                                    _aware(blog.last_post), number, at, number is None, status,
                                    note))
    rows.sort(key=lambda r: (r.posts == 0, r.last_featured_edition or 0,
                             STATUS_ORDER[r.status], r.person.casefold()))
    return CoverageReport(since, quiet_days, rows)
