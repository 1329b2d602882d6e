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
