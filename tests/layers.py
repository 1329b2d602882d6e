"""The layer contract of DESIGN.md §2, checked on the source (every import, lazy ones included).

Bottom to top; a module may import curator modules of its own layer or of a lower one:

    base      errors · paths · config · types · text · urls · when · safe_files
    domain    classify/ · roundup/          (pure: rules, models, views; no I/O, no SQL)
    store     store/                        (the only home of SQL and of the database drivers)
    io        feeds/ · poll/ · outbox/      (the OPML file, the network, SMTP)
    services  services/                     (the one facade: orchestration, no SQL)
    ui        cli/ · tui/ · launch/ · demo/ · __main__

Only store/ imports sqlalchemy, sqlmodel or sqlite3; only tui/ imports textual.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("curator", "curator.errors", "curator.paths", "curator.config", "curator.types",
              "curator.text", "curator.urls", "curator.when", "curator.safe_files")),
    ("domain", ("curator.classify", "curator.roundup")),
    ("store", ("curator.store",)),
    ("io", ("curator.feeds", "curator.poll", "curator.outbox")),
    ("services", ("curator.services",)),
    ("ui", ("curator.cli", "curator.tui", "curator.launch", "curator.demo", "curator.__main__")),
]
ONLY_IN = {"sqlalchemy": ("curator.store",), "sqlmodel": ("curator.store",),
           "sqlite3": ("curator.store",), "textual": ("curator.tui",)}


def layer_of(module: str) -> int:
    """The layer of a curator module: its longest matching prefix decides."""
    best, found = -1, -1
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    if found < 0:
        raise ValueError(f"{module} is in no layer: add it to tests/layers.py")
    return found


def imports_of(source: str, module: str) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in the source, relative ones resolved."""
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            if base == "curator" or base.startswith("curator."):
                for alias in node.names:  # `from curator.store import engine` names a module
                    yield node.lineno, f"{base}.{alias.name}"
            else:
                yield node.lineno, base


def violations(source: str, module: str) -> list[str]:
    """What in `source` (the text of `module`) breaks the contract, one line each."""
    found: list[str] = []
    mine = layer_of(module)
    for line, target in imports_of(source, module):
        top = target.split(".")[0]
        if top in ONLY_IN and not module.startswith(ONLY_IN[top]):
            found.append(f"{module}:{line} imports {top} (only {', '.join(ONLY_IN[top])} may)")
        if top == "curator" and target != "curator":
            theirs = _known_layer(target)
            if theirs is not None and theirs > mine:
                found.append(f"{module}:{line} ({LAYERS[mine][0]}) imports {target} "
                             f"({LAYERS[theirs][0]}, a higher layer)")
    return found


def _known_layer(target: str) -> int | None:
    """The layer of an imported name: `curator.store.engine.Tx` is in store."""
    parts = target.split(".")
    while parts:
        try:
            return layer_of(".".join(parts))
        except ValueError:
            parts.pop()
    return None


def package_violations(root: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(("curator",) + path.relative_to(root).with_suffix("").parts)
        found += violations(path.read_text(encoding="utf-8"), module.removesuffix(".__init__"))
    return found


def import_cycles(root: Path) -> list[list[str]]:
    """Cycles among curator's imports, lazy ones included (see `_run_at_import`)."""
    modules = {".".join(("curator",) + p.relative_to(root).with_suffix("").parts)
               .removesuffix(".__init__"): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _run_at_import(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("curator"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    graph[name].add(full if full in modules else str(node.module))
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name.startswith("curator"))
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif not state.get(target):
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if not state.get(name):
            visit(name)
    return cycles


def _run_at_import(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every import statement that can run: module level, `with`/`try` blocks and function
    bodies (a lazy import in a cycle is a cycle the first time both run); only
    `if TYPE_CHECKING:` blocks are left out, as Python never runs them."""
    for node in body:
        yield from _runnable(node)


def _runnable(node: ast.AST) -> Iterator[ast.stmt]:
    if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
        yield from (n for child in node.orelse for n in _runnable(child))
        return
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _runnable(child)
