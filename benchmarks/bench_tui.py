"""Inbox speed with a big database: first screen from launch, and filter keystroke updates.

    python benchmarks/bench_tui.py [--posts 100000] [--db PATH]

Generates (once) a database of N posts over 200 feeds in the four default themes, then drives the
real app headless with Textual's Pilot: time from launch to the first inbox rows on screen, and from
each keystroke in the filter box to the updated rows on screen. Targets: < 1 s, < 100 ms,
< 300 MB peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = ["council", "data", "open", "service", "design", "research", "digital", "tools", "weeknotes", "housing", "library", "consultation", "transparency", "prototype", "accessibility", "dashboard", "volunteers", "community", "blueprint", "spreadsheet", "engagement", "roadmap", "procurement", "forms", "mapping", "health", "fire", "rota", "training", "skills", "budget", "charity", "policy", "users", "residents", "tenants", "patients"]
THEMES = ("openness", "improvement", "tools", "other")


def generate(db_path: Path, posts: int, seed: int = 7) -> None:
    """Write `posts` posts straight into a fresh curator database (schema via the real code)."""
    from sqlalchemy import insert

    from curator.database import Database
    from curator.models import Feed, Post

    rng = random.Random(seed)
    db = Database(str(db_path)).open()
    now = datetime.now(UTC)
    with db.write() as session:
        conn = session.connection()
        conn.execute(insert(Feed.__table__), [  # type: ignore[attr-defined]
            {"url": f"https://blog{i}.example/feed.xml", "title": f"Blog {i}",
             "person": f"Person {i}", "org": f"Org {i % 40}", "category": f"Cat {i % 7}",
             "in_opml": True, "status": "ok", "error_count": 0, "created_at": now}
            for i in range(1, 201)])
        batch = []
        for n in range(posts):
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
            batch.append({
                "feed_id": rng.randint(1, 200), "guid": f"g{n}", "link": f"https://x.example/{n}",
                "title": title, "person": f"Person {n % 200}", "org": f"Org {n % 40}",
                "published": now - timedelta(minutes=n * 7), "summary": " ".join(
                    rng.choice(WORDS) for _ in range(40)), "tags": [rng.choice(WORDS)],
                "content_hash": str(n), "first_seen_at": now, "last_seen_at": now,
                "theme": rng.choice(THEMES), "theme_confidence": rng.random(),
                "theme_source": "model", "theme_why": "benchmark", "read": False, "hidden": False})
            if len(batch) == 5000:
                conn.execute(insert(Post.__table__), batch)  # type: ignore[attr-defined]
                batch = []
        if batch:
            conn.execute(insert(Post.__table__), batch)  # type: ignore[attr-defined]
    db.close()


async def measure(db_path: Path, opml: Path) -> dict[str, float]:
    from textual.widgets import Input

    from curator.paths import Locations
    from curator.services import Curator
    from curator.tui.app import make_app
    from curator.tui.screens.inbox import InboxScreen

    home = db_path.parent
    locations = Locations(db=str(db_path), opml=opml, config_dir=home / "config",
                          data_dir=home, cache_dir=home / "cache")
    started = time.perf_counter()
    curator = Curator(locations)
    app = make_app(curator, poll_on_start=False)
    result: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        while screen.loads < 1:
            await asyncio.sleep(0.002)
        await pilot.pause()
        result["first_screen_s"] = time.perf_counter() - started
        result["rows_shown"] = len(screen.posts)
        while screen.counted < 1:
            await asyncio.sleep(0.005)
        result["counts_s"] = time.perf_counter() - started
        result["total_posts"] = screen.total
        box = screen.query_one("#filter", Input)

        async def type_text(text: str) -> list[float]:
            """Seconds from each keystroke's edit to its rows on screen (no Pilot idle waits)."""
            timings = []
            for char in text:
                before = screen.loads
                t0 = time.perf_counter()
                box.insert_text_at_cursor(char)
                while screen.loads == before:
                    await asyncio.sleep(0.0005)
                timings.append(time.perf_counter() - t0)
                await asyncio.sleep(0.12)  # a brisk typist: about 8 keys a second
            return timings

        async def clear() -> None:
            box.value = ""
            while screen.workers or screen.query_spec.kwargs():
                await asyncio.sleep(0.005)

        box.focus()
        for label, text in (("search", "council data"), ("filter_tokens", "theme:tools unread")):
            timings = await type_text(text)
            result[f"{label}_keystroke_median_ms"] = statistics.median(timings) * 1000
            result[f"{label}_keystroke_max_ms"] = max(timings) * 1000
            await clear()
        screen.action_toggle_grouping()  # flat list, newest first
        timings = await type_text("weeknotes")
        result["flat_search_keystroke_median_ms"] = statistics.median(timings) * 1000
    curator.close()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="reuse or create this database")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="curator-bench-"))
    db_path = args.db or folder / f"bench-{args.posts}.db"
    if args.generate_only:
        generate(db_path, args.posts)
        return
    if not db_path.exists():
        t0 = time.perf_counter()  # generate in a child so its memory is not counted here
        subprocess.run([sys.executable, __file__, "--posts", str(args.posts), "--db",
                        str(db_path), "--generate-only"], check=True)
        print(f"generated {args.posts} posts in {time.perf_counter() - t0:.1f} s: {db_path}")
    opml = folder / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>\n',
                    encoding="utf-8")
    figures = asyncio.run(measure(db_path, opml))
    for key, value in figures.items():
        print(f"{key:<36}{value:10.1f}")
    ok = (figures["first_screen_s"] < 1.0 and figures["search_keystroke_median_ms"] < 100
          and figures["filter_tokens_keystroke_median_ms"] < 100 and figures["peak_rss_mb"] < 300)
    print("targets met" if ok else "TARGETS MISSED (first screen < 1 s, keystroke < 100 ms, "
          "< 300 MB)")


if __name__ == "__main__":
    main()
