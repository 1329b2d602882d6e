"""Service methods for the themes area (filled in by its issue)."""

from __future__ import annotations

from curator.services.base import ServiceBase


class ThemeService(ServiceBase):
    """themes operations for the CLI and the TUI."""
