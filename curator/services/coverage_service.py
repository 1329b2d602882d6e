"""Coverage of the community: who posted, who was featured, which blogs went quiet or broke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from curator.roundup.coverage import CoverageReport, coverage
from curator.services.service_base import ServiceBase
from curator.store import coverage_queries
from curator.when import parse_moment

DEFAULT_WINDOW_DAYS = 90


class CoverageService(ServiceBase):
    def report(self, since: str | datetime | None = None,
               quiet_days: int | None = None) -> CoverageReport:
        """Every blog in the feed list with its member's posts since `since` (default 90 days
        ago), last post and last featured edition; quiet after `quiet_days` (default [coverage]
        quiet_days in config.toml, else 60) without a post."""
        start = (parse_moment(since) if isinstance(since, str) else since) or \
            datetime.now(UTC) - timedelta(days=DEFAULT_WINDOW_DAYS)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        days = quiet_days if quiet_days is not None else self.settings.quiet_days
        with self.db.read() as tx:
            blogs = coverage_queries.blog_facts(tx, start)
            featured = coverage_queries.featured_facts(tx)
        return coverage(blogs, featured, start, days)
