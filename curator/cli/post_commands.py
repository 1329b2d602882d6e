"""`curator posts list`: stored posts with their theme, confidence and why."""

from __future__ import annotations

from dataclasses import asdict

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.output import emit_json, table
from curator.when import parse_moment


@click.group("posts")
def posts_group() -> None:
    """Browse stored posts."""


@posts_group.command("list")
@click.option("--since", metavar="WHEN", help="Only posts published since WHEN: a date "
              "(2026-11-01) or that long ago (30m, 12h, 2d, 2w).")
@click.option("--until", metavar="WHEN", help="Only posts published until WHEN (a date includes "
              "that day).")
@click.option("--theme", metavar="SLUG", help="Only posts in this theme.")
@click.option("--feed", "feed_url", metavar="URL", help="Only posts from this feed.")
@click.option("--search", metavar="WORDS", help="Words to find in title, summary or person.")
@click.option("--unread", is_flag=True, help="Only unread posts.")
@click.option("--all", "include_hidden", is_flag=True, help="Include hidden posts.")
@click.option("--unfeatured", type=click.IntRange(1), metavar="N",
              help="Only blogs that none of the last N published editions featured.")
@click.option("--limit", type=click.IntRange(0), default=None, metavar="N",
              help="At most N posts (default: all with --json, 50 otherwise).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def list_command(app: AppContext, since: str | None, until: str | None, theme: str | None,
                 feed_url: str | None, search: str | None, unread: bool, include_hidden: bool,
                 unfeatured: int | None, limit: int | None, as_json: bool) -> None:
    """List stored posts, newest first, with theme, confidence and why."""
    if limit is None and not as_json:
        limit = 50
    posts = app.curator.posts.list_posts(
        since=parse_moment(since) if since else None,
        until=parse_moment(until, end_of_day=True) if until else None,
        theme=theme, feed_url=feed_url, search=search, unread_only=unread,
        include_hidden=include_hidden, unfeatured_in=unfeatured, limit=limit)
    if as_json:
        emit_json([asdict(p) for p in posts])
        return
    if not posts:
        click.echo("no posts match (run `curator poll` to fetch some)")
        return
    rows = [[p.id, p.published.date().isoformat() if p.published else None, p.theme,
             f"{p.confidence:.2f}" if p.confidence is not None else None, p.person or p.author,
             p.title] for p in posts]
    table(rows, ["ID", "PUBLISHED", "THEME", "CONF", "PERSON", "TITLE"],
          [8, 10, 12, 4, 24, 70])


COMMANDS: list[click.Command] = [posts_group]
