"""Service methods for the roundup area (filled in by its issue)."""

from __future__ import annotations

from curator.services.base import ServiceBase


class RoundupService(ServiceBase):
    """roundup operations for the CLI and the TUI."""
