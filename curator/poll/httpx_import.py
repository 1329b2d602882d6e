"""httpx without its command-line tool.

`import httpx` also imports `httpx._main`, the `httpx` command's module, which loads rich and
pygments when they are installed (Textual installs them): about 40 ms of every poll's start-up
for code curator never runs. A stand-in `httpx._main` placed first makes httpx's own
`try: from ._main import main` take it instead. This leans on httpx's private layout: httpx is
pinned in pyproject.toml and tests/test_upstream_guards.py fails when that import changes.
"""

from __future__ import annotations

import sys
import types

if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    _stand_in = types.ModuleType("httpx._main")

    def main() -> None:
        raise SystemExit("httpx's command-line client is not part of curator")

    _stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = _stand_in

import httpx  # noqa: E402

__all__ = ["httpx"]
