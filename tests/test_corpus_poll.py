"""Every corpus file served over HTTP goes through fetch -> parse -> store without crash or hang.

feedparser's fixtures carry `Header:` lines in a leading comment; they are sent as response headers
(`Status:` becomes the status code, redirects to feedparser's old test host point back at our
server). Compressed fixtures are served with the matching Content-Encoding. One server, one poll at
high concurrency, so the whole corpus takes seconds.
"""

from __future__ import annotations

import re
import resource
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from conftest import corpus_dir
from httpserver import FeedServer, Reply
from pollkit import make_curator
from sqlalchemy import text

_HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.M)
_TYPES = {".json": "application/feed+json", ".html": "text/html", ".htm": "text/html"}


def _reply(path: Path, root_url: str) -> Reply:
    body = path.read_bytes()
    headers: dict[str, str] = {}
    status, content_type = 200, _TYPES.get(path.suffix, "application/xml")
    if path.suffix in (".gz", ".z"):
        headers["Content-Encoding"] = "gzip" if path.suffix == ".gz" else "deflate"
    head = body[:4000] if body.lstrip().startswith(b"<!--") else b""
    for name, value in _HEADER.findall(head.split(b"-->")[0]):
        key, val = name.decode("latin-1"), value.decode("latin-1")
        if key.lower() == "status":
            status = int(val)
        elif key.lower() == "content-type":
            content_type = val
        else:
            headers[key] = val.replace("http://localhost:8097/tests/", root_url + "/feedparser/")
    location = headers.pop("Location", None)
    return Reply(status=status, body=body, headers=headers, content_type=content_type,
                 location=location)


def test_whole_corpus_through_the_pipeline(tmp_path) -> None:
    folders = {name: corpus_dir(name) for name in ("feedparser", "realfeeds", "adversarial")}
    started = time.monotonic()
    with FeedServer() as server:
        root = server.url("")
        urls: dict[str, str] = {}
        for name, folder in folders.items():
            for path in sorted(folder.rglob("*")):
                if not path.is_file() or path.suffix in (".tsv", ".md"):
                    continue
                rel = f"/{name}/" + quote(path.relative_to(folder).as_posix())
                urls[server.route(rel, _reply(path, root))] = name
        cur = make_curator(tmp_path, list(urls))
        outcomes = list(cur.polls.poll_iter(concurrency=40))
    elapsed = time.monotonic() - started
    assert len(outcomes) == len(urls)  # every feed answered: nothing hung or vanished
    by_corpus: dict[str, Counter[str]] = {name: Counter() for name in folders}
    for outcome in outcomes:
        by_corpus[urls[outcome.url]][outcome.status] += 1
        assert outcome.status in ("ok", "error", "gone", "not_modified", "redirected")
        if outcome.status == "error":
            assert outcome.error and "\n" not in outcome.error
    counts = {f.url: f.post_count for f in cur.polls.feed_status()}
    with_entries = Counter(urls[u] for u, n in counts.items() if n > 0 and u in urls)
    report = {name: (with_entries[name], sum(c.values()), dict(c))
              for name, c in by_corpus.items()}
    print(f"\ncorpus poll in {elapsed:.1f} s; parsed with entries / files: {report}")
    assert with_entries["realfeeds"] >= 150
    assert with_entries["feedparser"] >= 200  # most fixtures test one feed-level element
    with cur.context.db.read() as session:
        conn = session.connection()
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        for (title,) in conn.execute(text("SELECT title || author || summary FROM post "
                                          "WHERE title IS NOT NULL AND author IS NOT NULL")):
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", title)
    # hostile files never produced posts from expanded entities or local files
    assert cur.posts.count_posts(search="root:x:0:0") == 0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 1500, peak_mb
