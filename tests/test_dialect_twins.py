"""Each SQLite-only feature of the store has a portable twin (store/dialect.py) that gives the same
answers: proven here by running SQLite through the twins (CURATOR_PORTABLE_SQL=1), as PostgreSQL
will run."""

from __future__ import annotations

from pathlib import Path

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator

from curator.errors import QueryCancelled
from curator.store.dialect import PORTABLE_ENV, raw_sqlite, sqlite_extras
from curator.store.ingest_ops import IngestOps, ops_for
from curator.store.ingest_sqlite import SqliteStatements

pytestmark = pytest.mark.sqlite_only  # SQLite's speed-ups against their portable twins

SEARCHES = ["zanzibar", "report 1", "ZANZIBAR2", "re", "p", "nothing-like-this", "b1.example"]


def _items(feed: int) -> list[tuple[str, str, str]]:
    return [(f"f{feed}-{i}", f"Zanzibar{feed} report {i}", f"http://b{feed}.example/p/{i}")
            for i in range(6)]


def _poll_and_ask(tmp_path: Path, server: FeedServer, name: str) -> dict[str, object]:
    urls = [server.route(f"/{name}/f{i}", Reply(body=rss(_items(i)))) for i in range(4)]
    (tmp_path / name).mkdir()
    cur = make_curator(tmp_path / name, urls)
    summary = cur.polls.poll()
    answers: dict[str, object] = {"new": summary.new_posts}
    for word in SEARCHES:
        answers[word] = sorted(p.title for p in cur.posts.list_posts(search=word))
        answers[f"count {word}"] = cur.posts.count_posts(search=word, limit=100)
    answers["themes"] = cur.posts.count_posts_by_theme([None, ""], limit=1000)
    answers["again"] = cur.polls.poll(force=True).new_posts  # known posts are found again
    with cur.context.db.read() as tx:
        answers["kinds"] = (type(ops_for(tx)).__name__, sqlite_extras(tx.connection()),
                            raw_sqlite(tx.connection()) is not None,
                            cur.posts.queries.has_search_index(tx))
    cur.close()
    return answers


def test_the_portable_twins_give_the_same_answers(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server:
        fast = _poll_and_ask(tmp_path, server, "sqlite")
        monkeypatch.setenv(PORTABLE_ENV, "1")
        portable = _poll_and_ask(tmp_path, server, "portable")
    assert portable.pop("kinds") == (IngestOps.__name__, False, False, False)
    assert fast.pop("kinds")[0] == SqliteStatements.__name__
    assert fast == portable
    assert fast["new"] == 24 and fast["again"] == 0


def test_the_portable_cancel_drops_a_late_answer(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Without SQLite's progress handler a query runs to its end, but a cancelled caller still
    gets QueryCancelled, never a stale answer."""
    monkeypatch.setenv(PORTABLE_ENV, "1")
    cur = make_curator(tmp_path, [])
    calls = iter([False, True])  # not cancelled when it starts; cancelled by the time it ends
    with pytest.raises(QueryCancelled):
        cur.posts.list_posts(cancelled=lambda: next(calls))
    cur.close()
