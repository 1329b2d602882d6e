"""FeedService: feeds.opml is the source of truth and the Feed table mirrors it."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.errors import ConflictError, NotFoundError, OpmlError, UnsafeUrlError
from curator.feeds.opml import OpmlDocument
from curator.paths import Locations
from curator.services import Curator
from curator.store.tables import FEEDS, Feed, Post

pytestmark = pytest.mark.pg

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:curator="https://curator.invalid/ns/1">
  <head><title>Test list</title><ownerName>Facilitator</ownerName></head>
  <body>
    <!-- councils first -->
    <outline text="Councils">
      <outline text="Digital">
        <outline type="rss" text="Preston digital" xmlUrl="https://preston.example/feed/"
                 htmlUrl="https://preston.example/" curator:person="Tanya Ashworth"
                 curator:org="Preston Council" curator:theme="openness" mine="keep"/>
      </outline>
    </outline>
    <outline text="Open data" xmlUrl="https://odi.example/feed/"/>
    <outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
  </body>
</opml>
"""


@pytest.fixture
def curator(tmp_path: Path) -> Curator:
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(OPML.replace(b'xmlns:curator="https://curator.invalid/ns/1"',
                                  b'xmlns:curator="https://curator.invalid/ns/1" xmlns:mine="urn:m"'))
    locations = Locations.resolve(db=str(tmp_path / "c.db"), opml=str(opml))
    service = Curator(locations)
    yield service
    service.close()


def test_sync_upserts_and_reports(curator: Curator) -> None:
    report = curator.feeds.sync_opml()
    assert (report.feeds, report.added, report.updated, report.removed) == (2, 2, 0, 0)
    assert len(report.invalid) == 1 and "javascript" in report.invalid[0]
    feeds = {f.url: f for f in curator.feeds.list_feeds()}
    preston = feeds["https://preston.example/feed/"]
    assert preston.person == "Tanya Ashworth" and preston.org == "Preston Council"
    assert preston.category == "Councils/Digital" and preston.theme == "openness"
    assert preston.html_url == "https://preston.example/" and preston.status == "new"
    assert feeds["https://odi.example/feed/"].category is None
    again = curator.feeds.sync_opml()
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    # a hand edit between syncs is picked up (the unchanged-file shortcut keys on the file stat)
    path = curator.locations.opml
    path.write_bytes(OPML.replace(b'text="Open data"', b'text="Open data" curator:org="ODI"')
                     .replace(b"https://preston.example/feed/", b"https://preston.example/x"))
    edited = curator.feeds.sync_opml()
    assert (edited.added, edited.updated, edited.removed) == (1, 1, 1)
    assert curator.feeds.get_feed("https://odi.example/feed/").org == "ODI"


def test_removed_feed_keeps_posts_and_comes_back(curator: Curator) -> None:
    curator.feeds.sync_opml()
    with curator.context.db.write() as session:
        feed = session.exec(FEEDS.select()).first()  # type: ignore[attr-defined]
        session.add(Post(feed_id=feed.id, title="kept"))
    removed = curator.feeds.remove_feed("https://PRESTON.example/feed/#x")
    assert removed.status == "removed"
    assert [f.url for f in curator.feeds.list_feeds()] == ["https://odi.example/feed/"]
    assert curator.feeds.get_feed("https://preston.example/feed/").post_count == 1
    text = curator.locations.opml.read_text()
    assert "preston.example" not in text and "councils first" in text
    assert "Councils" not in text  # folders emptied by the removal go too
    curator.feeds.add_feed("https://preston.example/feed/", discover=False, category="Councils")
    back = curator.feeds.get_feed("https://preston.example/feed/")
    assert back.status == "new" and back.post_count == 1 and back.category == "Councils"


def test_refused_outline_can_be_removed(curator: Curator) -> None:
    curator.feeds.sync_opml()
    info = curator.feeds.remove_feed("javascript:alert(1)")
    assert info.status == "removed" and info.title == "Bad"
    assert b"javascript" not in curator.locations.opml.read_bytes()
    assert curator.feeds.sync_opml().invalid == []


def test_edit_changes_fields_and_url_keeping_state(curator: Curator) -> None:
    curator.feeds.sync_opml()
    with curator.context.db.write() as session:
        row = session.get(Feed, 1)
        row.etag, row.status = '"abc"', "ok"
        session.add(row)
    info = curator.feeds.edit_feed("https://preston.example/feed/", new_url="https://new.example/rss",
                             person="", org="Lancashire", category="Moved/Here", title="Renamed")
    assert (info.url, info.person, info.org, info.category, info.title, info.status) == (
        "https://new.example/rss", None, "Lancashire", "Moved/Here", "Renamed", "ok")
    with curator.context.db.read() as session:
        assert session.get(Feed, info.id).etag == '"abc"'
    doc = OpmlDocument.load(curator.locations.opml)
    entry = doc.find("https://new.example/rss")
    assert entry is not None and entry.element.attrs["mine"] == "keep"
    assert "curator:person" not in entry.element.attrs


