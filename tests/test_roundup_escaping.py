"""Hostile strings (Markdown, HTML, <script>, Rich markup, control characters) come out inert in
every export format, and non-http(s) links never appear."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from roundup_helpers import add_feed, add_post, make_curator

from curator.roundup.render import md_escape
from curator.store.tables import EditionItem

HOSTILE = ("*bold* _em_ `code` [link](https://evil.example) <script>alert(1)</script> "
           "<img src=x onerror=alert(2)> [bold]rich[/bold] [@click=app.quit]quit[/] "
           "# not a heading &amp; \x1b[31mred\x1b[0m\x07 ![img](https://evil.example/x.png)")
VISIBLE = ("*bold* _em_ `code` [link](https://evil.example) <script>alert(1)</script> "
           "<img src=x onerror=alert(2)> [bold]rich[/bold] [@click=app.quit]quit[/] "
           "# not a heading &amp; [31mred[0m ![img](https://evil.example/x.png)")
ALLOWED_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "div", "h1", "h2",
                "h3", "p", "ul", "li", "a", "em", "strong"}


class Audit(HTMLParser):
    """Collects tags, attributes and text so a test can say what the HTML really contains."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.anchors: list[tuple[str, str]] = []  # (href, visible text)
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self.anchors.append((self._href, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            href, text = self.anchors[-1]
            self.anchors[-1] = (href, text + data)


def audit(html: str) -> Audit:
    parser = Audit()
    parser.feed(html)
    parser.close()
    assert set(parser.tags) <= ALLOWED_TAGS, set(parser.tags) - ALLOWED_TAGS
    for name, value in parser.attrs:
        assert not name.startswith("on"), name
        if name in ("href", "src"):
            assert (value or "").startswith(("https://", "http://")), value
        assert name != "src"
    return parser


@pytest.fixture()
def hostile_edition():  # type: ignore[no-untyped-def]
    cur = make_curator()
    feed = add_feed(cur, "https://hostile.example/feed", person=HOSTILE, org=HOSTILE)
    good = add_post(cur, feed, HOSTILE, "https://hostile.example/post", theme="openness")
    bad = add_post(cur, feed, HOSTILE, "https://hostile.example/other", theme="tools")
    cur.roundup.new_edition(title=HOSTILE)
    ids = cur.roundup.pick([good, bad])
    with cur.context.db.write() as session:  # a link that slipped past every check must still not render
        item = session.get(EditionItem, ids[1])
        assert item is not None
        item.link = "javascript:alert(document.cookie)"
        session.add(item)
    cur.roundup.set_note(ids[0], HOSTILE)
    cur.roundup.set_section_body("the-big-news", HOSTILE + "\n\n- list?\n1. numbered?\n> quote?")
    cur.roundup.rename_section("can-you-help", HOSTILE)
    cur.roundup.set_section_body(HOSTILE, "x")
    cur.roundup.add_link(HOSTILE, "https://hostile.example/manual", person=HOSTILE, section="other")
    cur.roundup.add_section(HOSTILE, body=HOSTILE)
    return cur


def _no_controls(text: str) -> None:
    assert not any(ord(c) < 32 and c not in "\n" for c in text), repr(text)
    assert "\x7f" not in text and "\x1b" not in text


def test_html_page_and_fragment_are_inert(hostile_edition) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("html", "fragment"):
        html = hostile_edition.roundup.export_edition(fmt)
        _no_controls(html)
        assert "javascript" not in html.lower()
        parsed = audit(html)
        text = "".join(parsed.text)
        assert VISIBLE in text  # shown literally, not interpreted
        assert "<script>" not in html


def test_markdown_is_inert(hostile_edition) -> None:  # type: ignore[no-untyped-def]
    md = hostile_edition.roundup.export_edition("md")
    _no_controls(md)
    assert "javascript" not in md.lower()
    html = MarkdownIt("commonmark").enable("strikethrough").enable("table").render(md)
    parsed = audit(html)
    text = "".join(parsed.text)
    assert VISIBLE in text
    # feed-supplied Markdown (titles, names, notes) made no link; the facilitator's own section
    # text may carry Markdown links: one per section body holding the hostile text, no more
    hidden = [(href, visible) for href, visible in parsed.anchors
              if "evil.example" in href and visible != href]
    bodies = sum("[link](https://evil.example)" in s.body
                 for s in hostile_edition.roundup.get_edition().sections)
    assert bodies == 2, bodies
    assert hidden == [("https://evil.example", "link"),
                      ("https://evil.example/x.png", "img")] * bodies, hidden  # "!" + a link
    assert "- list?" in text and "1. numbered?" in text and "> quote?" in text
    assert parsed.tags.count("h1") == 1  # "# not a heading" stayed text


def test_text_is_inert(hostile_edition) -> None:  # type: ignore[no-untyped-def]
    txt = hostile_edition.roundup.export_edition("txt")
    _no_controls(txt)
    assert "javascript" not in txt.lower()
    assert VISIBLE in txt  # plain text keeps the words (Rich markup is only text here)


def test_view_for_the_tui_has_no_controls_or_unsafe_links(hostile_edition) -> None:  # type: ignore[no-untyped-def]
    view = hostile_edition.roundup.get_edition()
    for item in view.items:
        _no_controls(item.blurb)
        assert item.link is None or item.link.startswith("https://")


@pytest.mark.parametrize("text", ["1. a", "- a", "+ a", "# a", "> a", "a\n=", "| a | b |",
                                  "~~a~~", "a  \nb", "&copy;", "<http://x.example>", "\\*"])
def test_md_escape_round_trips_to_literal_text(text: str) -> None:
    html = MarkdownIt("commonmark").enable("strikethrough").enable("table").render(
        md_escape(text))
    parsed = Audit()
    parsed.feed(html)
    assert set(parsed.tags) <= {"p", "br"}, (text, html)
    assert " ".join("".join(parsed.text).split()) == " ".join(text.split())


def test_urls_in_section_text_become_links_only_when_http() -> None:
    cur = make_curator()
    cur.roundup.new_edition()
    cur.roundup.set_section_body("the-big-news", "Book at https://tickets.example/a_b?x=1&y=2. "
                         "Not javascript:alert(1) nor data:text/html,<b>x</b> "
                         "nor https://evil.example/<script>")
    for fmt in ("html", "md"):
        out = cur.roundup.export_edition(fmt)
        html = out if fmt == "html" else MarkdownIt("commonmark").render(out)
        parsed = audit(html)
        hrefs = [v for k, v in parsed.attrs if k == "href"]
        assert hrefs[0] == "https://tickets.example/a_b?x=1&y=2", hrefs
        assert all(h and h.startswith("https://") for h in hrefs)
        text = "".join(parsed.text)
        assert "Not javascript:alert(1) nor data:text/html,<b>x</b>" in text
        assert "<script>" in text and "script" not in parsed.tags
    txt = cur.roundup.export_edition("txt")
    assert "Book at https://tickets.example/a_b?x=1&y=2. Not javascript" in txt


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab 1.-+#>*_`[]()<>!&;|~\\=:/\n")
                                + ["&amp;", "&#35;", "http://x.example", "    ", "\n\n"]),
                max_size=30).map("".join))
