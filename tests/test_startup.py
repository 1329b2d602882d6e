"""The bare `curator` start path: what it loads, what the first screen's queries cost, its errors.

Import state and SQLAlchemy's mapper configuration are per process, so each check runs in a fresh
interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from curator.errors import OpmlError
from curator.launch.failures import describe_failure


def _run(code: str, cwd: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=cwd, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_opening_the_tui_leaves_the_data_layer_to_the_helper(tmp_path: Path) -> None:
    """Until the first rows arrive, this process loads only the UI: the database layer is
    the forked helper's job (curator.tui.prefetch); the CLI and the poller wait for use."""
    found = _run(
        "import json, sys\n"
        "from curator.launch.tui_session import TuiSession\n"
        "from curator.paths import Locations\n"
        "session = TuiSession(Locations.resolve(None, None), poll_on_start=False)\n"
        "app = session.__enter__()\n"
        "import curator.tui.screens.inbox_screen\n"
        "names = ('click', 'curator.cli', 'httpx', 'feedparser', 'curator.poll.pipeline',\n"
        "         'curator.classify.model', 'curator.feeds.opml', 'curator.tui.screens.modals',\n"
        "         'sqlalchemy', 'sqlmodel', 'pydantic', 'curator.services', 'curator.store.tables')\n"
        "loaded = {n: n in sys.modules for n in names}\n"
        "page = app.take_prefetch().page()\n"
        "session.__exit__()\n"
        "loaded['rows'] = page is not None and bool(page.theme_names)\n"
        "print(json.dumps(loaded))\n", tmp_path)
    assert found.pop("rows") is True, "the helper made the database and read its first page"
    assert not any(found.values()), found


_OPEN = (
    "import json\n"
    "from pathlib import Path\n"
    "from sqlalchemy import inspect\n"
    "from curator.paths import Locations\n"
    "from curator.services import Curator\n"
    "from curator.store.tables import Post\n"
    "home = Path('.').resolve()\n"
    "c = Curator(Locations(db=str(home / 'c.db'), opml=home / 'feeds.opml',\n"
    "            config_dir=home / 'config', data_dir=home, cache_dir=home / 'cache'))\n"
)


def test_first_screen_queries_leave_the_orm_unconfigured(tmp_path: Path) -> None:
    """Themes, draft window, first page and counts read through Core SQL (no mapper set-up)."""
    created = _run(_OPEN + "c.roundup.new_edition(title='Draft')\n"
                   "print(json.dumps({'themes': [t.slug for t in c.themes.list_themes()]}))\n", tmp_path)
    assert created["themes"], "the default themes are seeded on first use"
    found = _run(_OPEN + "themes = [t.slug for t in c.themes.list_themes()]\n"
                 "draft = c.roundup.draft_edition()\n"
                 "c.posts.list_posts(limit=60); c.posts.count_posts_by_theme(themes, limit=1001)\n"
                 "before = inspect(Post).configured\n"
                 "c.warm_up()\n"
                 "print(json.dumps({'draft': draft.title, 'before': before,\n"
                 "                  'after': inspect(Post).configured}))\n", tmp_path)
    assert found == {"draft": "Draft", "before": False, "after": True}


def test_bare_curator_reports_a_broken_config_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[poll\ninterval = ", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "curator"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120,
                         env={"CURATOR_HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 1, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("curator: "), out.stderr
    assert "config.toml" in lines[0]


def test_failures_read_as_one_line() -> None:
    assert describe_failure(OpmlError("feeds.opml: not well-formed\nmore")) == \
        "feeds.opml: not well-formed"
    assert describe_failure(FileNotFoundError(2, "No such file", "x.opml")) == \
        "No such file (x.opml)"
    assert describe_failure(ValueError("a bug")) is None
