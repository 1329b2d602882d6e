"""The core must never import UI libraries: check in a fresh interpreter.

httpx's package __init__ imports its optional command-line entry point, which loads click and rich
when they are installed; that is httpx's doing, so those modules form the baseline and the check is
that curator's core adds no UI module beyond it (and textual never loads at all).
"""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "curator.errors", "curator.paths", "curator.config", "curator.models", "curator.database",
    "curator.migrations", "curator.urls", "curator.text", "curator.services",
]


def test_core_does_not_import_ui_libraries() -> None:
    code = (
        "import importlib, sys\n"
        "import httpx  # httpx/__init__ imports its optional CLI (click, rich): not our import\n"
        "baseline = set(sys.modules)\n"
        "assert 'textual' not in baseline\n"
        "import curator\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "skip = ('curator.cli', 'curator.tui', 'curator.__main__')\n"
        "import pathlib\n"
        "root = pathlib.Path(curator.__file__).parent\n"
        "for path in sorted(root.rglob('*.py')):\n"
        "    name = '.'.join(('curator',) + path.relative_to(root).with_suffix('').parts)\n"
        "    name = name.removesuffix('.__init__')\n"
        "    if not name.startswith(skip):\n"
        "        importlib.import_module(name)\n"
        "ui = ('textual', 'click', 'rich')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ui and m not in baseline)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported UI modules: {out.stdout.strip()}"


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
