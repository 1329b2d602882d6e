"""Shared set-up for the TUI tests: a demo server, a polled temporary curator, waiting helpers."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pgkit
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from curator.cli.demo_commands import demo_locations, poll_demo, prepare_demo
from curator.config import Settings
from curator.demo import DemoServer
from curator.services import Curator

FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # demo dates for stable snapshots


SERVER_DB = "server-database.url"  # in a template folder: its database on the test server


def polled_curator(server: DemoServer, home: Path, db: str | None = None) -> Curator:
    curator = prepare_demo(server, home, db)
    totals = poll_demo(curator, echo=False)
    assert totals["errors"] == 0, totals
    return curator


def polled_template(server: DemoServer, home: Path) -> Path:
    """Poll the demo once into `home` and close it, for tests to copy (polling costs seconds).
    On a server run (CURATOR_TEST_PG) the database is one on the server, named in the folder."""
    db = pgkit.create_database() if pgkit.SERVER else None
    polled_curator(server, home, db).close()
    if db is not None:
        (home / SERVER_DB).write_text(db)
    return home


def curator_from_copy(template: Path, home: Path) -> Curator:
    shutil.copytree(template, home)
    locations = demo_locations(home)
    if (home / SERVER_DB).is_file():
        locations = replace(locations, db=pgkit.clone_database((home / SERVER_DB).read_text()))
    return Curator(locations, Settings())


async def _workers_done(pilot: Pilot[object]) -> None:
    await pilot.pause()  # pending messages first: they may start workers (a filter's reload)
    with contextlib.suppress(WorkerCancelled, WorkerFailed):  # replaced, or failed: the app
        # reports failures itself (a notification); tests assert on that
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def poll_finished(app: object) -> bool:
    """The app's status line says how the last poll pass ended."""
    status = str(getattr(app, "poll_status", ""))
    return status.startswith(("polled ", "no feed is due", "poll failed")) or "another poller" in status


async def settle(pilot: Pilot[object], until: Callable[[], bool] | None = None,
                 timeout: float = 30.0) -> None:
    """Let workers finish and messages land; optionally wait for a condition."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await _workers_done(pilot)
        if until is None or until():
            if until is None:
                await _workers_done(pilot)
            return
        if loop.time() > deadline:
            notes = getattr(pilot.app, "recorded_notes", None)
            if notes is None:
                notes = [n.message for n in pilot.app._notifications]
            raise AssertionError(f"timed out waiting for the app; notifications: {notes}")
        await pilot.pause(0.05)


def modal_open(app: object) -> bool:
    """True once a dialog (or the command palette) is the active screen, so keys reach it."""
    from textual.screen import ModalScreen

    return isinstance(getattr(app, "screen", None), ModalScreen)


def record_notifications(app: object) -> list[str]:
    """Keep every notification the app shows (they expire on screen before a timeout reports)."""
    notes: list[str] = []
    original = app.notify  # type: ignore[attr-defined]

    def notify(message: str, *args: object, **kwargs: object) -> None:
        notes.append(f"{kwargs.get('severity', 'information')}: {message}")
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[attr-defined]
    app.recorded_notes = notes  # type: ignore[attr-defined]
    return notes


async def select_in_tree(pilot: Pilot[object], screen: object, match: Callable[[object], bool]
                         ) -> None:
    """Put the roundup tree's cursor on the first node whose data `match`es (as arrow keys
    would)."""
    tree = screen.query_one("#edition-tree")  # type: ignore[attr-defined]
    await settle(pilot)
    nodes = [tree.root]
    while nodes:
        node = nodes.pop(0)
        if node.data is not None and match(node.data):
            tree.move_cursor(node)
            tree.focus()
            await settle(pilot, lambda node=node: tree.cursor_node is node)
            return
        nodes.extend(node.children)
    raise AssertionError("no such node in the roundup tree")


def modal_text(app: object) -> str:
    """The question an open Confirm dialog asks ('' for any other screen)."""
    return str(getattr(getattr(app, "screen", None), "question", ""))
