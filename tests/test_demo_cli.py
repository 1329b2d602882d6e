"""`curator demo --no-tui`: loopback server, temporary home, real poll of every sample blog."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from curator.cli import main
from curator.demo import ALL_POSTS, BLOGS


def test_demo_no_tui_polls_every_blog_and_cleans_up() -> None:
    result = CliRunner().invoke(main, ["demo", "--no-tui", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["feeds"] == len(BLOGS)
    assert report["new_posts"] == sum(len(v) for v in ALL_POSTS.values())
    assert report["errors"] == 0
    assert report["base_url"].startswith("http://127.0.0.1:")
    assert not Path(report["home"]).exists(), "the temporary folder must be removed"


def test_demo_dir_is_kept_with_opml_and_database(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--no-tui", "--dir", str(home)])
    assert result.exit_code == 0, result.output
    assert f"polled {len(BLOGS)} demo blogs" in result.stdout
    opml = (home / "feeds.opml").read_text(encoding="utf-8")
    assert "127.0.0.1" in opml and "curator:person" in opml
    assert (home / "data" / "curator.db").is_file()
