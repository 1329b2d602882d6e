"""OPML written by curator imports into newsboat with the same feed URLs (and folders as tags)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from curator.paths import Locations
from curator.services import Curator

NEWSBOAT = shutil.which("newsboat")


@pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed")
def test_newsboat_imports_curator_opml(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    service = Curator(Locations.resolve(db=str(tmp_path / "c.db"), opml=str(opml)))
    feeds = [("https://a.example/feed/", "Councils/Digital", "Ann Smith"),
             ("https://b.example/rss.xml?x=1&y=2", "Councils", None),
             ("https://c.example/atom.xml", None, "Zoë O’Brien"),
             ("https://d.example/index.xml", "Open data & civic tech", None)]
    for url, category, person in feeds:
        service.feeds.add_feed(url, discover=False, category=category, person=person,
                         title=f"Blog <{url[8]}> & co")
    service.close()
    home = tmp_path / "home"  # newsboat creates its folders here, never in the real home
    home.mkdir()
    urls, config, cache = tmp_path / "urls", tmp_path / "config", tmp_path / "cache.db"
    urls.touch()
    config.touch()
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local/share"), "PATH": os.environ.get("PATH", ""),
           "LANG": "C.UTF-8"}
    result = subprocess.run([str(NEWSBOAT), "-i", str(opml), "-u", str(urls), "-c", str(cache),
                             "-C", str(config)], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in urls.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [line.split()[0] for line in lines] == [url for url, _, _ in feeds]
    tagged = {line.split()[0]: line.split(" ", 1)[1] if " " in line else "" for line in lines}
    assert tagged["https://a.example/feed/"] == '"Councils/Digital"'
    assert tagged["https://d.example/index.xml"] == '"Open data & civic tech"'
