"""Inbox speed with a big database: first screen from launch, and every filter keystroke.

    python benchmarks/bench_tui.py [--posts 100000] [--db PATH] [--runs 3]
    python benchmarks/bench_tui.py --db postgresql://USER@127.0.0.1:PORT/bench   # on a server

Generates (once) a database of N posts over 200 feeds in the four default themes: a few dozen
common words plus a long tail of rare ones, most older posts read, some hidden, a published edition
and a draft whose window covers every post (the worst case: nothing is cut by the window). Then it
starts the real app in a fresh process per run, headless, and measures:

- first screen: from the process launch (interpreter, imports, database open included) to the
  first inbox rows painted, with the modules byte-compiled first as an installed curator's are.
  The app opens as a bare `curator` does (`curator.launch.tui_session.TuiSession`): the UI's imports are
  timed separately; the data layer loads meanwhile in the forked first-page helper;
- keystroke latency: from a key event entering the app (as from the terminal) to the first screen
  paint after the inbox rows for that key are in place. Every key of a realistic script counts:
  common and rare words, a word that matches nothing, several words, person, theme / unread /
  picked / since / feed filters, backspaces, escape to clear, the flat list. The typist pauses after
  each word, so the (capped) count queries of the last word run while the next key is handled.

Targets: first screen < 1 s, every keystroke < 100 ms, peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = ["council", "data", "open", "service", "design", "research", "digital", "tools",
         "weeknotes", "housing", "library", "consultation", "transparency", "prototype",
         "accessibility", "dashboard", "volunteers", "community", "blueprint", "spreadsheet",
         "engagement", "roadmap", "procurement", "forms", "mapping", "health", "fire", "rota",
         "training", "skills", "budget", "charity", "policy", "users", "residents", "tenants",
         "patients"]
SYLLABLES = ["ka", "lo", "mir", "ben", "tas", "ur", "vel", "dor", "pim", "sa", "qua", "ix", "ost",
             "nel", "bra", "fen", "gil", "hod", "jun", "wex"]
THEMES = ("openness", "improvement", "tools", "other")
BENCH_VERSION = "2"  # bump when generate() changes; an older database is refused
RARE_WORD = "quaixbra"  # in about 30 posts (see generate)
# (label, keys) typed in order; "/" refocuses the box, not measured (no reload)
SCRIPT: list[tuple[str, list[str]]] = [
    ("common words", list("council data")),
    ("backspace", ["backspace"] * 12),
    ("filters", list("theme:tools unread")),
    ("escape", ["escape", "/"]),
    ("picked", list("picked")),
    ("escape", ["escape", "/"]),
    ("no match", list("zebra")),
    ("escape", ["escape", "/"]),
    ("rare word", list(RARE_WORD)),
    ("escape", ["escape", "/"]),
    ("person", list("Person 17")),
    ("escape", ["escape", "/"]),
    ("since + word", list("since:7d housing")),
    ("escape", ["escape", "/"]),
    ("feed", list("feed:blog17 rota")),
    ("escape", ["escape"]),
    ("flat list", ["v", "/"]),  # v: group by theme or list by date
    ("flat search", list("weeknotes 17")),
    ("escape", ["escape"]),
]
KEY_GAP = 0.12  # a brisk typist: about 8 keys a second
WORD_PAUSE = 0.6  # after a word: long enough for the count queries to start
NAMED = {" ": "space", "/": "slash", ":": "colon"}


def generate(db_path: Path | str, posts: int, seed: int = 7) -> None:
    """Write `posts` posts straight into a fresh curator database (schema via the real code)."""
    from sqlalchemy import insert, text

    from curator.store.engine import Database
    from curator.store.tables import FEEDS, POSTS

    rng = random.Random(seed)
    tail = sorted({"".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(3000)}
                  - {RARE_WORD})
    db = Database(str(db_path)).open()
    now = datetime.now(UTC)
    with db.write() as session:
        conn = session.connection()
        conn.execute(insert(FEEDS), [
            {"url": f"https://blog{i}.example/feed.xml", "title": f"Blog {i}",
             "person": f"Person {i}", "org": f"Org {i % 40}", "category": f"Cat {i % 7}",
             "in_opml": True, "status": "ok", "error_count": 0, "created_at": now}
            for i in range(1, 201)])
        batch = []
        for n in range(posts):
            words = [rng.choice(WORDS) for _ in range(rng.randint(4, 9))]
            if rng.random() < 0.3:  # the long tail: names, places, projects
                words.insert(rng.randrange(len(words)), rng.choice(tail).capitalize())
            if n % 3331 == 5:
                words.append(RARE_WORD)
            age = timedelta(minutes=n * 7)
            batch.append({
                "feed_id": rng.randint(1, 200), "guid": f"g{n}", "link": f"https://x.example/{n}",
                "title": " ".join(words).capitalize(), "person": f"Person {n % 200}",
                "org": f"Org {n % 40}", "published": now - age,
                "summary": " ".join(rng.choice(WORDS) for _ in range(40)),
                "tags": [rng.choice(WORDS)], "content_hash": str(n), "first_seen_at": now,
                "last_seen_at": now, "theme": rng.choice(THEMES),
                "theme_confidence": rng.random(), "theme_source": "model",
                "theme_why": "benchmark", "read": age > timedelta(days=3) and rng.random() < 0.95,
                "hidden": rng.random() < 0.02})
            if len(batch) == 5000:
                conn.execute(insert(POSTS), batch)
                batch = []
        if batch:
            conn.execute(insert(POSTS), batch)
        conn.execute(text("INSERT INTO curator_meta (key, value) VALUES ('bench_version', :v)"),
                     {"v": BENCH_VERSION})
    db.close()
    _editions(db_path, posts, rng, now)


def _editions(db_path: Path | str, posts: int, rng: random.Random, now: datetime) -> None:
    """A published edition of 40 posts, then a draft over every post with 30 picked."""
    from curator.paths import Locations
    from curator.services import Curator

    home = Path(tempfile.mkdtemp(prefix="curator-bench-")) if _is_url(db_path) else \
        Path(db_path).parent
    opml = home / "bench-feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>\n',
                    encoding="utf-8")
    curator = Curator(Locations(db=str(db_path), opml=opml, config_dir=home / "config",
                                data_dir=home, cache_dir=home / "cache"))
    oldest = now - timedelta(minutes=posts * 7 + 60)
    curator.roundup.new_edition(title="Bench 1", since=oldest, until=now - timedelta(days=30))
    curator.roundup.pick(rng.sample(range(posts // 2, posts), 40), force=True)
    curator.roundup.publish(check=False)  # the generated links lead nowhere
    curator.roundup.new_edition(title="Bench 2", since=oldest, until=now + timedelta(days=1))
    curator.roundup.pick(rng.sample(range(1, 2000), 20) + rng.sample(range(2000, posts), 10), force=True)
    curator.close()


def _is_url(db: Path | str) -> bool:
    return "://" in str(db)


def _bench_version(db: Path | str) -> str | None:
    """The benchmark version that generated `db`, None when it holds no benchmark data."""
    if not _is_url(db) and not Path(db).exists():
        return None
    from sqlalchemy import text

    from curator.store.engine import Database

    database = Database(str(db)).open()
    with database.read() as session:
        row = session.execute(text("SELECT value FROM curator_meta "
                                   "WHERE key = 'bench_version'")).first()
    database.close()
    return row[0] if row else None


def _check_version(db_path: Path | str) -> None:
    if _bench_version(db_path) != BENCH_VERSION:
        sys.exit(f"{db_path} was made by another version of this benchmark; delete it")


async def measure(db_path: Path | str, opml: Path, launched: float) -> dict[str, object]:
    """One run in this process: launch → first screen, then the keystroke script."""
    from curator.launch.tui_session import TuiSession  # what a bare `curator` runs
    from curator.paths import Locations

    home = opml.parent
    locations = Locations(db=str(db_path), opml=opml, config_dir=home / "config",
                          data_dir=home, cache_dir=home / "cache")
    session = TuiSession(locations, poll_on_start=False)
    app = session.__enter__()  # forks the first-page helper, imports the UI
    imported = time.time()
    import gc

    from textual import events

    from curator.tui.messages import InboxCounted, InboxLoaded
    from curator.tui.screens.inbox_screen import InboxScreen

    gc_log: list[tuple[int, float]] = []
    gc_start: list[float] = [0.0]

    def gc_timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            gc_log.append((info["generation"], time.perf_counter() - gc_start[0]))

    gc.callbacks.append(gc_timer)
    result: dict[str, object] = {}
    paints: list[tuple[float, float, int]] = []  # (start, end, inbox loads) of each paint
    waiting: dict[str, object] = {}
    shown = {"loads": 0, "counts": 0}  # pages and counts the inbox took (not stale ones)
    stats: dict[str, float] = {}  # the last page's: worker query, and its handling until painted

    def hook(message: object) -> None:
        """Textual's own message hook (run_test): sees each message as it is dispatched."""
        screen = app.screen_stack[-1] if app.screen_stack else None  # none before the first
        if not isinstance(screen, InboxScreen):
            return
        latest = getattr(message, "generation", None) == screen._load_generation
        if isinstance(message, InboxLoaded) and latest:
            shown["loads"] += 1
            stats.update(db_ms=message.elapsed * 1000, dispatched=time.perf_counter())
        elif isinstance(message, InboxCounted) and latest:
            shown["counts"] += 1

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        while not isinstance(app.screen, InboxScreen):
            await asyncio.sleep(0.001)
        screen = app.screen
        original = screen._compositor_refresh

        def painted() -> None:
            start = time.perf_counter()
            original()
            paints.append((start, time.perf_counter(), shown["loads"]))
            event = waiting.get("event")
            if isinstance(event, asyncio.Event) and shown["loads"] > int(waiting["loads"]):
                event.set()

        screen._compositor_refresh = painted  # type: ignore[method-assign]

        async def paint_after(loads: int, timeout: float = 10.0) -> float:
            """When the first paint with more than `loads` inbox loads ended."""
            event = asyncio.Event()
            waiting.update(event=event, loads=loads)
            if not any(seen > loads for _, _, seen in paints):
                await asyncio.wait_for(event.wait(), timeout)
            waiting.clear()
            return next(end for _, end, seen in paints if seen > loads)

        await paint_after(0)
        painted_at = time.time() - (time.perf_counter() - paints[-1][1])
        result["first_screen_s"] = painted_at - launched
        result["imports_s"] = imported - launched
        result["rows_shown"] = len(screen.posts)
        while shown["counts"] < 1:
            await asyncio.sleep(0.005)
        result["counts_s"] = time.time() - launched
        result["status"] = screen.status.local
        driver = app._driver
        assert driver is not None
        keys: list[dict[str, object]] = []
        await pilot.press("slash")
        for label, script in SCRIPT:
            for index, key in enumerate(script):
                name = NAMED.get(key, key)
                measured = name != "slash"
                before = shown["loads"]
                paints.clear()
                t0 = time.perf_counter()
                driver.send_message(events.Key(name, key if len(key) == 1 else None))
                if measured:
                    done = await paint_after(before)
                    spent = [end - start for start, end, _ in paints if end <= done]
                    keys.append({"label": label, "key": key, "query": screen.query_text,
                                 "ms": (done - t0) * 1000, "paints": len(spent),
                                 "paint_ms": sum(spent) * 1000,
                                 "db_ms": stats.get("db_ms", 0.0),
                                 "shown_ms": (done - stats.get("dispatched", done)) * 1000})
                last = index == len(script) - 1
                await asyncio.sleep(WORD_PAUSE if key == " " or last else KEY_GAP)
        result["keys"] = keys
    session.__exit__()
    result["gc"] = [(g, round(d * 1000, 1)) for g, d in gc_log if d > 0.005]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the first-page helper (reaped by the session): it lives for the first second only
    result["helper_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(runs: list[dict[str, object]]) -> bool:
    med = statistics.median
    first = [float(r["first_screen_s"]) for r in runs]  # type: ignore[arg-type]
    rss = [float(r["peak_rss_mb"]) for r in runs]  # type: ignore[arg-type]
    helper = [float(r.get("helper_rss_mb", 0.0)) for r in runs]  # type: ignore[arg-type]
    counts = [float(r["counts_s"]) for r in runs]  # type: ignore[arg-type]
    imports = [float(r["imports_s"]) for r in runs]  # type: ignore[arg-type]
    per_run = [[float(k["ms"]) for k in r["keys"]] for r in runs]  # type: ignore[attr-defined]
    print(f"runs: {len(runs)}, keystrokes per run: {len(per_run[0])}")
    print(f"{'first screen (s)':<28}" + "  ".join(f"{v:6.2f}" for v in first)
          + f"   median {med(first):.2f}")
    print(f"{'  of which UI imports (s)':<28}" + "  ".join(f"{v:6.2f}" for v in imports)
          + f"   median {med(imports):.2f}")
    after = [f - i for f, i in zip(first, imports, strict=True)]
    print(f"{'  after UI imports (s)':<28}" + "  ".join(f"{v:6.2f}" for v in after)
          + f"   median {med(after):.2f}")
    print(f"{'counts shown (s)':<28}" + "  ".join(f"{v:6.2f}" for v in counts))
    for name, fn in (("keystroke median (ms)", med), ("keystroke p95 (ms)",
                                                      lambda v: _pct(v, 0.95)),
                     ("keystroke p99 (ms)", lambda v: _pct(v, 0.99)),
                     ("keystroke worst (ms)", max)):
        values = [fn(v) for v in per_run]
        print(f"{name:<28}" + "  ".join(f"{v:6.1f}" for v in values)
              + f"   median {med(values):.1f}")
    print(f"{'peak RSS (MB)':<28}" + "  ".join(f"{v:6.1f}" for v in rss)
          + f"   median {med(rss):.1f}")
    print(f"{'  + first-page helper (MB)':<28}" + "  ".join(f"{v:6.1f}" for v in helper)
          + f"   median {med(helper):.1f}")
    print(f"status line: {runs[0]['status']}")
    every = [k for r in runs for k in r["keys"]]  # type: ignore[attr-defined]
    by_label: dict[str, list[float]] = {}
    for k in every:
        by_label.setdefault(str(k["label"]), []).append(float(k["ms"]))
    print("by kind: median / worst ms")
    for label, values in by_label.items():
        print(f"  {label:<18}{med(values):7.1f} {max(values):7.1f}")
    print("slowest keystrokes (ms: total; worker query, page handled until painted, paints):")
    for k in sorted(every, key=lambda k: -float(k["ms"]))[:8]:
        print(f"  {float(k['ms']):6.1f}  {k['query']!r:<24} db {k.get('db_ms', 0):5.1f}"
              f"  shown {k.get('shown_ms', 0):5.1f}"
              f"  paint {k['paint_ms']:5.1f} ({k['paints']})")
    worst = max(max(v) for v in per_run)
    pooled = [v for run in per_run for v in run]
    print(f"all {len(pooled)} keystrokes: median {med(pooled):.1f} ms, p99 "
          f"{_pct(pooled, 0.99):.1f} ms, worst {worst:.1f} ms")
    checks = {"first screen < 1 s from process start": med(first) < 1.0,
              "first screen < 1 s after UI imports": med(after) < 1.0,
              "keystroke median < 50 ms": med(pooled) < 50,
              "keystroke p99 < 100 ms": _pct(pooled, 0.99) < 100,
              "every keystroke < 100 ms": worst < 100, "peak memory < 300 MB (app + helper)":
              max(a + b for a, b in zip(rss, helper, strict=True)) < 300}
    for name, met in checks.items():
        print(f"{'met   ' if met else 'MISSED'} {name}")
    return all(checks.values())


def _byte_compile() -> None:
    """Byte-compile curator and this script once, so each launch is a normal installed start.

    `pip install .` does this for curator; with an editable install and PYTHONDONTWRITEBYTECODE
    set, every launch would otherwise recompile its modules (and this harness, run as a script)
    and count that as start-up time. Children run this file with `-m` so its cache is used.
    """
    import compileall

    import curator

    compileall.compile_dir(str(Path(curator.__file__).parent), quiet=1)
    compileall.compile_file(__file__, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--db", default=None,
                        help="reuse or create this database (a file, or an empty PostgreSQL "
                             "database's URL)")
    parser.add_argument("--runs", type=int, default=3, help="fresh app processes to measure")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run-once", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="curator-bench-"))
    db_path: Path | str = args.db or folder / f"bench-{args.posts}.db"
    if args.generate_only:
        generate(db_path, args.posts)
        return
    opml = folder / "feeds.opml"
    if args.run_once is not None:  # a child: one measured launch
        opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>\n',
                        encoding="utf-8")
        print(json.dumps(asyncio.run(measure(db_path, opml, args.run_once))))
        return
    if _bench_version(db_path) is None:
        t0 = time.perf_counter()  # generate in a child so its memory is not counted
        subprocess.run([sys.executable, __file__, "--posts", str(args.posts), "--db",
                        str(db_path), "--generate-only"], check=True)
        print(f"generated {args.posts} posts in {time.perf_counter() - t0:.1f} s: {db_path}")
    _check_version(db_path)
    _byte_compile()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(Path(__file__).parent), os.environ.get("PYTHONPATH")) if p)}
    runs = []
    for _ in range(args.runs):
        launched = time.time()
        out = subprocess.run([sys.executable, "-m", "bench_tui", "--db", str(db_path),
                              "--run-once", repr(launched)],
                             check=True, capture_output=True, text=True, env=env)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(runs))
    sys.exit(0 if report(runs) else 1)


if __name__ == "__main__":
    main()
