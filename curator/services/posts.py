"""Service methods for the posts area (filled in by its issue)."""

from __future__ import annotations

from curator.services.base import ServiceBase


class PostService(ServiceBase):
    """posts operations for the CLI and the TUI."""
