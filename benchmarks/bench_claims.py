"""How long one poller of a fleet takes to claim a whole due list, with no fetching at all.

N feeds on H hosts (default one host per feed: 10,000 blogs are mostly 10,000 hosts) are put in a
new database on the server; one FleetMember then claims until nothing is left. The time is the
claiming alone (lease reads and writes, due-list reads), which every fleet run pays on top of
its fetching.

    python benchmarks/bench_claims.py --pg postgresql://USER@127.0.0.1:PORT/postgres \\
        [--feeds 10000] [--hosts N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit


def _database(admin_url: str) -> str:
    import psycopg

    name = f"curator_claims_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_once(admin_url: str, feeds: int, hosts: int) -> tuple[float, int]:
    from curator.services.fleet_member import FleetMember
    from curator.store.engine import Database
    from curator.store.tables import FEEDS

    db = Database(_database(admin_url)).open()
    with db.write() as tx:
        tx.connection().execute(FEEDS.insert(), [
            {"url": f"http://blog{i % hosts}.example/feed{i}.xml", "in_opml": True,
             "status": "new", "error_count": 0, "created_at": datetime.now(UTC)}
            for i in range(feeds)])
    member = FleetMember(db, "poll", 120).join()
    started = datetime.now(UTC)
    claims = given = 0
    clock = time.perf_counter()
    while rows := member.claim(False, started)[0]:
        claims += 1
        given += len(rows)
    elapsed = time.perf_counter() - clock
    member.leave()
    db.close()
    assert given == feeds, (given, feeds)
    return elapsed, claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("CURATOR_TEST_PG"), required=False)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.pg:
        parser.error("--pg URL (or CURATOR_TEST_PG) names the server")
    hosts = args.hosts or args.feeds
    times, claims = [], 0
    for _ in range(args.repeat):
        seconds, claims = run_once(args.pg, args.feeds, hosts)
        times.append(seconds)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.feeds} feeds on {hosts} hosts: {claims} claims, median {statistics.median(times):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times)}), load {load:.2f}")


if __name__ == "__main__":
    main()
