"""The core must never import UI libraries: check in a fresh interpreter where they cannot load.

textual, click and rich are blocked before anything is imported (an import of them raises
ImportError), so any core module that imports one, directly or through another, fails here.
httpx imports its optional command-line entry point (click, rich) inside a try: blocked, it
simply goes without.
"""

from __future__ import annotations

import subprocess
import sys

UI = ("textual", "click", "rich")

CORE_MODULES = [
    "curator.errors", "curator.paths", "curator.config", "curator.store.tables", "curator.store.engine",
    "curator.store.migrations", "curator.urls", "curator.text", "curator.services",
]

BLOCK_UI = (
    "import sys\n"
    f"for name in {UI!r}:\n"
    "    sys.modules[name] = None  # `import textual` now raises ImportError\n"
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK_UI + code], capture_output=True,
                          text=True)


def test_core_does_not_import_ui_libraries() -> None:
    code = (
        "import importlib, pathlib\n"
        "import curator\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "skip = ('curator.cli', 'curator.tui', 'curator.__main__')\n"
        "root = pathlib.Path(curator.__file__).parent\n"
        "for path in sorted(root.rglob('*.py')):\n"
        "    name = '.'.join(('curator',) + path.relative_to(root).with_suffix('').parts)\n"
        "    name = name.removesuffix('.__init__')\n"
        "    if not name.startswith(skip):\n"
        "        importlib.import_module(name)\n"
        "print('ok')\n"
    )
    out = _run(code)
    assert out.returncode == 0 and out.stdout.strip() == "ok", \
        f"a core module imports a UI library:\n{out.stderr[-1500:]}"


def test_the_check_can_fail() -> None:
    """The blocking really bites: a module importing click fails under it."""
    out = _run("import curator.urls\nimport click\n")
    assert out.returncode != 0 and "import of click halted" in out.stderr


def test_cli_help_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from curator.cli import main\n"
        "r = CliRunner().invoke(main, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_module_keeps_the_layer_contract() -> None:
    """DESIGN.md §2, on the source: lower layers never import higher ones, SQL stays in store/."""
    from pathlib import Path

    import curator
    from tests.layers import package_violations

    found = package_violations(Path(curator.__file__).parent)
    assert not found, "layer contract broken:\n" + "\n".join(found)


def test_the_layer_contract_can_fail() -> None:
    from tests.layers import violations

    assert violations("from sqlmodel import select\n", "curator.services.post_service")
    assert violations("def f():\n    import sqlite3\n", "curator.tui.app")  # lazy ones too
    assert violations("from curator.services import Curator\n", "curator.store.engine")
    assert violations("from curator.store import engine\n", "curator.roundup.render")
    assert violations("from ..services import Curator\n", "curator.poll.fetch")  # relative
    assert violations("import textual\n", "curator.cli.poll_commands")
    assert not violations("from curator.store import engine\n", "curator.services.feed_service")
    assert not violations("import sqlalchemy\n", "curator.store.dialect")


def test_no_two_modules_share_a_name() -> None:
    """`store`, `decide`... one name, one module: a reader never wonders which one is meant."""
    from collections import Counter
    from pathlib import Path

    import curator

    root = Path(curator.__file__).parent
    names = Counter(p.stem for p in root.rglob("*.py") if p.stem not in ("__init__", "__main__"))
    assert [n for n, count in names.items() if count > 1] == []


def test_no_import_cycles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    import curator
    from tests.layers import import_cycles

    assert import_cycles(Path(curator.__file__).parent) == []
    # the check can fail: two modules importing each other, even one of them lazily
    (tmp_path / "a.py").write_text("from curator.b import x\n")
    (tmp_path / "b.py").write_text("def late():\n    import curator.a\n")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\n"
                                   "if TYPE_CHECKING:\n    import curator.a\n")
    assert import_cycles(tmp_path) == [["curator.a", "curator.b", "curator.a"]]
