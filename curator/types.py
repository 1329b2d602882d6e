"""Plain value objects that cross the service boundary (never ORM rows).

The CLI prints them, the TUI renders them, `--json` dumps them with `dataclasses.asdict`. Add fields
freely (with defaults); never rename one, scripts rely on the JSON shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

LOW_CONFIDENCE = 0.5  # a theme guess below this is flagged for the facilitator to look at first


class FeedStatus(StrEnum):
    """A feed's state after its last poll (`Feed.status`), or one poll's outcome for it.

    Stored and printed as its value, so JSON and the database keep the plain words.
    """

    NEW = "new"  # never polled
    OK = "ok"
    NOT_MODIFIED = "not_modified"  # 304: nothing to parse
    REDIRECTED = "redirected"  # moved permanently; the new URL was kept
    ERROR = "error"  # failing; retried with backoff
    GONE = "gone"  # 410: never polled again
    SKIPPED = "skipped"  # an outcome only: the pass did not fetch it (a host pause)
    REMOVED = "removed"  # no longer in feeds.opml (its posts are kept)

    @property
    def is_problem(self) -> bool:
        """What the poll summary counts as an error and the feeds screen shows in red."""
        return self in (FeedStatus.ERROR, FeedStatus.GONE)


@dataclass(frozen=True)
class FeedInfo:
    url: str
    title: str | None
    person: str | None
    org: str | None
    category: str | None
    theme: str | None  # the OPML default theme hint
    status: str
    html_url: str | None = None
    id: int | None = None
    http_status: int | None = None
    last_error: str | None = None
    error_count: int = 0
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_due_at: datetime | None = None
    post_count: int = 0


@dataclass(frozen=True)
class PostInfo:
    id: int
    feed_url: str
    title: str
    link: str | None
    person: str | None
    published: datetime | None
    theme: str | None
    confidence: float | None
    why: str | None
    org: str | None = None
    author: str | None = None
    blog_title: str | None = None
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    theme_source: str | None = None
    read: bool = False
    hidden: bool = False
    picked: bool = False  # in the current draft edition
    featured_in: int | None = None  # number of a published edition that featured it


@dataclass(frozen=True)
class ThemeInfo:
    slug: str
    name: str
    description: str = ""
    position: int = 0
    seeds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeedOutcome:
    """What happened to one feed in one poll pass (one item of `poll_iter`)."""

    url: str
    status: str  # ok | not_modified | error | gone | redirected | skipped
    new_posts: int = 0
    updated_posts: int = 0
    http_status: int | None = None
    error: str | None = None
    new_url: str | None = None
    next_due_at: datetime | None = None


@dataclass
class PollSummary:
    feeds: int = 0
    new_posts: int = 0
    updated_posts: int = 0
    errors: int = 0
    not_modified: int = 0
    outcomes: list[FeedOutcome] = field(default_factory=list)

    def add(self, outcome: FeedOutcome) -> None:
        """Count one feed's outcome into the pass's totals."""
        self.feeds += 1
        self.new_posts += outcome.new_posts
        self.updated_posts += outcome.updated_posts
        self.errors += FeedStatus(outcome.status).is_problem
        self.not_modified += outcome.status == FeedStatus.NOT_MODIFIED
        self.outcomes.append(outcome)


@dataclass(frozen=True)
class FeedSyncReport:
    """What `sync_opml` changed in the database to mirror feeds.opml."""

    feeds: int = 0  # usable feed outlines in the OPML
    added: int = 0
    updated: int = 0
    removed: int = 0  # rows now marked in_opml=False (their posts are kept)
    duplicates: int = 0
    invalid: list[str] = field(default_factory=list)  # one line per refused outline
    warnings: list[str] = field(default_factory=list)  # lenient-parse repairs


@dataclass(frozen=True)
class FeedImportReport:
    """Result of merging another OPML file into the feed list."""

    added: int = 0
    skipped: int = 0  # already subscribed (after URL normalisation) or duplicated in the file
    invalid: int = 0  # refused URLs
    details: list[str] = field(default_factory=list)
    added_urls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeedAddResult:
    """A feed added by `add_feed`; `discovered_from` is the homepage when autodiscovery ran."""

    feed: FeedInfo
    discovered_from: str | None = None
    alternatives: list[str] = field(default_factory=list)

    @property
    def found_from(self) -> str | None:
        """Alias of `discovered_from`."""
        return self.discovered_from


@dataclass(frozen=True)
class RuleInfo:
    """A classification rule: `field` (phrase|tag|author|feed|domain) matching `pattern` -> theme."""

    id: int
    field: str
    pattern: str
    theme: str
    feed_url: str | None = None  # scope: None = every feed
    enabled: bool = True


@dataclass(frozen=True)
class RuleMove:
    """One stored post a rule moves (or would move, in a dry run)."""

    post_id: int
    title: str
    old_theme: str | None
    new_theme: str


@dataclass(frozen=True)
class RuleOutcome:
    """What adding a rule did (or, with dry_run, would do) to the stored posts."""

    rule: RuleInfo
    dry_run: bool
    matched: int  # stored posts the rule matches
    moved: int  # of those, posts whose theme changes (hand-placed posts are never moved)
    samples: list[RuleMove] = field(default_factory=list)

    @property
    def would_change(self) -> int:
        return self.moved


@dataclass(frozen=True)
class ModelInfo:
    """The trained classifier's state."""

    n_examples: int
    n_user: int
    n_edition: int
    n_rule: int
    trained_at: datetime | None = None
    model: str = "zero-shot"  # zero-shot | zero-shot + memory | zero-shot + linear


@dataclass(frozen=True)
class PostFilter:
    """Which stored posts to show: the inbox's filter line and `posts list`'s options."""

    since: datetime | None = None
    until: datetime | None = None
    theme: str | None = None
    feed_url: str | None = None
    search: str | None = None
    picked: bool | None = None
    unread_only: bool = False
    include_hidden: bool = False
    # only blogs none of the last N published editions featured (who has not had a turn)
    unfeatured_in: int | None = None


@dataclass(frozen=True)
class ParsedEntry:
    """One feed entry as the parser cleaned it: what the store keeps of a post."""

    guid: str | None
    link: str | None  # canonical
    title: str
    author: str | None
    published: datetime | None
    updated: datetime | None
    summary: str
    tags: list[str] = field(default_factory=list)
    content_hash: str = ""
    url: str | None = None  # the author's own link, when it differs from the canonical `link`

    def __reduce__(self) -> tuple[type[ParsedEntry], tuple[object, ...]]:
        """Pickled as its fields, in order (a frozen dataclass sets every one of them, in that
        order, and nothing else): parse workers send the poller every entry they read, and
        this costs half the default's time to pickle and unpickle."""
        return ParsedEntry, tuple(vars(self).values())


@dataclass
class CopyReport:
    """What `curator db copy` copied: rows per table, in the order copied."""

    source: str  # locations with any password hidden
    target: str
    rows: dict[str, int] = field(default_factory=dict)
