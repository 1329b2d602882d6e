"""The classifier a poll reads from the file (store.classifier_file) is the data layer's: the same
model version, rules and guesses, and none at all when the stored model is out of date."""

from __future__ import annotations

from pathlib import Path

import pytest
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator

from curator.classify.decide import FeedFacts, decide_entries
from curator.poll.parse import parse_safely
from curator.safe_files import file_identity
from curator.services.facade import Curator
from curator.store import training
from curator.store.poll_file import PollFile

pytestmark = pytest.mark.sqlite_only  # a file's own reader

ITEMS = [("p1", "Open data in councils", "http://b.example/1"),
         ("p2", "Budget consultation with citizens", "http://b.example/2"),
         ("p3", "A new tool for mapping", "http://b.example/3")]


def _file_and_layer(cur: Curator, tmp_path: Path) -> tuple[object, object]:
    """(the file's snapshot or None, the data layer's current snapshot)"""
    poll_file = PollFile.open(tmp_path / "curator.db", file_identity(tmp_path / "feeds.opml"))
    assert poll_file is not None
    try:
        return poll_file.stored_snapshot(), cur.themes.theme_snapshot()
    finally:
        poll_file.close()


def test_the_file_reads_the_classifier_the_data_layer_stored(tmp_path: Path) -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(body=rss(ITEMS)))
        cur = make_curator(tmp_path, [url])
        cur.polls.poll()
    cur.themes.add_rule("phrase", "mapping", "tools")  # placing no post: the model stays current
    from_file, layer = _file_and_layer(cur, tmp_path)
    assert from_file is not None
    assert from_file.rules == layer.rules and len(layer.rules) == 1
    assert from_file.classifier.slugs == layer.classifier.slugs
    feed = FeedFacts(1, url, "Test blog")
    entries = parse_safely(rss(ITEMS), {"content-type": "application/xml"}, url).feed.entries
    assert decide_entries(from_file, feed, entries) == decide_entries(layer, feed, entries)
    cur.close()


@pytest.mark.parametrize("change", ["correction", "rule hit", "theme list"])
def test_a_model_out_of_date_is_not_read_until_the_data_layer_retrains(
        tmp_path: Path, change: str) -> None:
    with FeedServer() as server:
        cur = make_curator(tmp_path, [server.route("/f", Reply(body=rss(ITEMS)))])
        cur.polls.poll()
    (post, *_rest) = cur.posts.list_posts()
    if change == "correction":
        other = next(t.slug for t in cur.themes.list_themes() if t.slug != post.theme)
        cur.themes.set_post_theme(post.id, other)
    elif change == "rule hit":
        cur.themes.add_rule("phrase", "councils", "openness")
        cur.themes.reclassify(all=True)
    else:
        cur.themes.add_theme("events", "Events")
    assert _file_and_layer(cur, tmp_path)[0] is None
    cur.themes.classifier()  # retrained and stored
    from_file, layer = _file_and_layer(cur, tmp_path)
    assert from_file is not None and from_file.classifier.slugs == layer.classifier.slugs
    with cur.context.db.read() as tx:  # the file matched the blob's version; so does the layer
        themes = training.theme_specs(tx)
        assert training.model_version(tx, themes) == training.model_blob(tx).version
    cur.close()
