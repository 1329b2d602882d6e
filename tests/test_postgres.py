"""curator on a PostgreSQL server: the driver extra, opening at once, upgrading the first schema.

The `pg_only` tests need a server (CURATOR_TEST_PG; `.ci/run` starts one) and skip without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dbkit import make_v1_database
from pgkit import create_database, drop_database
from sqlalchemy import inspect, text

from curator.paths import Locations
from curator.services import Curator
from curator.store.engine import Database
from curator.store.migrations import SCHEMA_VERSION, current_version

OPEN_AT = """
import sys, time
from curator.store.engine import Database
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))  # every process opens at the same moment
Database(sys.argv[1]).open().close()
print("opened", flush=True)
"""


def _columns(location: str) -> dict[str, set[str]]:
    db = Database(location).open()
    insp = inspect(db.engine)
    columns = {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}
    db.close()
    return columns


def test_a_server_url_without_the_driver_is_one_line_naming_the_extra() -> None:
    """`--db postgresql://…` on an install without psycopg: one line, not a traceback."""
    blocked = ("import sys; sys.modules['psycopg'] = None; sys.argv[0] = 'curator'; "
               "from curator.launch.entry import main; main()")
    for url in ("postgresql://someone@127.0.0.1:1/curator", "postgres://h/db",
                "postgresql+psycopg://h/db"):
        done = subprocess.run([sys.executable, "-c", blocked, "--db", url, "posts", "list"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1 and "pip install 'curator[postgres]'" in done.stderr


@pytest.mark.pg_only
@pytest.mark.parametrize("start", ["new", "v1"])
def test_eight_processes_opening_one_database_at_once_all_succeed(start: str) -> None:
    url = create_database()
    try:
        if start == "v1":
            make_v1_database(url, "Hello")
        at = str(time.time() + 3.0)
        procs = [subprocess.Popen([sys.executable, "-c", OPEN_AT, url, at], text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(8)]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0] * 8, [err for _out, err in results]
        db = Database(url).open()
        with db.engine.connect() as conn:
            assert current_version(conn) == SCHEMA_VERSION
        db.close()
    finally:
        drop_database(url)


@pytest.mark.pg_only
def test_a_first_schema_database_upgrades_on_postgresql_and_keeps_its_data(
        db_location: str) -> None:
    make_v1_database(db_location, "Hello", tags='["a"]')
    fresh = create_database()
    try:
        assert _columns(db_location) == _columns(fresh), "a migration step differs on PostgreSQL"
    finally:
        drop_database(fresh)
    db = Database(db_location).open()
    with db.engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
        assert conn.execute(text("SELECT title, tags FROM post")).one() == ("Hello", ["a"])
        assert conn.execute(text("SELECT person FROM feed")).scalar_one() == "Dave"
        # the serial ids carry on after the upgrade
        conn.execute(text("INSERT INTO feed (url, in_opml, status, error_count, created_at) "
                          "VALUES ('https://second.example/feed', true, 'new', 0, now())"))
        assert conn.execute(text("SELECT max(id) FROM feed")).scalar_one() == 2
    db.close()


@pytest.mark.pg_only
def test_search_reads_the_trigram_indexes_and_answers_like_the_scan(db_location: str) -> None:
    from dbkit import bulk_posts

    from curator.paths import Locations
    from curator.services import Curator

    cur = Curator(Locations.resolve(db_location))
    rows = [(f"Post {i} about {'Micro-Participation' if i % 97 == 0 else 'bins'}",
             f"http://a.example/{i}", "text " * 20) for i in range(20_000)]
    bulk_posts(cur, ("title", "link", "summary"), rows)
    with cur.context.db.write() as tx:
        tx.execute(text("ANALYZE post"))
        names = set(tx.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'post'"))
                    .scalars())
        assert {f"ix_post_{c}_trgm" for c in ("title", "summary", "person", "org", "author")} <= names
        tx.execute(text("SET LOCAL enable_seqscan = off"))  # usable, whatever the table's size
        plan = "\n".join(tx.execute(text(
            "EXPLAIN SELECT count(*) FROM post WHERE title ILIKE '%micro-part%' "
            "OR summary ILIKE '%micro-part%' OR person ILIKE '%micro-part%' "
            "OR org ILIKE '%micro-part%' OR author ILIKE '%micro-part%'")).scalars())
    assert "ix_post_title_trgm" in plan, plan
    expected = sum(1 for i in range(20_000) if i % 97 == 0)
    for word in ("micro-part", "MICRO-PARTICIPATION", "Participation"):  # contains, any case
        assert cur.posts.count_posts(search=word) == expected
    assert cur.posts.count_posts(search="bins micro") == 0
    cur.close()


@pytest.mark.pg_only
def test_an_outdated_query_is_cancelled_on_the_server(db_location: str) -> None:
    """psycopg's cancel request stops the statement: a 5-second statement ends in well under
    one once its caller no longer wants the answer, and the connection stays usable."""
    from curator.errors import QueryCancelled
    from curator.store.dialect import cancellable

    db = Database(db_location).open()
    started = time.monotonic()
    with db.read() as tx:
        conn = tx.connection()
        with pytest.raises(QueryCancelled), cancellable(
                conn, lambda: time.monotonic() - started > 0.2):
            conn.execute(text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 1.5
    with db.read() as tx:
        assert tx.execute(text("SELECT 1")).scalar_one() == 1
    db.close()


@pytest.mark.pg_only
def test_two_facilitators_files_merge_and_never_undo_each_other(db_location: str,
                                                                tmp_path: Path) -> None:
    """On a server the database's feed list is the list: each facilitator's named feeds.opml
    merges in; neither removes the other's feeds, and a removal sticks."""
    from pollkit import write_opml

    from curator.paths import Locations
    from curator.services import Curator

    a = ["http://one.example/feed", "http://two.example/feed"]
    b = ["http://two.example/feed", "http://three.example/feed"]
    anne = Curator(Locations.resolve(db_location, str(write_opml(tmp_path / "anne.opml", a))))
    bob = Curator(Locations.resolve(db_location, str(write_opml(tmp_path / "bob.opml", b))))
    listed = lambda cur: sorted(f.url for f in cur.feeds.list_feeds())  # noqa: E731
    assert listed(anne) == sorted(a)
    assert listed(bob) == sorted(set(a + b))  # Bob's file merges in
    for _ in range(3):  # and each listing (each sync) leaves the other's feeds be
        assert listed(anne) == sorted(set(a + b)) == listed(bob)
    bob.feeds.remove_feed("http://one.example/feed")  # not even in Bob's file
    for _ in range(2):
        assert listed(anne) == listed(bob) == sorted(set(a + b) - {"http://one.example/feed"})
    anne.close()
    bob.close()


