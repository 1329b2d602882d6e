"""Helpers for the poller's tests: a facade over a temp OPML listing loopback feeds."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from collections import Counter
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
    """A new facade on the same database and OPML (what a second `curator` process gets): the
    test's server database on a server run, else a file in `tmp_path`."""
    db = os.environ.get("CURATOR_DB") or str(tmp_path / "curator.db")
    return Curator(Locations.resolve(db, str(tmp_path / "feeds.opml")))


def start_reporting(args: list[str], env: dict[str, str]
                    ) -> tuple[subprocess.Popen[str], list[str], threading.Thread]:
    """A poll child in a session of its own (so a test can kill its whole tree), its stdout
    lines collected as they come by a reader thread."""
    proc = subprocess.Popen(args, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lines.extend, args=(proc.stdout,), daemon=True)
    reader.start()
    return proc, lines, reader


def tally_reported(lines: list[str], reported: Counter[str]) -> None:
    """Add the posts a killed poll printed as "URL COUNT" lines (a kill can cut the last line
    short: only whole lines count as reported)."""
    for line in lines:
        if line.endswith("\n") and line.strip() and line.strip() not in ("DONE", "STARTED"):
            url, count = line.split()
            reported[url] += int(count)


def assert_sound_and_kept(db: Path, reported: Counter[str]) -> None:
    """integrity_check ok, and every post a poll reported is stored."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(conn.execute(
            "SELECT f.url, count(ps.id) FROM feed f LEFT JOIN post_source ps "
            "ON ps.feed_id = f.id GROUP BY f.url").fetchall())
    for url, count in reported.items():
        assert stored.get(url, 0) >= count, (url, count, stored.get(url))


def file_rows(db: Path, columns_by_table: dict[str, str], route: str
              ) -> dict[str, list[tuple[object, ...]]]:
    """A database file's rows, table by table, in the order of the columns named, with
    `/route/` taken out of every text: two runs on two routes of one server compare equal."""
    with sqlite3.connect(db) as conn:
        return {table: [tuple(v.replace(f"/{route}/", "/") if isinstance(v, str) else v
                              for v in row)
                        for row in conn.execute(f"SELECT {columns} FROM {table} "
                                                f"ORDER BY {columns}")]
                for table, columns in columns_by_table.items()}
