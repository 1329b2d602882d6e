"""SQLModel tables: the database is curator's memory.

Designed for the whole flow: feeds (mirrors of feeds.opml plus polling state), posts (one row per
story, with every feed it arrived from in `PostSource`), themes and rules, training signals, a stored
classifier model, and editions with their sections and items. Schema changes go in
`curator.store.migrations`; never edit a column here without adding a migration there.
"""

from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint, func, literal_column
from sqlmodel import Field, SQLModel

# Every table's pydantic validators are built on first use, not at import. Rows are made without
# validation (SQLModel's table models), so they are rarely needed, and building them for every table
# costs about 12 ms of each start-up. (Typed Any: SQLModel narrows `model_config` to its own dict.)
LAZY_VALIDATORS: Any = ConfigDict(defer_build=True)


def utcnow() -> datetime:
    """Timezone-aware now (SQLModel stores aware datetimes as UTC)."""
    return datetime.now(UTC)


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself (schema_version)."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "curator_meta"
    key: str = Field(primary_key=True)
    value: str


class Feed(SQLModel, table=True):
    """A subscription: mirrors an OPML outline plus the poller's state for it."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "feed"
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(index=True, unique=True)
    html_url: str | None = None
    title: str | None = None  # from the OPML outline
    feed_title: str | None = None  # as the feed itself says
    person: str | None = None
    org: str | None = None
    category: str | None = None  # "Parent/Child" path of OPML folders
    theme_hint: str | None = None
    in_opml: bool = True  # False once removed from feeds.opml (its posts are kept)
    # polling state
    etag: str | None = None
    last_modified: str | None = None
    status: str = "new"  # new | ok | not_modified | error | gone | redirected
    http_status: int | None = None
    last_error: str | None = None
    error_count: int = 0
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_due_at: datetime | None = Field(default=None, index=True)
    interval_seconds: int | None = None  # what the server asked for (ttl, max-age), within bounds
    created_at: datetime = Field(default_factory=utcnow)


class HostPause(SQLModel, table=True):
    """A server asked us to wait (429/503 Retry-After): remembered across runs and processes."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "host_pause"
    host: str = Field(primary_key=True)
    until: datetime
    reason: str = ""


