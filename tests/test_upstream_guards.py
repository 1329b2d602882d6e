"""Guards on other libraries' code that curator's speed-ups lean on (feedparser's have their
own, in test_feedparser_speedups.py).

Each test fails when an upgrade changes the code a speed-up was written against: review the
speed-up against the new code (or drop it for the public API), then update the fingerprint here
and the pin in pyproject.toml.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
from pathlib import Path

from upstream import source_hash

from curator.poll import workers

# curator.tui.screens.screen_base.SteadyFooter skips the stock footer's rebuild when the keys it
# would show are unchanged: it stands in for bindings_changed, reads what compose shows, and walks
# Screen.active_bindings. Identical in textual 7.0.0-8.2.8 (checked on the wheels from PyPI).
TEXTUAL = {
    ("widgets/_footer.py", "Footer.bindings_changed"): "3204cfd55bbc",
    ("widgets/_footer.py", "Footer.compose"): "599054f3465a",
    ("screen.py", "Screen.active_bindings"): "ad3747f3e6ea",
}

# curator.poll.workers writes multiprocessing.Connection frames itself (a 4-byte big-endian
# length, then the bytes) from the event loop, and the worker reads them with recv_bytes.
# Identical in CPython 3.11.7, 3.12.1 and 3.13.0.
MULTIPROCESSING = {
    "Connection._send_bytes": "d21d4440c354",
    "Connection._recv_bytes": "e6104046c848",
    "_ConnectionBase.recv_bytes": "9f966eed4acc",
}


def test_the_textual_code_the_steady_footer_leans_on_is_unchanged() -> None:
    import textual

    folder = Path(textual.__file__).parent
    changed = [f"{name} in {file}" for (file, name), digest in TEXTUAL.items()
               if source_hash(folder / file, name) != digest]
    assert not changed, f"textual {textual.__version__} changed {changed}"


def test_the_multiprocessing_framing_the_parse_workers_write_is_unchanged() -> None:
    source = Path(multiprocessing.connection.__file__)
    changed = [name for name, digest in MULTIPROCESSING.items()
               if source_hash(source, name) != digest]
    assert not changed, f"multiprocessing.connection changed {changed}"


def test_a_frame_written_as_the_pool_writes_it_is_what_a_worker_reads() -> None:
    """The behaviour the fingerprints stand for: our header plus payload is one recv_bytes,
    and send_bytes writes exactly our header plus payload."""
    payload = pickle.dumps((7, ("body", {"a": "b"})))
    reader, writer = multiprocessing.Pipe(duplex=False)
    try:
        os.write(writer.fileno(), workers._HEADER.pack(len(payload)) + payload)
        assert reader.recv_bytes() == payload
        writer.send_bytes(payload)
        raw = os.read(reader.fileno(), workers._HEADER.size + len(payload))
        assert raw == workers._HEADER.pack(len(payload)) + payload
    finally:
        reader.close()
        writer.close()


def test_httpx_still_imports_its_command_line_module_the_way_curator_stands_in_for() -> None:
    """curator.poll.httpx_import puts a stand-in `httpx._main` in place so that `import httpx`
    skips the command-line tool (rich, pygments: ~40 ms). That works while httpx's __init__
    imports it in a `try: from ._main import main` block; checked on httpx 0.27-0.29."""
    import ast
    import importlib.util
    import subprocess
    import sys

    spec = importlib.util.find_spec("httpx")
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    blocks = [node for node in tree.body if isinstance(node, ast.Try)
              and any(isinstance(s, ast.ImportFrom) and s.module == "_main" and s.level == 1
                      and [a.name for a in s.names] == ["main"] for s in node.body)
              and any(isinstance(h.type, ast.Name) and h.type.id == "ImportError"
                      for h in node.handlers)]
    assert len(blocks) == 1, "httpx no longer imports ._main in a try block: review httpx_import"
    # and the stand-in works: a poll's modules load neither rich nor pygments
    probe = ("import sys, curator.poll.fetch, curator.poll.transport; "
             "print(sorted(m for m in ('rich', 'pygments', 'httpx._main') "
             "if m in sys.modules and getattr(sys.modules[m], '__file__', None)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", out
