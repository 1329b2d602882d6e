"""Fleet benchmark: one poller on SQLite, one on PostgreSQL, three sharing one PostgreSQL database.

N generated feeds (bench_poll's) are spread over H loopback hosts (127.0.0.2 ...), each host its
own server process answering after L seconds of latency. Every run starts from an empty
database holding the feed list (imported first, not timed), then times `curator poll --all` until
every poller has finished, and checks that N x 20 posts were stored, each link once.

    python benchmarks/bench_fleet.py --pg postgresql://USER@127.0.0.1:PORT/postgres \\
        [--feeds 1000] [--hosts 10] [--latency 0.05] [--repeat 3]

`--pg` names a server and a database to administer from; each run gets a new database there
(the role must be allowed to create databases). The scenarios run interleaved, round by round,
and the report gives medians, the load average, and the ratios to one poller on SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).parent))
from bench_poll import ENTRIES, Server, _opml  # noqa: E402

CURATOR = str(Path(sys.executable).with_name("curator"))


def _admin(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(statement)


def new_database(server: str) -> str:
    name = "curator_bench_" + uuid.uuid4().hex[:10]
    _admin(server, f'CREATE DATABASE "{name}"')
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def drop_database(server: str, url: str) -> None:
    _admin(server, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (Linux /proc/stat; zeros elsewhere):
    tells whether a run was waiting on the network or on the machine's cores."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def run(db: str, pollers: int, opml: Path, work: Path, concurrency: int) -> tuple[float, float]:
    """Import the feed list into `db`, then time `pollers` pollers polling it all at once.
    (A database file's list is its feeds.opml; a server's is imported into the database.)"""
    base = dict(os.environ, CURATOR_DB=db)
    base.pop("CURATOR_OPML", None)
    if "://" not in db:
        base["CURATOR_OPML"] = str(opml)
    subprocess.run([CURATOR, "feeds", "list"] if "://" not in db else
                   [CURATOR, "feeds", "import", str(opml)], check=True, capture_output=True,
                   env=dict(base, CURATOR_HOME=str(work / "facilitator")))
    envs = [dict(base, CURATOR_HOME=str(work / f"poller{n}")) for n in range(pollers)]
    busy_before, total_before = busy_jiffies()
    started = time.perf_counter()
    procs = [subprocess.Popen([CURATOR, "poll", "--all", "--concurrency", str(concurrency),
                               "--json"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for env in envs]
    errors = [p.communicate()[1] for p in procs]
    elapsed = time.perf_counter() - started
    busy_after, total_after = busy_jiffies()
    if any(p.returncode for p in procs):
        sys.exit(f"a poller failed: {errors}")
    share = (busy_after - busy_before) / max(1, total_after - total_before)
    return elapsed, share


def check(db: str, feeds: int) -> None:
    from sqlalchemy import text

    from curator.store.engine import Database

    database = Database(db).open()
    with database.read() as session:
        posts, links = session.execute(text("SELECT count(*), count(DISTINCT link) FROM post")).one()
    database.close()
    if posts != feeds * ENTRIES or links != posts:
        sys.exit(f"{db}: {posts} posts, {links} links; expected {feeds * ENTRIES} of each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="PostgreSQL server URL to make databases on")
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    per_host = -(-args.feeds // args.hosts)
    scenarios = {"1 poller, SQLite": 1, "1 poller, PostgreSQL": 1, "3 pollers, PostgreSQL": 3}
    times: dict[str, list[float]] = {name: [] for name in scenarios}
    busy: dict[str, list[float]] = {name: [] for name in scenarios}
    loads = []
    with ExitStack() as stack:
        servers = [stack.enter_context(Server(per_host, args.latency, f"127.0.0.{2 + h}",
                                              first=h * per_host))
                   for h in range(args.hosts)]
        urls = [url for server in servers for url in server.urls()][:args.feeds]
        for round_no in range(args.repeat):
            for name, pollers in scenarios.items():
                work = Path(tempfile.mkdtemp(prefix="curator-fleet-"))
                opml = work / "feeds.opml"
                opml.write_text(_opml(urls), encoding="utf-8")
                db = str(work / "curator.db") if "SQLite" in name else new_database(args.pg)
                loads.append(os.getloadavg()[0])
                seconds, share = run(db, pollers, opml, work, args.concurrency)
                check(db, len(urls))
                if "://" in db:
                    drop_database(args.pg, db)
                times[name].append(seconds)
                busy[name].append(share)
                print(f"round {round_no + 1}: {name}: {seconds:.2f} s, machine "
                      f"{share:.0%} busy", flush=True)
    base = statistics.median(times["1 poller, SQLite"])
    print(f"\n{len(urls)} feeds on {args.hosts} hosts, {args.latency * 1000:.0f} ms latency, "
          f"--concurrency {args.concurrency}; load average at the starts "
          f"{min(loads):.2f}-{max(loads):.2f}; busy = share of all {os.cpu_count()} cores in use "
          "(pollers, database server and feed servers together)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<24} median {median:6.2f} s  ({' / '.join(f'{v:.2f}' for v in values)})"
              f"  x{median / base:.2f} of one poller on SQLite, machine "
              f"{statistics.median(busy[name]):.0%} busy")


if __name__ == "__main__":
    main()