class HostLease(SQLModel, table=True):
    """On a shared server: which poller fetches a host's feeds now (one at a time, so the
    per-host limit holds for the whole fleet). Expires unless its poller renews it."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "host_lease"
    host: str = Field(primary_key=True)
    owner: str | None = None  # a Poller.id; None: free
    until: datetime | None = None


class Poller(SQLModel, table=True):
    """A poller at work on a shared server (a `poll --watch` daemon, a run, the TUI's poll):
    registered while it runs, so others see it, and renewed as it goes."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "poller"
    id: str = Field(primary_key=True)  # random per run
    machine: str = ""
    pid: int = 0
    kind: str = "poll"  # poll | watch | tui
    started_at: datetime = Field(default_factory=utcnow)
    seen_at: datetime = Field(default_factory=utcnow, index=True)


class Post(SQLModel, table=True):
    """One story. `feed_id` is the first feed it arrived from; all sources are in PostSource."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "post"
    __table_args__ = (
        Index("ix_post_theme_published", "theme", "published"),
        # the inbox's order ("newest first", undated posts by first sight): without these, every
        # page of 100,000 posts is a full scan and sort (see benchmarks/bench_tui.py)
        Index("ix_post_when", func.coalesce(literal_column("published"),
                                            literal_column("first_seen_at"))),
        Index("ix_post_theme_when", "theme", func.coalesce(literal_column("published"),
                                                           literal_column("first_seen_at"))),
        # the inbox's `feed:` filter: one blog's posts in the window without scanning a theme
        Index("ix_post_feed_when", "feed_id", func.coalesce(literal_column("published"),
                                                            literal_column("first_seen_at"))),
    )
    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id", index=True)
    guid: str | None = None
    link: str | None = Field(default=None, index=True)  # canonical: absolute, tracking stripped
    url: str | None = None  # the author's own link where it differs from `link` (for export)
    title: str = ""
    author: str | None = None
    person: str | None = None
    org: str | None = None
    published: datetime | None = Field(default=None, index=True)
    updated: datetime | None = None
    summary: str = ""  # readable plain text, control/bidi characters removed
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    content_hash: str = ""
    first_seen_at: datetime = Field(default_factory=utcnow, index=True)
    last_seen_at: datetime = Field(default_factory=utcnow)
    # classification
    theme: str | None = Field(default=None, index=True)
    theme_confidence: float | None = None
    theme_source: str | None = None  # rule | model | user | feed | edition
    theme_why: str | None = None
    # the facilitator's triage
    read: bool = False
    hidden: bool = False


class PostSource(SQLModel, table=True):
    """One feed's copy of a story; identity within a feed is `identity_key`."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "post_source"
    __table_args__ = (UniqueConstraint("feed_id", "identity_key"),)
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    feed_id: int = Field(foreign_key="feed.id", index=True)
    identity_key: str  # "guid:...", "link:..." or "title:...|date"
    guid: str | None = None
    link: str | None = None
    first_seen_at: datetime = Field(default_factory=utcnow)


class Theme(SQLModel, table=True):
    """A roundup section the classifier sorts into."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "theme"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True)
    name: str
    description: str = ""
    position: int = 0
    seeds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Rule(SQLModel, table=True):
    """A visible, editable rule: match `pattern` in `field` -> theme. Rules beat the model."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "rule"
    id: int | None = Field(default=None, primary_key=True)
    field: str  # phrase | tag | author | feed | domain
    pattern: str
    theme: str
    feed_id: int | None = Field(default=None, foreign_key="feed.id")  # scope; None = everything
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class TrainingSignal(SQLModel, table=True):
    """A labelled example from the facilitator: a re-theme or a placement in an edition."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "training_signal"
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    theme: str
    source: str  # user | edition
    weight: float = 1.0
    created_at: datetime = Field(default_factory=utcnow)


class ModelBlob(SQLModel, table=True):
    """A persisted classifier (so start-up does not retrain)."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "model_blob"
    name: str = Field(primary_key=True)
    version: str
    trained_at: datetime = Field(default_factory=utcnow)
    n_examples: int = 0
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Edition(SQLModel, table=True):
    """A roundup issue: draft until published."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "edition"
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(index=True, unique=True)
    title: str
    status: str = "draft"  # draft | published | set aside (an extra draft from before v9)
    window_start: datetime | None = None
    window_end: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    revision: int = 0  # +1 on every change to the edition, its sections or its items
    # (unique partial indexes hold one draft at a time and a post once per edition: see
    # migrations.EDITION_GUARDS; declared there, as plain SQL both SQLite and PostgreSQL read)


class EditionSection(SQLModel, table=True):
    """A section of an edition: free text (`kind='text'`) or one theme's blog sub-section."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "edition_section"
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    kind: str = "text"  # text | theme
    title: str
    body: str = ""
    theme: str | None = None
    position: int = 0


class EditionItem(SQLModel, table=True):
    """A link in an edition: a picked post or a manual link, with its blurb."""

    model_config = LAZY_VALIDATORS

    __tablename__ = "edition_item"
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    section_id: int = Field(foreign_key="edition_section.id", index=True)
    post_id: int | None = Field(default=None, foreign_key="post.id", index=True)
    position: int = 0
    title: str
    link: str  # canonical: the key that says whether a story was featured before
    url: str | None = None  # the link as the author (or the editor) gave it: what exports carry
    person: str | None = None
    org: str | None = None
    blurb: str | None = None  # None = generate from the template
    note: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


# The Core handles of the tables, declared once (queries that need no ORM objects use these).
FEEDS = SQLModel.metadata.tables["feed"]
HOST_PAUSES = SQLModel.metadata.tables["host_pause"]
HOST_LEASES = SQLModel.metadata.tables["host_lease"]
POLLERS = SQLModel.metadata.tables["poller"]
POSTS = SQLModel.metadata.tables["post"]
POST_SOURCES = SQLModel.metadata.tables["post_source"]
THEMES = SQLModel.metadata.tables["theme"]
EDITIONS = SQLModel.metadata.tables["edition"]
EDITION_ITEMS = SQLModel.metadata.tables["edition_item"]
