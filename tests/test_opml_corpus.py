"""Every real-world OPML file imports or fails with one line; hostile files are refused fast."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from conftest import corpus_dir

from curator.errors import OpmlError
from curator.feeds.opml import MAX_CATEGORY_DEPTH, OpmlDocument
from curator.paths import Locations
from curator.services import Curator


def _manifest() -> list[dict[str, str]]:
    folder = corpus_dir("opml")
    with (folder / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_corpus_file_imports_or_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus_dir("opml")
    ok, failed, feeds, reasons = 0, 0, 0, []
    for row in _manifest():
        path = folder / row["path"]
        try:
            doc = OpmlDocument.load(path)
        except OpmlError as exc:
            failed += 1
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message
            reasons.append(f"{row['path']}: {message}")
            continue
        ok += 1
        found = doc.feeds()
        feeds += len(found)
        again = OpmlDocument.from_bytes(doc.to_bytes())
        assert again.feeds() == found, row["path"]
        if "with_everything" not in row["path"]:  # its outlines have type="Outline Type"
            # every xmlUrl outline is found, in broken files (repaired) as in clean ones
            assert len(found) == int(row["xmlUrl_count"]), row["path"]
    with capsys.disabled():
        print(f"\nOPML corpus: {ok} imported ({feeds} feeds), {failed} refused with a reason")
        for line in reasons:
            print("  refused", line)
    assert ok + failed == len(_manifest())
    assert ok >= 100  # the ~40 files with a bare '&', raw '<' or stray quotes are repaired
    assert all("LICENSE" not in r or "not well-formed" in r for r in reasons)


def test_big_real_lists_are_complete() -> None:
    """Feed counts match the MANIFEST's xmlUrl counts for the large real exports."""
    folder = corpus_dir("opml")
    expected = {"hackernews-personal-blogs/list.opml": 1229, "web-dev-feeds/feeds.opml": 1073,
                "netnewswire/Subs.opml": 207, "infosec-opml/feeds.inoreader.xml": 492}
    for name, count in expected.items():
        doc = OpmlDocument.load(folder / name)
        assert len(doc.feeds()) == count, name


def test_billion_laughs_refused_fast() -> None:
    path = corpus_dir("adversarial") / "opml-billion-laughs.opml"
    started = time.monotonic()
    with pytest.raises(OpmlError, match="refused: the file declares a DTD or entities"):
        OpmlDocument.load(path)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("raw", [
    b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<opml version="2.0"><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>',
    b'<!DOCTYPE opml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><opml/>',
    b'<!DOCTYPE opml [<!ENTITY a "' + b"x" * 100_000 + b'">]><opml><body><outline text="'
    + b"&a;" * 10_000 + b'" xmlUrl="https://a.example/"/></body></opml>',
])
def test_entity_declarations_refused(raw: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(OpmlError, match="refused"):
        OpmlDocument.from_bytes(raw)
    assert time.monotonic() - started < 1.0


def test_external_dtd_is_never_fetched() -> None:
    raw = (b'<!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml version="2.0"><body>'
           b'<outline text="a" xmlUrl="https://a.example/"/></body></opml>')
    doc = OpmlDocument.from_bytes(raw)
    assert [f.url for f in doc.feeds()] == ["https://a.example/"]
    assert b"DOCTYPE" not in doc.to_bytes() and b"root:" not in doc.to_bytes()


def test_absurd_nesting_refused_fast() -> None:
    raw = b"<opml><body>" + b'<outline text="n">' * 5000 + b"</outline>" * 5000 + b"</body></opml>"
    started = time.monotonic()
    with pytest.raises(OpmlError, match="nested more than"):
        OpmlDocument.from_bytes(raw)
    assert time.monotonic() - started < 1.0


def test_hostile_opml_neutralised(tmp_path: Path) -> None:
    path = corpus_dir("adversarial") / "opml-hostile.opml"
    started = time.monotonic()
    doc = OpmlDocument.load(path)
    categories = [f.category for f in doc.feeds() if f.category]
    assert all(c.count("/") < MAX_CATEGORY_DEPTH for c in categories)  # 300 levels capped
    service = Curator(Locations.resolve(db=str(tmp_path / "c.db"), opml=str(tmp_path / "f.opml")))
    report = service.feeds.import_opml(path)
    urls = {f.url for f in service.feeds.list_feeds()}
    service.close()
    assert time.monotonic() - started < 5.0
    assert not any(u.startswith(("file:", "javascript:", "data:", "feed:")) for u in urls)
    assert "http://169.254.169.254/latest/meta-data/" not in urls
    assert "https://example.invalid/rss" in urls  # feed:https://... unwrapped
    assert "https://example.invalid/ws.xml" in urls  # whitespace trimmed
    assert report.invalid >= 8 and report.skipped >= 2  # dangerous URLs, duplicates
    assert report.added == len(urls)
    assert OpmlDocument.load(tmp_path / "f.opml").feeds()  # what we wrote reads back
