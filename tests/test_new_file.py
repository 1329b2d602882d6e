"""A first poll makes its database file with sqlite3 alone (store.new_file): the file must be
the one the data layer makes, in schema and in every row a first poll leaves."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import file_rows, make_curator

from curator.store.engine import Database
from curator.store.feed_rows import _defaults
from curator.store.meta_keys import OPML_MIRRORED, SCHEMA_VERSION
from curator.store.migrations import migrate
from curator.store.new_file import NEW_FEED, create_database_file
from curator.store.schema_dump import schema_script, schema_statements

pytestmark = pytest.mark.sqlite_only  # a database file of this machine

REGENERATE = "run `python -m curator.store.schema_dump` to write new_database.sql again"


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [(kind, name, re.sub(r"\s+", " ", sql or "")) for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")]


def test_the_schema_file_makes_the_data_layers_schema(tmp_path: Path) -> None:
    made = sqlite3.connect(tmp_path / "from-file.db", isolation_level=None)
    made.executescript(f"BEGIN;\n{schema_script()}\nCOMMIT;")
    layer = Database(str(tmp_path / "by-layer.db")).open()
    layer.close()
    by_layer = sqlite3.connect(tmp_path / "by-layer.db")
    assert _schema(made) == _schema(by_layer), REGENERATE
    assert schema_statements(made) == schema_statements(by_layer), REGENERATE
    made.close()
    by_layer.close()


def test_a_new_feed_row_has_the_models_defaults() -> None:
    defaults = _defaults()
    assert {k: defaults[k] for k in NEW_FEED} == NEW_FEED
    decided = {*NEW_FEED, "created_at", "url", "in_opml"}  # now, and the outline's
    assert all(v is None for k, v in defaults.items() if k not in decided)


def test_a_file_made_meanwhile_wins(tmp_path: Path) -> None:
    db_file = tmp_path / "curator.db"
    db_file.write_bytes(b"")
    assert create_database_file(db_file, [], "x") is False
    assert db_file.read_bytes() == b"" and list(tmp_path.iterdir()) == [db_file]


_ROWS = {  # what a first poll leaves, beyond ids and times
    "feed": "url, html_url, title, feed_title, person, org, category, theme_hint, in_opml, etag, "
            "last_modified, status, http_status, last_error, error_count",
    "post": "feed_id, guid, link, title, summary, person, org, theme, theme_confidence, "
            "theme_source, theme_why, read, hidden",
    # post ids follow the order feeds arrive in: a source names its post by guid
    "post_source s JOIN post p ON p.id = s.post_id": "s.feed_id, s.identity_key, p.guid",
    "theme": "id, slug, name, description, position, seeds",
    "model_blob": "name, version, n_examples, data",
    "curator_meta": "key",
    "rule": "id", "training_signal": "id", "host_pause": "host",
}


def _first_poll(tmp_path: Path, server: FeedServer, through_file: bool,
                monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    name = "file" if through_file else "layer"
    urls = [server.route(f"/{name}/{i}", Reply(body=rss([
        (f"p{i}-{j}", f"Open data and budget tools {i} {j}", f"http://b{i}.example/{j}")
        for j in range(3)]))) for i in range(3)]
    (tmp_path / name).mkdir()
    if not through_file:
        monkeypatch.setattr("curator.services.poll_probe.new_poll_file", lambda _where: None)
    else:
        monkeypatch.setattr("curator.poll.record.record_batch", None)  # the layer stores nothing
    cur = make_curator(tmp_path / name, urls, person="Dave Briggs")
    assert cur.polls.poll().new_posts == 9
    monkeypatch.undo()
    cur.close()
    rows: dict[str, Any] = dict(file_rows(tmp_path / name / "curator.db", _ROWS, name))
    conn = sqlite3.connect(tmp_path / name / "curator.db")
    rows["schema"] = _schema(conn)
    rows["journal"] = conn.execute("PRAGMA journal_mode").fetchone()
    conn.close()
    return rows


def test_a_first_poll_through_a_new_file_leaves_what_the_data_layer_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server:
        layer = _first_poll(tmp_path, server, False, monkeypatch)
        through_file = _first_poll(tmp_path, server, True, monkeypatch)
    assert through_file == layer
    assert sorted(k for (k,) in layer["curator_meta"]) == sorted(
        ["schema_version", OPML_MIRRORED, "polls_stored"])
    assert all(row[7] is not None for row in layer["post"])


def test_the_data_layer_opens_a_new_file_as_its_own(tmp_path: Path) -> None:
    with FeedServer() as server:
        cur = make_curator(tmp_path, [server.route("/f", Reply(body=rss([
            ("a", "Open data", "http://b.example/a")])))])
        assert cur.polls._poll_file(False, None) is not None  # made here, through the file
        db = Database(str(tmp_path / "curator.db"))
        assert migrate(db.engine) == SCHEMA_VERSION  # found current: nothing to do
        db.close()
        assert cur.polls.poll().new_posts == 1
        assert [p.title for p in cur.posts.list_posts(search="open")] == ["Open data"]
    cur.close()
