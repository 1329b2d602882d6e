"""Writes that cannot race: each user action is one transaction, and an edit made from an
older copy of a text is refused instead of overwriting someone else's words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from curator.errors import StaleEditError
from curator.paths import Locations
from curator.services import Curator
from tests.roundup_helpers import add_feed, add_post

pytestmark = pytest.mark.pg

ROUNDS = 20


def _two_posts() -> list[int]:
    cur = Curator(Locations.resolve())
    feed = add_feed(cur, "https://blog.example/feed", person="Tanya Ashworth")
    posts = [add_post(cur, feed, "Micro-participation", "https://blog.example/micro",
                      theme="openness"),
             add_post(cur, feed, "A map of every bin", "https://blog.example/bins",
                      theme="tools")]
    cur.close()
    return posts


def _no_editions(cur: Curator) -> None:
    """Back to no edition and no signal (one database serves every round, on either backend)."""
    with cur.context.db.write() as s:
        for table in ("edition_item", "edition_section", "edition", "training_signal"):
            s.execute(text(f"DELETE FROM {table}"))


def test_four_simultaneous_picks_leave_exactly_the_two_items(
        curator_home: Path) -> None:
    """Four `roundup pick` processes at once (two posts, each picked twice), 20 rounds: every
    round ends with one draft holding exactly the two posts. Even rounds start with a draft,
    odd ones without (the pickers race to start it)."""
    posts = _two_posts()
    env = dict(os.environ)
    for round_no in range(ROUNDS):
        cur = Curator(Locations.resolve())
        _no_editions(cur)
        if round_no % 2 == 0:
            cur.roundup.new_edition()
        cur.close()
        procs = [subprocess.Popen([sys.executable, "-m", "curator", "roundup", "pick", str(p)],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for p in (*posts, *posts)]
        results = [p.communicate(timeout=120) for p in procs]
        failed = [(p.returncode, err) for p, (_out, err) in zip(procs, results, strict=True)
                  if p.returncode != 0]
        assert not failed, f"round {round_no}: {failed}"
        cur = Curator(Locations.resolve())
        editions = cur.roundup.list_editions()
        assert [e.status for e in editions] == ["draft"], f"round {round_no}: {editions}"
        items = cur.roundup.get_edition().items
        assert sorted(i.post_id for i in items) == sorted(posts), f"round {round_no}: {items}"
        cur.close()


@pytest.fixture
def cur(curator_home: Path) -> Curator:
    cur = Curator(Locations.resolve())
    feed = add_feed(cur, "https://blog.example/feed", person="Tanya Ashworth")
    for title in ("One", "Two", "Three"):
        add_post(cur, feed, title, f"https://blog.example/{title.lower()}", theme="tools")
    return cur


def test_a_pick_starts_the_draft_and_records_its_signal_in_one_transaction(cur: Curator) -> None:
    assert cur.roundup.draft_edition() is None
    [item] = cur.roundup.pick([1], start_draft=True)
    assert cur.roundup.draft_edition() is not None
    assert [i.id for i in cur.roundup.get_edition().items] == [item]
    assert cur.themes.classifier_stats().n_edition == 1


def test_a_failed_pick_leaves_nothing_behind(cur: Curator) -> None:
    """A missing post stops the pick before the draft it would have started is committed."""
    from curator.errors import NotFoundError

    with pytest.raises(NotFoundError):
        cur.roundup.pick([1, 999], start_draft=True)
    assert cur.roundup.list_editions() == []


def test_quick_moves_are_never_lost(cur: Curator) -> None:
    """move_item_by reads the position and writes it in one transaction."""
    cur.roundup.pick([1, 2, 3], start_draft=True)
    items = [i.id for i in cur.roundup.get_edition().items]
    for _ in range(2):
        cur.roundup.move_item_by(items[0], 1)
    assert [i.id for i in cur.roundup.get_edition().items] == [items[1], items[2], items[0]]


def test_saving_a_stale_section_text_is_refused(cur: Curator) -> None:
    cur.roundup.new_edition()
    loaded = next(s.body for s in cur.roundup.get_edition().sections if s.title == "The big news")
    cur.roundup.set_section_body("The big news", "Theirs: the council votes tonight.")
    with pytest.raises(StaleEditError, match="changed elsewhere"):
        cur.roundup.set_section_body("The big news", "Mine", expected=loaded)
    body = next(s.body for s in cur.roundup.get_edition().sections if s.title == "The big news")
    assert body == "Theirs: the council votes tonight."
    cur.roundup.set_section_body("The big news", "Mine", expected=body)  # up to date: saved


def test_saving_a_stale_blurb_is_refused(cur: Curator) -> None:
    [item] = cur.roundup.pick([1], start_draft=True)
    cur.roundup.set_blurb(item, "Theirs: Tanya writes about [one]")
    with pytest.raises(StaleEditError):
        cur.roundup.set_blurb(item, "Mine [one]", expected=None)  # it was generated when loaded
    cur.roundup.set_blurb(item, "Mine [one]", expected="Theirs: Tanya writes about [one]")
    assert cur.roundup.get_edition().items[0].custom_blurb == "Mine [one]"


def test_the_draft_revision_moves_with_every_change_from_any_process(cur: Curator) -> None:
    assert cur.roundup.draft_revision() is None
    cur.roundup.new_edition()
    first = cur.roundup.draft_revision()
    other = Curator(Locations.resolve())  # another process would see the same file
    other.roundup.set_section_body("The big news", "News!")
    second = cur.roundup.draft_revision()
    assert first is not None and second is not None and second[1] > first[1]
    cur.roundup.pick([2])
    third = cur.roundup.draft_revision()
    assert third is not None and third[1] > second[1]
    assert cur.roundup.draft_revision() == third  # reading changes nothing
    other.close()


def test_the_database_holds_the_one_draft_rule(cur: Curator) -> None:
    """Even a writer that skips the service's check cannot make a second draft."""
    from sqlalchemy.exc import IntegrityError

    from curator.store.tables import Edition

    cur.roundup.new_edition()
    with pytest.raises(IntegrityError), cur.context.db.write() as tx:
        tx.add(Edition(number=99, title="A second draft"))


