"""Service methods for the feeds area (filled in by its issue)."""

from __future__ import annotations

from curator.services.base import ServiceBase


class FeedService(ServiceBase):
    """feeds operations for the CLI and the TUI."""