COPIED = ("feed", "theme", "post", "post_source", "rule", "training_signal", "model_blob",
          "edition", "edition_section", "edition_item")


def _rows(location: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the copied tables, by table, in id order (key order for the others)."""
    from curator.store.tables import SQLModel

    db = Database(location).open()
    rows = {}
    with db.engine.connect() as conn:
        for name in COPIED:
            table = SQLModel.metadata.tables[name]
            query = table.select().order_by(*table.primary_key.columns)
            rows[name] = [tuple(row) for row in conn.execute(query)]
    db.close()
    return rows


@pytest.mark.pg_only
def test_db_copy_moves_everything_to_the_server_and_back(db_location: str,
                                                         tmp_path: Path) -> None:
    """A polled, trained, edited single-user file goes to the server with `curator db copy`
    and comes back into a new file: every row of every table is identical, and the server
    hands out ids after the copied ones."""
    from tui_helpers import polled_curator

    from curator.demo import DemoServer

    with DemoServer() as server:
        cur = polled_curator(server, tmp_path / "one-machine")
    post = cur.posts.list_posts(limit=5)
    cur.themes.add_rule("phrase", "spreadsheet", "tools")
    cur.themes.set_post_theme(post[0].id, "tools")
    cur.themes.retrain()
    cur.roundup.pick([post[1].id, post[2].id], start_draft=True)
    item = cur.roundup.get_edition().items[0]
    cur.roundup.set_blurb(item.id, "Dave Briggs writes about micro-participation")
    cur.roundup.set_section_body("The big news", "Élan: a «new» season ✔")
    source = cur.locations.db
    cur.close()

    there = subprocess.run([sys.executable, "-m", "curator", "--db", source, "db", "copy",
                            "--to", db_location], capture_output=True, text=True, timeout=120)
    assert there.returncode == 0, there.stderr
    assert there.stdout.startswith("copied ") and "posts" in there.stdout
    assert "post " in there.stderr  # a line per table as it goes
    back = str(tmp_path / "back.db")
    home = subprocess.run([sys.executable, "-m", "curator", "--db", db_location, "db", "copy",
                           "--to", back, "--json"], capture_output=True, text=True, timeout=120)
    assert home.returncode == 0, home.stderr
    original, returned = _rows(source), _rows(back)
    assert {t: len(r) for t, r in returned.items()} == {t: len(r) for t, r in original.items()}
    assert returned == original
    assert len(original["post"]) > 50 and original["edition_item"] and original["rule"]

    again = subprocess.run([sys.executable, "-m", "curator", "--db", source, "db", "copy",
                            "--to", db_location], capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr.splitlines()[-1].startswith("curator: ") and "already holds" in again.stderr
    on_server = Curator(Locations.resolve(db_location))
    feed = on_server.feeds.add_feed("http://new.example/feed", discover=False)
    assert feed.feed.url == "http://new.example/feed"  # the feed id sequence moved on
    on_server.close()


def test_a_password_in_the_url_is_never_printed() -> None:
    url = "postgresql://curator:s3cret@127.0.0.1:1/curator"  # nothing listens on port 1
    failed = subprocess.run([sys.executable, "-m", "curator", "--db", url, "posts", "list"],
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "curator:***@127.0.0.1" in failed.stderr and "s3cret" not in failed.stderr
    paths = subprocess.run([sys.executable, "-m", "curator", "--db", url, "paths"],
                           capture_output=True, text=True, timeout=60)
    assert "curator:***@" in paths.stdout and "s3cret" not in paths.stdout


@pytest.mark.pg_only
def test_a_watching_poller_outlives_the_server_going_away(db_location: str,
                                                         tmp_path: Path) -> None:
    """The database server restarts (every connection cut, new ones refused for 3 s): the
    `poll --watch` daemon says so once a pass, one line each, and goes on afterwards."""
    import signal
    from urllib.parse import urlsplit, urlunsplit

    from tcprelay import TcpRelay

    Database(db_location).open().close()  # the schema, made directly
    parts = urlsplit(db_location)
    relay = TcpRelay((parts.hostname or "127.0.0.1", parts.port or 5432))
    via_relay = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{relay.port}"))
    env = dict(os.environ, CURATOR_DB=via_relay, CURATOR_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen([sys.executable, "-m", "curator", "poll", "--watch", "--every",
                             "1s"], env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        time.sleep(3)
        relay.cut()
        time.sleep(3)
        relay.restore()
        time.sleep(4)
        assert proc.poll() is None  # still running
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        relay.close()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    problems = [line for line in err.splitlines() if "trying again" in line]
    assert problems and all("database" in line for line in problems), err
    last_problem = problems[-1][:19]  # lines start with their time, YYYY-MM-DD HH:MM:SS
    assert any(line[:19] > last_problem for line in out.splitlines() if "polled" in line), out