def test_md_escape_property_any_text_renders_literally(text: str) -> None:
    rendered = MarkdownIt("commonmark").enable("strikethrough").enable("table").render(
        md_escape(text))
    parsed = Audit()
    parsed.feed(rendered)
    parsed.close()
    assert set(parsed.tags) <= {"p", "br"}, (text, rendered)
    assert " ".join("".join(parsed.text).split()) == " ".join(text.split()), (text, rendered)


_WORDS = st.lists(st.sampled_from(list("ab !*_`[]()<>&#-+.1|~\\") + ["&amp;", "Dave", " of "]),
                  min_size=1, max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(title=_WORDS, person=_WORDS, org=st.one_of(st.none(), _WORDS),
       note=st.one_of(st.none(), _WORDS), turn=st.integers(0, 2))
def test_md_blurb_property_one_link_and_literal_text(title: str, person: str, org: str | None,
                                                    note: str | None, turn: int) -> None:
    from curator.roundup.blurbs import BlurbInput, note_suffix, section_blurbs
    from curator.roundup.render import _md_blurb
    from curator.roundup.views import ItemView

    filler = [BlurbInput(f"t{i}", f"P{i} Q{i}", None) for i in range(turn)]
    blurb = section_blurbs([*filler, BlurbInput(title.strip() or "x", person.strip() or None,
                                                (org or "").strip() or None)])[-1]
    item = ItemView(id=1, section_id=1, position=0, title=title, link="https://ok.example/p",
                    person=person, org=org, note=note, blurb=blurb.text, blurb_parts=blurb)
    rendered = MarkdownIt("commonmark").render("- " + _md_blurb(item))
    parsed = Audit()
    parsed.feed(rendered)
    assert parsed.tags.count("a") == 1 and set(parsed.tags) <= {"ul", "li", "a"}, rendered
    assert parsed.anchors[0][0] == "https://ok.example/p"
    expected = blurb.text + note_suffix(note)
    assert " ".join("".join(parsed.text).split()) == " ".join(expected.split()), rendered


def test_exclamation_before_the_link_does_not_make_an_image() -> None:
    cur = make_curator()
    cur.roundup.new_edition()
    item = cur.roundup.add_link("T", "https://ok.example/x", section="other")
    cur.roundup.set_blurb(item, "Wow![this] is good")
    parsed = Audit()
    parsed.feed(MarkdownIt("commonmark").render(cur.roundup.export_edition("md")))
    assert "img" not in parsed.tags
    assert ("https://ok.example/x", "this") in parsed.anchors


def test_markdown_links_in_section_text_in_every_format() -> None:
    cur = make_curator()
    cur.roundup.new_edition(title="Links")
    cur.roundup.set_section_body("can-you-help", "Tell us: [Sign up here](https://s.example/a?b=1&c=2)"
                                 " or see https://s.example/faq. [not a link](javascript:x) "
                                 "stays text.")
    md = cur.roundup.export_edition("md")
    assert "[Sign up here](https://s.example/a?b=1&c=2)" in md
    assert "<https://s.example/faq>." in md and "\\[not a link\\](javascript:x)" in md
    html = cur.roundup.export_edition("fragment")
    assert '<a href="https://s.example/a?b=1&amp;c=2" style="color:#1a5fb4;' \
           'text-decoration:underline;">Sign up here</a>' in html
    assert "[not a link](javascript:x)" in html and 'href="javascript' not in html
    txt = cur.roundup.export_edition("txt")
    assert "Tell us: Sign up here (https://s.example/a?b=1&c=2) or see https://s.example/faq." \
        in txt
    rendered = MarkdownIt("commonmark").render(md)
    assert '<a href="https://s.example/a?b=1&amp;c=2">Sign up here</a>' in rendered
