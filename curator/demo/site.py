"""Render the demo blogs as real web content: RSS 2.0 / Atom feeds, homepages, post pages, OPML.

Dates are laid out backwards from `now` so the demo always looks fresh (a few posts a week per blog,
all inside the last three weeks); everything else is fixed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from curator.demo.blogs import BLOGS, DemoBlog
from curator.demo.posts_a import POSTS_A, DemoPost
from curator.demo.posts_b import POSTS_B

ALL_POSTS: dict[str, list[DemoPost]] = {**POSTS_A, **POSTS_B}
CURATOR_NS = "https://curator.invalid/ns/1"


@dataclass
class SitePost:
    blog: DemoBlog
    number: int  # stable per blog: 1 = oldest
    title: str
    theme: str
    tags: tuple[str, ...]
    summary: str
    published: datetime

    @property
    def path(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:60]
        return f"/{self.blog.slug}/posts/{self.number}-{slug}/"


@dataclass
class SiteBlog:
    blog: DemoBlog
    posts: list[SitePost] = field(default_factory=list)  # newest first

    @property
    def feed_path(self) -> str:
        return f"/{self.blog.slug}/{'atom' if self.blog.fmt == 'atom' else 'feed'}.xml"

    @property
    def home_path(self) -> str:
        return f"/{self.blog.slug}/"


def build_site(now: datetime | None = None) -> dict[str, SiteBlog]:
    """Every demo blog with dated posts, newest first."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    site: dict[str, SiteBlog] = {}
    for b, blog in enumerate(BLOGS):
        entries = ALL_POSTS[blog.slug]
        posts = []
        for k, (title, theme, tags, summary) in enumerate(entries):
            published = now - timedelta(hours=7 + k * 44 + b * 5, minutes=(b * 17 + k * 11) % 60)
            posts.append(SitePost(blog, len(entries) - k, title, theme, tags, summary, published))
        site[blog.slug] = SiteBlog(blog, posts)
    return site


def render_feed(entry: SiteBlog, base: str) -> str:
    return _atom(entry, base) if entry.blog.fmt == "atom" else _rss(entry, base)


def _rss(entry: SiteBlog, base: str) -> str:
    blog = entry.blog
    items = []
    for post in entry.posts:
        link = base + post.path
        cats = "".join(f"<category>{escape(t)}</category>" for t in post.tags)
        items.append(
            f"<item><title>{escape(post.title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="true">{escape(link)}</guid>'
            f"<pubDate>{format_datetime(post.published)}</pubDate>"
            f"<dc:creator>{escape(blog.person)}</dc:creator>{cats}"
            f"<description>{escape('<p>' + escape(post.summary) + '</p>')}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(blog.title)}</title><link>{escape(base + entry.home_path)}</link>"
        f"<description>{escape(blog.description)}</description><language>en-gb</language>"
        + "".join(items) + "</channel></rss>\n"
    )


def _atom(entry: SiteBlog, base: str) -> str:
    blog = entry.blog
    updated = entry.posts[0].published.isoformat() if entry.posts else "2024-01-01T00:00:00+00:00"
    items = []
    for post in entry.posts:
        link = base + post.path
        cats = "".join(f"<category term={quoteattr(t)}/>" for t in post.tags)
        items.append(
            f"<entry><title>{escape(post.title)}</title><link href={quoteattr(link)}/>"
            f"<id>{escape(link)}</id><published>{post.published.isoformat()}</published>"
            f"<updated>{post.published.isoformat()}</updated>"
            f"<author><name>{escape(blog.person)}</name></author>{cats}"
            f'<summary type="text">{escape(post.summary)}</summary></entry>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(blog.title)}</title><subtitle>{escape(blog.description)}</subtitle>"
        f"<link rel=\"alternate\" href={quoteattr(base + entry.home_path)}/>"
        f"<link rel=\"self\" href={quoteattr(base + entry.feed_path)}/>"
        f"<id>{escape(base + entry.home_path)}</id><updated>{updated}</updated>"
        + "".join(items) + "</feed>\n"
    )


def render_home(entry: SiteBlog, base: str) -> str:
    """A blog homepage that advertises its feed (for `feeds add` autodiscovery)."""
    blog = entry.blog
    kind = "application/atom+xml" if blog.fmt == "atom" else "application/rss+xml"
    links = "".join(f'<li><a href={quoteattr(p.path)}>{escape(p.title)}</a></li>'
                    for p in entry.posts)
    return (
        f"<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(blog.title)}</title>"
        f"<link rel=\"alternate\" type=\"{kind}\" title={quoteattr(blog.title)} "
        f"href={quoteattr(base + entry.feed_path)}></head><body><h1>{escape(blog.title)}</h1>"
        f"<p>{escape(blog.description)}</p><p>By {escape(blog.person)}, {escape(blog.org)}</p>"
        f"<ul>{links}</ul></body></html>\n"
    )


def render_post(post: SitePost) -> str:
    return (
        f"<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(post.title)}</title></head><body><article><h1>{escape(post.title)}</h1>"
        f"<p>{escape(post.summary)}</p></article></body></html>\n"
    )


def render_opml(site: dict[str, SiteBlog], base: str, title: str = "curator demo blogs") -> str:
    """An OPML feed list for the demo, grouped by category, with curator's per-feed attributes."""
    groups: dict[str, list[SiteBlog]] = {}
    for entry in site.values():
        groups.setdefault(entry.blog.category, []).append(entry)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<opml version="2.0" xmlns:curator="{CURATOR_NS}">',
             f"  <head><title>{escape(title)}</title></head>", "  <body>"]
    for category, entries in groups.items():
        lines.append(f"    <outline text={quoteattr(category)}>")
        for entry in entries:
            blog = entry.blog
            attrs = (f'type="rss" text={quoteattr(blog.title)} title={quoteattr(blog.title)} '
                     f"xmlUrl={quoteattr(base + entry.feed_path)} "
                     f"htmlUrl={quoteattr(base + entry.home_path)} "
                     f"curator:person={quoteattr(blog.person)} curator:org={quoteattr(blog.org)}")
            if blog.theme:
                attrs += f" curator:theme={quoteattr(blog.theme)}"
            lines.append(f"      <outline {attrs}/>")
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def expected_themes(site: dict[str, SiteBlog]) -> dict[str, str]:
    """Post title -> the theme its author expects (the demo's answer key)."""
    return {post.title: post.theme for entry in site.values() for post in entry.posts}
