"""`roundup link URL` without a title: the page is fetched from a real server on 127.0.0.1 and its
Open Graph / JSON-LD / <title> fill the item."""

from __future__ import annotations

from click.testing import CliRunner
from httpserver import FeedServer, Reply
from roundup_helpers import make_curator

from curator.cli import main
from curator.roundup.page_meta import read_page

OPEN_GRAPH = """<!doctype html><html><head>
<title>Ignored | Norfolk Digital</title>
<meta property="og:title" content="ReWiredState Norwich: a weekend hack">
<meta property="og:site_name" content="Norfolk Digital">
<meta property="article:author" content="https://norfolk.example/people/ann">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Norfolk Digital"},
  {"@type": "BlogPosting", "headline": "ReWiredState Norwich",
   "author": {"@type": "Person", "name": "Ann Smith-Jones"}}]}</script>
</head><body><h1>Hello</h1></body></html>"""

TITLE_ONLY = """<html><head><meta charset="windows-1252"><title>How we ran a consultation \u2013
Preston Council</title></head><body>text</body></html>"""


def test_read_page_prefers_open_graph_and_json_ld() -> None:
    page = read_page(OPEN_GRAPH.encode())
    assert (page.title, page.author, page.site) == ("ReWiredState Norwich: a weekend hack",
                                                    "Ann Smith-Jones", "Norfolk Digital")
    assert page.found == ("og:site_name", "og:title", "JSON-LD author")
    twitter = read_page(b'<meta name="twitter:title" content="Cards &amp; more">'
                        b'<meta name="twitter:creator" content="@carl">')
    assert (twitter.title, twitter.author) == ("Cards & more", "@carl")
    broken = read_page(b'<script type="application/ld+json">{not json</script><title>T</title>')
    assert broken.title == "T" and broken.author is None
    assert read_page(b"\x00\xff<<<").title is None


def test_link_without_a_title_is_captured_from_the_page(curator_home) -> None:  # type: ignore[no-untyped-def]
    (curator_home / "config").mkdir(parents=True)
    with FeedServer() as server:
        og = server.route("/og", Reply(body=OPEN_GRAPH.encode(),
                                       content_type="text/html; charset=utf-8"))
        plain = server.route("/plain", Reply(body=TITLE_ONLY.encode("cp1252"),
                                             content_type="text/html"))
        gone = server.route("/gone", Reply(status=404, body=b"no"))
        cur = make_curator()
        cur.roundup.new_edition()
        cur.close()
        runner = CliRunner()
        result = runner.invoke(main, ["roundup", "link", og])
        assert result.exit_code == 0, result.output
        assert "ReWiredState Norwich: a weekend hack (Ann Smith-Jones \u00b7 Norfolk Digital)" \
            in result.stdout
        result = runner.invoke(main, ["roundup", "link", plain, "--person", "Tanya Ashworth"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(main, ["roundup", "link", gone])
        assert result.exit_code == 1 and "HTTP 404" in result.stderr
        assert "Traceback" not in result.output
    cur = make_curator()
    items = cur.roundup.get_edition().items
    assert [(i.title, i.person, i.org) for i in items] == [
        ("ReWiredState Norwich: a weekend hack", "Ann Smith-Jones", "Norfolk Digital"),
        ("How we ran a consultation \u2013 Preston Council", "Tanya Ashworth", None)]
