"""A poll with nothing due answers from the database file alone, and only when it is sure.

`store.due_probe` asks sqlite3 directly so a scheduled poll with nothing to do skips loading the
data layer; these tests hold its answer equal to the poller's own query for every kind of feed,
and check that any doubt sends the poll down the full path.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pollkit import make_curator
from sqlalchemy import text

from curator.poll.schedule import is_due
from curator.safe_files import file_identity
from curator.services.poll_probe import poll_has_nothing_due
from curator.store.due_probe import nothing_due
from curator.store.meta_keys import OPML_MIRRORED
from curator.store.tables import Feed

pytestmark = pytest.mark.sqlite_only  # a server database is never probed


def test_the_probe_agrees_with_the_pollers_query_on_every_kind_of_feed(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    cur = make_curator(tmp_path, [])
    cur.feeds.sync_opml()  # the feed list is mirrored: the probe may trust the file
    db = Path(cur.context.locations.db)
    assert nothing_due(db, file_identity(cur.context.locations.opml))
    states = itertools.product((True, False), ("new", "ok", "error", "gone"),
                               (None, now - timedelta(minutes=1), now + timedelta(minutes=1)))
    with cur.context.db.write() as tx:
        tx.add(Feed(url="https://one.example/feed", in_opml=True, status="ok"))
    for in_opml, status, due in states:
        with cur.context.db.write() as tx:
            tx.execute(text("DELETE FROM feed"))
            tx.add(Feed(url="https://one.example/feed", in_opml=in_opml, status=status,
                        next_due_at=due))
        by_query = bool(cur.polls.due_feeds())
        assert by_query == is_due(due, status, now, force=False, in_opml=in_opml)
        probed = nothing_due(db, file_identity(cur.context.locations.opml))
        assert probed is (not by_query), (in_opml, status, due)
    cur.close()


def test_any_doubt_sends_the_poll_down_the_full_path(tmp_path: Path) -> None:
    cur = make_curator(tmp_path, [])
    cur.feeds.sync_opml()
    locations = cur.context.locations
    db, identity = Path(locations.db), file_identity(locations.opml)
    assert poll_has_nothing_due(locations)
    assert not nothing_due(db, None)  # no feed list file
    assert not nothing_due(tmp_path / "absent.db", identity)
    assert not nothing_due(locations.opml, identity)  # not a database
    with cur.context.db.write() as tx:  # the feed list was edited since it was mirrored
        tx.execute(text("UPDATE curator_meta SET value = 'elsewhere' WHERE key = :k"),
                   {"k": OPML_MIRRORED})
    assert not nothing_due(db, identity)
    with cur.context.db.write() as tx:
        tx.execute(text("UPDATE curator_meta SET value = :v WHERE key = :k"),
                   {"v": identity, "k": OPML_MIRRORED})
        tx.execute(text("UPDATE curator_meta SET value = '999' WHERE key = 'schema_version'"))
    assert not nothing_due(db, identity)  # a newer curator's file: its own poll decides
    cur.close()
    server = type(locations)(db="postgresql://u@127.0.0.1/x", opml=locations.opml,
                             config_dir=locations.config_dir, data_dir=locations.data_dir,
                             cache_dir=locations.cache_dir)
    assert not poll_has_nothing_due(server)


def test_a_poll_with_nothing_due_loads_neither_the_data_layer_nor_the_network(
        tmp_path: Path) -> None:
    cur = make_curator(tmp_path, [])
    cur.feeds.sync_opml()
    cur.close()
    code = ("import json, sys\n"
            "from curator.launch.entry import main\n"
            "sys.argv = ['curator', '--db', sys.argv[1], '--opml', sys.argv[2], 'poll', '--json']\n"
            "try:\n    main()\nexcept SystemExit as exit:\n    status = exit.code\n"
            "names = ('sqlalchemy', 'sqlmodel', 'httpx', 'feedparser', 'curator.store.engine')\n"
            "print(json.dumps({'status': status, 'loaded': [n for n in names if n in sys.modules]}))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "curator.db"),
                          str(tmp_path / "feeds.opml")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    summary, probe = out.stdout.strip().rsplit("\n", 1)
    assert json.loads(summary)["feeds"] == 0
    assert json.loads(probe) == {"status": 0, "loaded": []}
