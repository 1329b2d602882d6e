"""Fingerprints of other libraries' code that curator's speed-ups stand in for or lean on.

A speed-up that replaces or overrides a library's function was written against one version of
it. `source_hash` fingerprints that function's source (as written, from the installed file), so a
test comparing fingerprints fails when an upgrade changes it: review the speed-up against the new
code, then update the fingerprint and the version pin in pyproject.toml.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path


def source_hash(path: Path, dotted: str) -> str:
    """The first 12 hex digits of the SHA-256 of `dotted` (a function, class or Class.method)
    as written in the Python file `path`."""
    text = path.read_text(encoding="utf-8")
    node: ast.AST = ast.parse(text)
    for part in dotted.split("."):
        node = next(n for n in node.body  # type: ignore[attr-defined]
                    if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                    and n.name == part)
    segment = ast.get_source_segment(text, node) or ""
    return hashlib.sha256(segment.encode()).hexdigest()[:12]
