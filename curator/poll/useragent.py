"""How curator names itself on the wire: one User-Agent format for every HTTP client it runs."""

from __future__ import annotations

from curator import __version__

PROJECT_URL = "https://curator.invalid/"


def user_agent(purpose: str) -> str:
    """'curator/0.1.0 (feed reader; +https://curator.invalid/)': the version and why we call."""
    return f"curator/{__version__} ({purpose}; +{PROJECT_URL})"
