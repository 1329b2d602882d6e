"""The store's batch lookups (store.ingest.BatchLookups) cost the same however many posts are stored.

Each batch of polled feeds asks which of its entries are known. Asked by identity key alone, SQLite
could not use the (feed_id, identity_key) index and scanned every stored source once per batch:
a 10,000-feed first poll spent a third of its storing time there by the end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pollkit import make_curator

from curator.store.ingest import BatchLookups, FeedOwner, store_entries
from curator.store.ingest_ops import ops_for
from curator.store.tables import Feed
from curator.types import ParsedEntry

pytestmark = pytest.mark.sqlite_only  # counts SQLite's virtual machine steps

ENTRIES = 20


def _entries(feed: int) -> list[ParsedEntry]:
    return [ParsedEntry(guid=f"f{feed}-e{i}", link=f"https://blog{feed}.example/{i}",
                        title=f"Post {i} of blog {feed}", author=None, published=None,
                        updated=None, summary="text", content_hash=f"{feed}-{i}")
            for i in range(ENTRIES)]


def _lookup_steps(tmp_path: Path, feeds: int) -> int:
    """VM steps (in thousands) to look up one feed's entries with `feeds` feeds stored."""
    tmp_path.mkdir()
    cur = make_curator(tmp_path, [])
    now = datetime.now(UTC)
    with cur.context.db.write() as tx:
        ids = []
        for n in range(feeds):
            feed = Feed(url=f"https://blog{n}.example/feed", in_opml=True, status="ok")
            tx.add(feed)
            tx.flush()
            ids.append(feed.id)
        ops = ops_for(tx)
        ops.begin_bulk()
        batch = [(fid, _entries(n)) for n, fid in enumerate(ids)]
        lookups = BatchLookups(ops, batch)
        for fid, entries in batch:
            store_entries(ops, lookups, FeedOwner(fid), entries, now)
        ops.end_bulk()
    with cur.context.db.write() as tx:
        ops = ops_for(tx)
        raw = tx.connection().connection.driver_connection
        calls = 0

        def count() -> int:
            nonlocal calls
            calls += 1
            return 0

        raw.set_progress_handler(count, 1000)  # once per 1,000 VM instructions
        lookups = BatchLookups(ops, [(ids[-1], _entries(feeds - 1))])
        raw.set_progress_handler(None, 1000)
        assert len(lookups.known) == ENTRIES  # every entry of that feed is known
    cur.close()
    return calls


def test_looking_up_a_batch_does_not_grow_with_the_posts_stored(tmp_path: Path) -> None:
    few = _lookup_steps(tmp_path / "few", 50)
    many = _lookup_steps(tmp_path / "many", 800)
    assert many < 2 * few + 5, (few, many)  # 16x the stored sources: not 16x the work