def test_replace_feed_url_for_permanent_redirect(curator: Curator) -> None:
    curator.feeds.sync_opml()
    before = curator.feeds.get_feed("https://odi.example/feed/")
    after = curator.feeds.replace_feed_url("https://odi.example/feed/", "https://odi.example/new.xml")
    assert after is not None and after.id == before.id and after.url == "https://odi.example/new.xml"
    assert 'xmlUrl="https://odi.example/new.xml"' in curator.locations.opml.read_text()
    assert curator.feeds.replace_feed_url("https://gone.example/", "https://x.example/") is None
    # redirect onto a feed that is already subscribed: one outline remains
    curator.feeds.replace_feed_url("https://odi.example/new.xml", "https://preston.example/feed/")
    assert [f.url for f in curator.feeds.list_feeds()] == ["https://preston.example/feed/"]


def test_errors_are_curator_errors(curator: Curator, tmp_path: Path) -> None:
    with pytest.raises(ConflictError, match="already subscribed"):
        curator.feeds.add_feed("HTTPS://PRESTON.example:443/feed/", discover=False)
    with pytest.raises(UnsafeUrlError, match="file:"):
        curator.feeds.add_feed("file:///etc/passwd", discover=False)
    with pytest.raises(NotFoundError):
        curator.feeds.remove_feed("https://nope.example/")
    with pytest.raises(ConflictError):
        curator.feeds.edit_feed("https://preston.example/feed/", new_url="https://ODI.example/feed/")
    missing = Curator(Locations.resolve(db=str(tmp_path / "m.db"), opml=str(tmp_path / "no.opml")))
    with pytest.raises(OpmlError, match="not found"):
        missing.feeds.sync_opml()
    missing.close()


def test_import_merges_without_duplicates(curator: Curator, tmp_path: Path) -> None:
    other = tmp_path / "other.opml"
    other.write_bytes(b"""<opml version="1.0" xmlns:nb="urn:nb" xmlns:mine="urn:other"><head/><body>
      <outline text="News"><outline text="A" xmlUrl="https://a.example/rss" extra="x"
        nb:stars="5" mine:flag="y" undeclared:z="1"/></outline>
      <outline text="dup" xmlUrl="HTTPS://Preston.Example/feed/"/>
      <outline text="A again" xmlUrl="https://a.example/rss#frag"/>
      <outline text="evil" xmlUrl="data:text/html,hi"/>
    </body></opml>""")
    report = curator.feeds.import_opml(other)
    assert (report.added, report.skipped, report.invalid) == (1, 2, 1)
    imported = curator.feeds.get_feed("https://a.example/rss")
    assert imported.category == "News" and imported.title == "A"
    text = curator.locations.opml.read_text()
    assert 'extra="x"' in text and 'nb:stars="5"' in text and 'xmlns:nb="urn:nb"' in text
    assert "mine:flag" not in text  # its prefix is bound to another namespace here
    assert "undeclared:z" not in text  # never write an unbound prefix


def test_add_creates_missing_file(tmp_path: Path) -> None:
    opml = tmp_path / "sub" / "new.opml"
    service = Curator(Locations.resolve(db=str(tmp_path / "n.db"), opml=str(opml)))
    result = service.feeds.add_feed("https://a.example/feed", discover=False, person="Ann",
                              category="People")
    assert result.feed.person == "Ann" and opml.is_file()
    assert OpmlDocument.load(opml).feeds()[0].category == "People"
    service.close()


def test_list_feeds_mirrors_hand_edits(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text('<opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/"/>'
                    "</body></opml>")
    service = Curator(Locations.resolve(db=str(tmp_path / "h.db"), opml=str(opml)))
    assert [f.url for f in service.feeds.list_feeds()] == ["https://a.example/"]
    opml.write_text('<opml version="2.0"><body><outline text="b" xmlUrl="https://b.example/"/>'
                    "</body></opml>")
    assert [f.url for f in service.feeds.list_feeds()] == ["https://b.example/"]
    assert [f.status for f in service.feeds.list_feeds(include_removed=True)] == ["removed", "new"]
    service.close()
