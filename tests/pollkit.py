"""Helpers for the poller's tests: a facade over a temp OPML listing loopback feeds."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from curator.paths import Locations
from curator.services import Curator


def write_opml(path: Path, urls: list[str], person: str | None = None,
               org: str | None = None) -> Path:
    extra = ""
    if person:
        extra += f" curator:person={quoteattr(person)}"
    if org:
        extra += f" curator:org={quoteattr(org)}"
    outlines = "".join(f'<outline text="Blog {i}" type="rss" xmlUrl={quoteattr(u)}{extra}/>'
                       for i, u in enumerate(urls))
    path.write_text('<?xml version="1.0" encoding="utf-8"?>'
                    '<opml version="2.0" xmlns:curator="https://curator.invalid/ns/1">'
                    f"<head><title>test</title></head><body>{outlines}</body></opml>",
                    encoding="utf-8")
    return path


def make_curator(tmp_path: Path, urls: list[str], **kwargs: str) -> Curator:
    write_opml(tmp_path / "feeds.opml", urls, **kwargs)
    return reopen_curator(tmp_path)


def reopen_curator(tmp_path: Path) -> Curator:
    """A new facade on the same database and OPML (what a second `curator` process gets)."""
    return Curator(Locations.resolve(str(tmp_path / "curator.db"), str(tmp_path / "feeds.opml")))
