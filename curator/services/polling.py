"""Service methods for the polling area (filled in by its issue)."""

from __future__ import annotations

from curator.services.base import ServiceBase


class PollService(ServiceBase):
    """polling operations for the CLI and the TUI."""
