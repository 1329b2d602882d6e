"""Poll benchmark: curator vs newsboat vs lemon24/reader on N generated feeds served from loopback.

For each size (`--sizes 30,300,1000,10000`), each contender polls in its own temp dir, measured as
a child process tree:
  cold     a first poll of N feeds into an empty store
  304      a second poll where every feed answers 304 Not Modified
  news     a third poll where every tenth feed has one new post (new ETag and date) and the
           rest answer 304: the everyday poll
and, for curator alone, `idle`: a plain `curator poll` when nothing is due (the cron case).
Beside them, the parse-only floor: feedparser over the same N bodies on every core.

Reported per run: wall seconds, CPU seconds (user+sys of the whole process tree), CPU
milliseconds per feed, and memory: the largest single process's peak RSS and the tree's peak
sum (sampled every 20 ms). Every contender's store is checked for N x 20 posts. The table gives
medians of `--repeat` runs; contenders run interleaved, round by round.

    .venv/bin/python benchmarks/bench_poll.py --sizes 30,300,1000 --repeat 3
    .venv/bin/python benchmarks/bench_poll.py --sizes 10000 --repeat 1 --timeout 900

newsboat (`apt-get install newsboat`) and reader (`pip install reader sgmllib3k`: its vendored
feedparser needs sgmllib) are skipped when absent.

Like for like: up to 1,000 feeds every feed lives on one host (127.0.0.1); from 10,000 they are
spread over 20 hosts (127.0.0.2-21) so per-host limits do not dominate. Neither newsboat nor
reader limits requests per host, so curator runs with `--per-host` equal to `--concurrency`
unless `--curator-per-host` says otherwise (0: its default).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ENTRIES = 20
SCENARIOS = ("cold", "304", "news")  # in this order, each contender in its own store
WORDS = ["council", "data", "open", "service", "digital", "team", "users", "civic", "design",
         "public", "library", "records", "budget", "policy", "citizens", "engagement", "workshop",
         "prototype", "research", "blog", "network", "tools", "learning", "practice", "change",
         "community", "local", "government", "innovation"]


# --------------------------------------------------------------------------- feeds and server
def _html(rng: random.Random) -> str:
    parts, size, target = [], 0, rng.randint(1000, 3000)
    while size < target:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
        para = (f"<p>{words} <a href=\"https://example.org/{rng.randint(1, 9999)}?utm_source=x\">"
                f"{rng.choice(WORDS)}</a> and <em>{rng.choice(WORDS)}</em>.</p>")
        parts.append(para)
        size += len(para)
    return "".join(parts)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item(i: int, j: int, rng: random.Random, atom: bool, day: int, month: int = 10) -> str:
    title = f"Post {j} of blog {i}: {' '.join(rng.choice(WORDS) for _ in range(5))}"
    link = f"https://blog{i}.example.org/{2026 - j // 12}/{j}/post-{j}"
    body = _esc(_html(rng))
    if atom:
        return (f"<entry><id>urn:blog{i}:post{j}</id><title>{title}</title>"
                f"<link href=\"{link}\"/><updated>2026-{month:02d}-{day:02d}T10:00:00Z</updated>"
                f"<author><name>Author {i}</name></author>"
                f"<content type=\"html\">{body}</content></entry>")
    return (f"<item><guid>{link}</guid><title>{title}</title><link>{link}</link>"
            f"<pubDate>{day:02d} {'Oct' if month == 10 else 'Nov'} 2026 10:00:00 GMT</pubDate>"
            f"<description>{body}</description></item>")


def has_news(i: int) -> bool:
    """Whether feed `i` gains a post in the `news` scenario: every tenth one."""
    return i % 10 == 0


def make_feed(i: int, news: bool = False) -> bytes:
    """Feed `i`: ENTRIES posts, plus with `news` one newer post on top (the others unchanged)."""
    rng = random.Random(i)
    atom = i % 2 == 1
    items = [_item(i, ENTRIES, random.Random(-1 - i), atom, 2, 11)] if news else []
    for j in range(ENTRIES):
        items.append(_item(i, j, rng, atom, 1 + j % 28))
    if atom:
        doc = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
               f"<title>Blog {i}</title><id>urn:blog{i}</id><updated>2026-10-28T10:00:00Z</updated>"
               f"<link href=\"https://blog{i}.example.org/\"/>{''.join(items)}</feed>")
    else:
        doc = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
               f"<title>Blog {i}</title><link>https://blog{i}.example.org/</link>"
               f"<description>Blog number {i}</description>{''.join(items)}</channel></rss>")
    return doc.encode()


LAST_MODIFIED = "Wed, 28 Oct 2026 10:00:00 GMT"
NEWS_MODIFIED = "Mon, 02 Nov 2026 10:00:00 GMT"


async def _serve(bodies: list[bytes], news: dict[int, bytes], edition: Any,
                 port_out: multiprocessing.Queue, latency: float, host: str = "127.0.0.1"
                 ) -> None:
    """Serve `bodies`; while `edition.value` is 1, the feeds in `news` serve that body instead."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                try:
                    i = int(path.rsplit("/", 1)[1].split(".")[0])
                    body = bodies[i]
                except (ValueError, IndexError):
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    continue
                if latency:
                    await asyncio.sleep(latency)
                etag, modified = f'"b{i}"', LAST_MODIFIED
                if edition.value and i in news:
                    body, etag, modified = news[i], f'"b{i}n"', NEWS_MODIFIED
                ctype = "application/atom+xml" if i % 2 else "application/rss+xml"
                if headers.get("if-none-match") == etag or \
                        headers.get("if-modified-since") == modified:
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n"
                                 f"Last-Modified: {modified}\r\n\r\n".encode())
                else:
                    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}; charset=utf-8\r\n"
                                 f"ETag: {etag}\r\nLast-Modified: {modified}\r\n"
                                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, 0, backlog=1024)
    port_out.put(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _server_main(n: int, edition: Any, port_out: multiprocessing.Queue, latency: float,
                 host: str, first: int) -> None:
    bodies = [make_feed(first + i) for i in range(n)]
    news = {i: make_feed(first + i, news=True) for i in range(n) if has_news(first + i)}
    asyncio.run(_serve(bodies, news, edition, port_out, latency, host))


class Server:
    def __init__(self, n: int, latency: float, host: str = "127.0.0.1", first: int = 0,
                 edition: Any = None) -> None:
        """`n` feeds on `host`, generated as feeds first, first+1, ... (distinct stories).
        `edition` (a shared int): 1 while the `news` scenario runs."""
        self._q: multiprocessing.Queue = multiprocessing.Queue()
        self.edition = edition if edition is not None else multiprocessing.Value("i", 0)
        self._p = multiprocessing.Process(target=_server_main,
                                          args=(n, self.edition, self._q, latency, host, first),
                                          daemon=True)
        self.n = n
        self.host = host

    def __enter__(self) -> Server:
        self._p.start()
        self.port = self._q.get(timeout=120)
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.terminate()
        self._p.join()

    def urls(self) -> list[str]:
        return [f"http://{self.host}:{self.port}/feed/{i}.xml" for i in range(self.n)]


# --------------------------------------------------------------------------- measuring
def _tree_rss(root: int) -> tuple[int, int]:
    """(sum, largest) RSS in bytes over `root` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            pid, ppid = int(entry), int(fields[1])
            rss[pid] = int(fields[21]) * page
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    total, largest, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total, largest


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
            timeout: float | None = None) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = largest = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not stop.is_set():
            tree, one = _tree_rss(proc.pid)
            peak, largest = max(peak, tree), max(largest, one)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        stop.set()
        raise
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {err.decode()[-800:]}")
    return {"wall": wall, "cpu": cpu, "rss_mb": largest / 1e6, "tree_mb": peak / 1e6,
            "out": out.decode(errors="replace")}


# --------------------------------------------------------------------------- contenders
def _opml(urls: list[str]) -> str:
    outlines = "".join(f'<outline text="Blog {i}" type="rss" xmlUrl="{u}"/>'
                       for i, u in enumerate(urls))
    return (f'<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><head><title>bench'
            f"</title></head><body>{outlines}</body></opml>")


class Curator:
    name = "curator"

    per_host: int | None = None  # None: the same as the concurrency; 0: curator's default

    def __init__(self, workdir: Path, urls: list[str], concurrency: int) -> None:
        self.dir, self.urls, self.concurrency = workdir, urls, concurrency
        (workdir / "feeds.opml").write_text(_opml(urls))
        self.env = dict(os.environ, CURATOR_HOME=str(workdir / "home"),
                        CURATOR_DB=str(workdir / "curator.db"),
                        CURATOR_OPML=str(workdir / "feeds.opml"))
        exe = Path(sys.executable).with_name("curator")
        self.cmd = [str(exe), "poll", "--all", "--concurrency", str(concurrency), "--json"]
        per_host = concurrency if self.per_host is None else self.per_host
        if per_host:
            self.cmd += ["--per-host", str(per_host)]

    def run(self, timeout: float | None = None) -> dict:
        return measure(self.cmd, env=self.env, timeout=timeout)

    def idle(self) -> dict:
        """A plain `curator poll` right after a full one: nothing is due."""
        return measure([self.cmd[0], "poll"], env=self.env)

    def count(self) -> int:
        with sqlite3.connect(self.dir / "curator.db") as conn:
            return conn.execute("SELECT count(*) FROM post").fetchone()[0]


class Newsboat:
    name = "newsboat"

    def __init__(self, workdir: Path, urls: list[str], concurrency: int) -> None:
        self.dir = workdir
        (workdir / "urls").write_text("\n".join(urls) + "\n")
        (workdir / "config").write_text(f"reload-threads {concurrency}\nmax-items 0\n"
                                        "show-read-feeds yes\n")
        self.cmd = ["newsboat", "-x", "reload", "-u", str(workdir / "urls"),
                    "-c", str(workdir / "cache.db"), "-C", str(workdir / "config")]
        self.env = dict(os.environ, HOME=str(workdir), TERM="dumb")

    def run(self, timeout: float | None = None) -> dict:
        return measure(self.cmd, env=self.env, cwd=str(self.dir), timeout=timeout)

    def count(self) -> int:
        with sqlite3.connect(self.dir / "cache.db") as conn:
            return conn.execute("SELECT count(*) FROM rss_item").fetchone()[0]


READER_SETUP = """
import sys
from reader import make_reader
r = make_reader(sys.argv[1])
for url in open(sys.argv[2]).read().split():
    r.add_feed(url, exist_ok=True)
r.close()
"""
READER_RUN = """
import sys
from reader import make_reader
r = make_reader(sys.argv[1])
r.update_feeds(workers=int(sys.argv[2]), scheduled=False)
r.close()
"""


class Reader:
    name = "reader"

    def __init__(self, workdir: Path, urls: list[str], concurrency: int) -> None:
        self.dir = workdir
        (workdir / "urls").write_text("\n".join(urls))
        db = str(workdir / "reader.sqlite")
        subprocess.run([sys.executable, "-c", READER_SETUP, db, str(workdir / "urls")],
                       check=True)
        self.cmd = [sys.executable, "-c", READER_RUN, db, str(concurrency)]

    def run(self, timeout: float | None = None) -> dict:
        return measure(self.cmd, timeout=timeout)

    def count(self) -> int:
        with sqlite3.connect(self.dir / "reader.sqlite") as conn:
            return conn.execute("SELECT count(*) FROM entries").fetchone()[0]


def available(name: str) -> bool:
    if name == "newsboat":
        return shutil.which("newsboat") is not None
    if name == "reader":
        return subprocess.run([sys.executable, "-c", "import reader"],
                              capture_output=True).returncode == 0
    return True


# --------------------------------------------------------------------------- parse floor
def _parse_one(body: bytes, sanitize: bool) -> int:
    import io

    import feedparser

    result = feedparser.parse(io.BytesIO(body), response_headers={
        "content-type": "application/xml", "content-location": "http://127.0.0.1/"},
        sanitize_html=sanitize, resolve_relative_uris=sanitize)
    return len(result.entries)


def _curator_parse_one(body: bytes, _sanitize: bool) -> int:
    from curator.poll.parse import (
        parse_safely,  # feedparser with curator's speed-ups, plus its text
    )

    outcome = parse_safely(body, {"content-type": "application/xml"}, "http://127.0.0.1/")
    return len(outcome.feed.entries) if outcome.feed else 0


def parse_floor(n: int, sanitize: bool, curator: bool = False) -> dict:
    """feedparser (as shipped) over the N bodies on every core; with `curator`, curator's parse."""
    bodies = [make_feed(i) for i in range(n)]
    workers = os.cpu_count() or 1
    start = time.perf_counter()
    cpu0 = time.process_time()
    one = _curator_parse_one if curator else _parse_one
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        total = sum(pool.map(one, bodies, [sanitize] * n, chunksize=8))
    wall = time.perf_counter() - start
    assert total == n * ENTRIES, total
    return {"wall": wall, "cpu_parent": time.process_time() - cpu0, "workers": workers}


# --------------------------------------------------------------------------- main
HOSTS_FROM = 10_000  # from this size on, feeds are spread over SPREAD hosts
SPREAD = 20


class Servers:
    """N feeds on one host (127.0.0.1), or from HOSTS_FROM feeds on SPREAD hosts."""

    def __init__(self, n: int, latency: float) -> None:
        hosts = SPREAD if n >= HOSTS_FROM else 1
        per = -(-n // hosts)
        self.edition = multiprocessing.Value("i", 0)  # 1: the `news` scenario's feeds
        self._servers = [Server(min(per, n - h * per), latency,
                                "127.0.0.1" if hosts == 1 else f"127.0.0.{2 + h}", first=h * per,
                                edition=self.edition)
                         for h in range(hosts) if n - h * per > 0]

    def __enter__(self) -> Servers:
        for server in self._servers:
            server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.__exit__()

    def urls(self) -> list[str]:
        return [url for server in self._servers for url in server.urls()]


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _cell(runs: list[dict], n: int) -> str:
    if not runs:
        return "-"
    if any(r.get("timeout") for r in runs):
        return "timed out"
    return (f"{_median(runs, 'wall'):7.2f} s {_median(runs, 'cpu'):7.2f} cpu "
            f"{1000 * _median(runs, 'cpu') / n:5.1f} ms/feed {_median(runs, 'rss_mb'):4.0f} MB")


def bench_size(n: int, names: list[str], args: argparse.Namespace, problems: list[str]
               ) -> dict[str, dict[str, list[dict]]]:
    classes = {"curator": Curator, "newsboat": Newsboat, "reader": Reader}
    results: dict[str, dict[str, list[dict]]] = {
        k: {"cold": [], "304": [], "news": [], "idle": []} for k in names}
    stories = {"cold": n * ENTRIES, "304": n * ENTRIES,
               "news": n * ENTRIES + sum(has_news(i) for i in range(n))}
    with Servers(n, args.latency) as servers:
        urls = servers.urls()
        for rep in range(args.repeat):
            for name in names:
                tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
                try:
                    contender = classes[name](tmp, urls, args.concurrency)
                except subprocess.CalledProcessError as exc:  # e.g. reader without sgmllib3k
                    problems.append(f"{name} ({n}) could not be set up: {exc}")
                    print(f"n={n} rep {rep + 1} {name:9} could not be set up", flush=True)
                    continue
                for scenario in SCENARIOS:
                    servers.edition.value = int(scenario == "news")
                    try:
                        r = contender.run(args.timeout)
                    except subprocess.TimeoutExpired:
                        results[name][scenario].append({"timeout": True})
                        print(f"n={n} rep {rep + 1} {name:9} {scenario:4} timed out "
                              f"({args.timeout:.0f} s)", flush=True)
                        break
                    stored = contender.count()
                    if stored != stories[scenario]:
                        problems.append(f"{name} ({n} {scenario}) stored {stored} of "
                                        f"{stories[scenario]}")
                    r.pop("out")
                    results[name][scenario].append(r)
                    print(f"n={n} rep {rep + 1} {name:9} {scenario:5} wall {r['wall']:7.2f} s  "
                          f"cpu {r['cpu']:7.2f} s  largest {r['rss_mb']:5.0f} MB  "
                          f"tree {r['tree_mb']:5.0f} MB  stored {stored}", flush=True)
                if isinstance(contender, Curator) and results[name]["news"] \
                        and not results[name]["news"][-1].get("timeout"):
                    r = contender.idle()
                    r.pop("out")
                    results[name]["idle"].append(r)
                    print(f"n={n} rep {rep + 1} curator   idle wall {r['wall']:7.2f} s  "
                          f"largest {r['rss_mb']:5.0f} MB", flush=True)
                shutil.rmtree(tmp, ignore_errors=True)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="30,300,1000",
                    help="comma-separated feed counts (default 30,300,1000; add 10000)")
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds each answer waits")
    ap.add_argument("--timeout", type=float, default=900.0,
                    help="seconds one contender's poll may take before it counts as timed out")
    ap.add_argument("--only", default="curator,newsboat,reader")
    ap.add_argument("--curator-per-host", type=int, default=None, metavar="N",
                    help="curator's --per-host (default: the same as --concurrency; 0: its own "
                         "default of 8)")
    ap.add_argument("--json", dest="json_out", metavar="FILE")
    args = ap.parse_args()
    Curator.per_host = args.curator_per_host
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    names = [x for x in args.only.split(",") if x and available(x)]
    problems: list[str] = []
    load = [os.getloadavg()[0]]
    table: dict[int, dict] = {}
    for n in sizes:
        results = bench_size(n, names, args, problems)
        floor = parse_floor(n, False)["wall"]
        load.append(os.getloadavg()[0])
        table[n] = {"results": results, "floor": floor}
    print(f"\n{ENTRIES} entries a feed, --concurrency {args.concurrency}, latency "
          f"{args.latency * 1000:.0f} ms, medians of {args.repeat}; load average "
          f"{min(load):.2f}-{max(load):.2f} ({os.cpu_count()} cores). Memory: the largest "
          "process's peak RSS.")
    print(f"{'feeds':>6} {'contender':10} {'cold':>44} {'all 304':>44} {'news (a tenth)':>44}")
    summary: dict[str, dict] = {}
    for n, entry in table.items():
        for name in names:
            runs = entry["results"][name]
            print(f"{n:>6} {name:10} {_cell(runs['cold'], n):>44} {_cell(runs['304'], n):>44} "
                  f"{_cell(runs['news'], n):>44}")
            summary[f"{n}/{name}"] = {sc: ({k: _median(rs, k) for k in ("wall", "cpu", "rss_mb")}
                                           if rs and not any(r.get("timeout") for r in rs)
                                           else None) for sc, rs in runs.items()}
        idle = entry["results"].get("curator", {}).get("idle", [])
        cold = entry["results"].get("curator", {}).get("cold", [])
        extra = ""
        if cold and not any(r.get("timeout") for r in cold):
            extra = f"; curator cold / floor = {_median(cold, 'wall') / entry['floor']:.2f}"
        idle_text = (f"curator with nothing due {_median(idle, 'wall'):.2f} s, "
                     f"{_median(idle, 'rss_mb'):.0f} MB; " if idle else "")
        print(f"{'':>6} {idle_text}parse-only floor {entry['floor']:.2f} s{extra}")
    for problem in problems:
        print("PROBLEM:", problem)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"summary": summary, "problems": problems,
                                                   "load": load}, indent=2))


if __name__ == "__main__":
    main()