def test_an_old_database_gets_the_guards_and_keeps_its_data(tmp_path: Path) -> None:
    """A release before the guards could leave two drafts and a post twice in one of them
    (the race this issue closed): the upgrade keeps every edition and each post once."""
    import sqlite3

    from dbkit import make_v1_database

    path = make_v1_database(tmp_path / "old.db", "Hello")
    conn = sqlite3.connect(path)
    for number, created in ((1, "2024-01-01"), (2, "2024-01-02")):
        conn.execute("INSERT INTO edition (id, number, title, status, created_at) "
                     "VALUES (?, ?, ?, 'draft', ?)", (number, number, f"#{number}", created))
        conn.execute("INSERT INTO edition_section (id, edition_id, kind, title, body, position) "
                     "VALUES (?, ?, 'text', 'The big news', '', 0)", (number, number))
    for item in (1, 2):  # the same post twice in draft #2
        conn.execute("INSERT INTO edition_item (id, edition_id, section_id, post_id, position, "
                     "title, link, created_at) VALUES (?, 2, 2, 1, ?, 'Hello', "
                     "'https://blog.example/hello', '2024-01-03')", (item, item - 1))
    conn.commit()
    conn.close()
    cur = Curator(Locations.resolve(str(path)))
    editions = {e.number: e.status for e in cur.roundup.list_editions()}
    assert editions == {1: "set aside", 2: "draft"}
    assert [i.post_id for i in cur.roundup.get_edition().items] == [1]
    assert cur.roundup.draft_revision() == (2, 0)
    cur.close()
