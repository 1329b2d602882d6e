"""Poll benchmark: curator vs newsboat vs lemon24/reader on N generated feeds served from 127.0.0.1.

Scenarios (each contender in its own temp dir, measured as a child process tree):
  (a) cold poll of N feeds into an empty database
  (b) a second poll where every feed answers 304 Not Modified
  (c) a cold poll with 50 ms of added server latency per request
plus the parse-only floor: feedparser over the same N bodies on every core.

Reported per run: wall seconds, CPU seconds (user+sys of the whole process tree) and peak RSS (sum over
the process tree, sampled every 20 ms). Every contender's store is checked for N x 20 posts.

    /work/venv/bin/python benchmarks/bench_poll.py --feeds 1000 --concurrency 10 --repeat 3

newsboat (`apt-get install newsboat`) and reader (`pip install reader`) are skipped when absent.

Like for like: every feed here lives on one host (127.0.0.1), and neither newsboat nor reader limits
requests per host, so with N reload threads / workers they keep N requests in flight to it. curator
caps requests per host (8 by default) below its overall concurrency, so it runs with
`--per-host` equal to `--concurrency` unless `--curator-per-host` says otherwise (0: its default).
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

ENTRIES = 20
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


def make_feed(i: int) -> bytes:
    rng = random.Random(i)
    atom = i % 2 == 1
    items = []
    for j in range(ENTRIES):
        title = f"Post {j} of blog {i}: {' '.join(rng.choice(WORDS) for _ in range(5))}"
        link = f"https://blog{i}.example.org/{2026 - j // 12}/{j}/post-{j}"
        body = _esc(_html(rng))
        day = 1 + j % 28
        if atom:
            items.append(f"<entry><id>urn:blog{i}:post{j}</id><title>{title}</title>"
                         f"<link href=\"{link}\"/><updated>2026-10-{day:02d}T10:00:00Z</updated>"
                         f"<author><name>Author {i}</name></author>"
                         f"<content type=\"html\">{body}</content></entry>")
        else:
            items.append(f"<item><guid>{link}</guid><title>{title}</title><link>{link}</link>"
                         f"<pubDate>Mon, {day:02d} Oct 2026 10:00:00 GMT</pubDate>"
                         f"<description>{body}</description></item>")
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


async def _serve(bodies: list[bytes], port_out: multiprocessing.Queue, latency: float,
                 host: str = "127.0.0.1") -> None:
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
                etag = f'"b{i}"'
                ctype = "application/atom+xml" if i % 2 else "application/rss+xml"
                if headers.get("if-none-match") == etag or \
                        headers.get("if-modified-since") == LAST_MODIFIED:
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n"
                                 f"Last-Modified: {LAST_MODIFIED}\r\n\r\n".encode())
                else:
                    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}; charset=utf-8\r\n"
                                 f"ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
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


def _server_main(n: int, port_out: multiprocessing.Queue, latency: float, host: str,
                 first: int) -> None:
    bodies = [make_feed(first + i) for i in range(n)]
    asyncio.run(_serve(bodies, port_out, latency, host))


class Server:
    def __init__(self, n: int, latency: float, host: str = "127.0.0.1", first: int = 0) -> None:
        """`n` feeds on `host`, generated as feeds first, first+1, ... (distinct stories)."""
        self._q: multiprocessing.Queue = multiprocessing.Queue()
        self._p = multiprocessing.Process(target=_server_main,
                                          args=(n, self._q, latency, host, first), daemon=True)
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
def _tree_rss(root: int) -> int:
    """Sum of RSS (bytes) over `root` and its descendants."""
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
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {err.decode()[-800:]}")
    return {"wall": wall, "cpu": cpu, "rss_mb": peak / 1e6, "out": out.decode(errors="replace")}


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

    def run(self) -> dict:
        return measure(self.cmd, env=self.env)

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

    def run(self) -> dict:
        return measure(self.cmd, env=self.env, cwd=str(self.dir))

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

    def run(self) -> dict:
        return measure(self.cmd)

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
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--only", default="curator,newsboat,reader")
    ap.add_argument("--curator-per-host", type=int, default=None, metavar="N",
                    help="curator's --per-host (default: the same as --concurrency; 0: its own "
                         "default of 8)")
    ap.add_argument("--json", dest="json_out", metavar="FILE")
    args = ap.parse_args()
    Curator.per_host = args.curator_per_host
    n, conc = args.feeds, args.concurrency
    names = [x for x in args.only.split(",") if x and available(x)]
    classes = {"curator": Curator, "newsboat": Newsboat, "reader": Reader}
    results: dict[str, dict[str, list[dict]]] = {k: {"a": [], "b": [], "c": []} for k in names}
    expected = n * ENTRIES
    problems = []
    floor_runs: list[float] = []  # the parse-only floor, once per repeat, beside the contenders
    for rep in range(args.repeat):
        for name in names:
            with Server(n, 0.0) as server:
                tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
                contender = classes[name](tmp, server.urls(), conc)
                for scenario in ("a", "b"):
                    r = contender.run()
                    stored = contender.count()
                    if stored != expected:
                        problems.append(f"{name} ({scenario}) stored {stored} of {expected}")
                    r.pop("out")
                    results[name][scenario].append(r)
                    print(f"rep {rep + 1} {name:9} ({scenario}) wall {r['wall']:6.2f} s  "
                          f"cpu {r['cpu']:6.2f} s  rss {r['rss_mb']:6.0f} MB  stored {stored}",
                          flush=True)
                shutil.rmtree(tmp, ignore_errors=True)
            with Server(n, args.latency) as server:
                tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
                contender = classes[name](tmp, server.urls(), conc)
                r = contender.run()
                stored = contender.count()
                if stored != expected:
                    problems.append(f"{name} (c) stored {stored} of {expected}")
                r.pop("out")
                results[name]["c"].append(r)
                print(f"rep {rep + 1} {name:9} (c) wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s"
                      f"  rss {r['rss_mb']:6.0f} MB  stored {stored}", flush=True)
                shutil.rmtree(tmp, ignore_errors=True)
        floor_runs.append(parse_floor(n, False)["wall"])
        print(f"rep {rep + 1} parse-only floor {floor_runs[-1]:6.2f} s", flush=True)
    floors = {"no_sanitizer": {"wall": statistics.median(floor_runs), "runs": floor_runs,
                               "workers": os.cpu_count() or 1},
              "with_sanitizer": parse_floor(n, True),
              "curator_parse": parse_floor(n, False, curator=True)}
    print(f"\nN={n} feeds x {ENTRIES} entries, concurrency {conc}, {args.repeat} repeats (medians)")
    print(f"{'':10} {'(a) cold':>24} {'(b) all 304':>24} {'(c) cold +50ms':>24}")
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for name in names:
        cells = []
        summary[name] = {}
        for sc in ("a", "b", "c"):
            runs = results[name][sc]
            med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "rss_mb")}
            summary[name][sc] = med
            cells.append(f"{med['wall']:6.2f}s {med['cpu']:6.2f}cpu {med['rss_mb']:4.0f}MB")
        print(f"{name:10} " + " ".join(f"{c:>24}" for c in cells))
    floor = floors["no_sanitizer"]["wall"]
    print(f"\nparse-only floor (feedparser, {floors['no_sanitizer']['workers']} processes, median "
          f"of {len(floor_runs)}): {floor:.2f} s without sanitizer, "
          f"{floors['with_sanitizer']['wall']:.2f} s with it; "
          f"curator's own parse (speed-ups, nh3 text, no classifying) "
          f"{floors['curator_parse']['wall']:.2f} s")
    if "curator" in summary:
        a, b, c = (summary["curator"][k]["wall"] for k in "abc")
        print(f"curator (a)/floor = {a / floor:.2f} (target <= 1.5); (c)/(a) = {c / a:.2f} "
              f"(target <= 1.5); (b) = {b:.2f} s (target < 2 s)")
    for problem in problems:
        print("PROBLEM:", problem)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"summary": summary, "floors": floors,
                                                   "problems": problems}, indent=2))


if __name__ == "__main__":
    main()
