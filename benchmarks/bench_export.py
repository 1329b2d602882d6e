"""Benchmark: export a 200-item edition (database read, blurbs, template render) per format.

Run: python benchmarks/bench_export.py [--items 200] [--repeat 30]
Prints the median and worst time per format and exits 1 if any median is over the 100 ms budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

BUDGET_MS = 100.0


def build(items: int):  # type: ignore[no-untyped-def]
    """A draft with `items` picked posts from 40 feeds spread over the four themes."""
    from curator.services import open_curator
    from curator.store.tables import Feed, Post

    cur = open_curator()
    themes = ["openness", "improvement", "tools", "other"]
    with cur.context.db.write() as session:
        feeds = []
        for n in range(40):
            feed = Feed(url=f"https://blog{n}.example/feed", title=f"Blog {n}",
                        person=f"Person{n} Surname{n}" if n % 3 else None,
                        org=f"Council {n}" if n % 2 else None)
            session.add(feed)
            feeds.append(feed)
        session.flush()
        posts = []
        for n in range(items):
            post = Post(feed_id=feeds[n % 40].id or 0, title=f"Post {n}: <b>notes</b> & *more*",
                        link=f"https://blog{n % 40}.example/{n}", author=f"Author {n}",
                        theme=themes[n % 4], published=datetime.now(UTC))
            session.add(post)
            posts.append(post)
        session.flush()
        ids = [p.id or 0 for p in posts]
    cur.roundup.new_edition(title="Benchmark edition")
    cur.roundup.pick(ids)
    for item in cur.roundup.get_edition().items[::5]:
        cur.roundup.set_note(item.id, "worth a read")
    return cur


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["CURATOR_HOME"] = home
        os.environ.pop("CURATOR_DB", None)
        cur = build(args.items)
        assert len(cur.roundup.get_edition().items) == args.items
        worst_median = 0.0
        for fmt in ("md", "html", "fragment", "txt"):
            cur.roundup.export_edition(fmt)  # warm: template compile, connection pool
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                cur.roundup.export_edition(fmt)
                times.append((time.perf_counter() - start) * 1000)
            median = statistics.median(times)
            worst_median = max(worst_median, median)
            print(f"{fmt:<9} {args.items} items: median {median:6.1f} ms, max {max(times):6.1f} ms")
        cur.close()
    print(f"budget {BUDGET_MS:.0f} ms: {'ok' if worst_median < BUDGET_MS else 'OVER'}")
    return 0 if worst_median < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
