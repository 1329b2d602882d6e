"""`curator feeds ...`: manage the subscriptions in feeds.opml (list, add, remove, edit, import, export).

Every edit rewrites feeds.opml atomically and syncs the database; errors are CuratorErrors, which the
root group prints as one line on stderr with exit status 1.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.output import emit_json, table
from curator.types import FeedInfo


@click.group("feeds")
def feeds_group() -> None:
    """Manage the feed list (feeds.opml, the source of truth for subscriptions)."""


def _feed_dict(info: FeedInfo) -> dict[str, object]:
    return dataclasses.asdict(info)


def _show(info: FeedInfo) -> str:
    who = " / ".join(v for v in (info.person, info.org) if v)
    return f"{info.title or info.url} <{info.url}>" + (f" ({who})" if who else "")


@feeds_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.option("--all", "include_removed", is_flag=True,
              help="Include feeds removed from the OPML (their posts are kept).")
@pass_app
def list_command(app: AppContext, as_json: bool, include_removed: bool) -> None:
    """List subscriptions: person, org, category, theme hint, status."""
    service = app.curator
    report = service.feeds.sync_opml()
    feeds = service.feeds.list_feeds(include_removed=include_removed)
    if as_json:
        emit_json([_feed_dict(f) for f in feeds])
        return
    rows = [[f.title or f.url, f.person, f.org, f.category, f.theme, f.status, f.url]
            for f in feeds]
    table(rows, ["TITLE", "PERSON", "ORG", "CATEGORY", "THEME", "STATUS", "URL"],
          [40, 24, 24, 24, 12, 10, None])
    click.echo(f"{len(feeds)} feeds in {app.locations.opml}")
    for line in report.invalid:
        click.echo(f"warning: {line}", err=True)


_EDIT_OPTIONS = [
    click.option("--person", help="Who writes it (curator:person)."),
    click.option("--org", help="Their organisation (curator:org)."),
    click.option("--category", help='OPML folder path, e.g. "Councils/Digital".'),
    click.option("--theme", help="Default theme hint (curator:theme), e.g. openness."),
    click.option("--title", help="Title shown for the feed."),
]


def _with_edit_options(func):  # type: ignore[no-untyped-def]
    for option in reversed(_EDIT_OPTIONS):
        func = option(func)
    return func


@feeds_group.command("add")
@click.argument("url")
@_with_edit_options
@click.option("--no-discover", is_flag=True, help="Subscribe to URL as given (no autodiscovery).")
@pass_app
def add_command(app: AppContext, url: str, person: str | None, org: str | None,
                category: str | None, theme: str | None, title: str | None,
                no_discover: bool) -> None:
    """Add a feed, or a blog homepage (its feed is discovered).

    Discovery follows the page's <link rel="alternate"> feeds, then tries /feed, /rss.xml,
    /atom.xml, /index.xml and /feed.xml; the first real feed is chosen, others are listed.
    """
    result = app.curator.feeds.add_feed(url, person=person, org=org, category=category, theme=theme,
                                  title=title, discover=not no_discover)
    if result.discovered_from:
        click.echo(f"found feed {result.feed.url} at {result.discovered_from}")
    for other in result.alternatives:
        click.echo(f"  also offered: {other}")
    click.echo(f"added {_show(result.feed)}")


@feeds_group.command("remove")
@click.argument("url")
@pass_app
def remove_command(app: AppContext, url: str) -> None:
    """Remove a feed from the OPML (its stored posts are kept)."""
    info = app.curator.feeds.remove_feed(url)
    click.echo(f"removed {_show(info)}")


@feeds_group.command("edit")
@click.argument("url")
@_with_edit_options
@click.option("--url", "new_url", help="Replace the feed URL (polling state and posts are kept).")
@pass_app
def edit_command(app: AppContext, url: str, person: str | None, org: str | None,
                 category: str | None, theme: str | None, title: str | None,
                 new_url: str | None) -> None:
    """Change a feed's person, org, category, theme, title or URL.

    Pass an empty string (e.g. --person "") to clear a field. A new --url keeps the feed's
    polling state and posts.
    """
    changes = {"person": person, "org": org, "category": category, "theme": theme,
               "title": title}
    if new_url is None and all(v is None for v in changes.values()):
        raise click.UsageError("nothing to change: give at least one option")
    info = app.curator.feeds.edit_feed(url, new_url=new_url, **changes)
    click.echo(f"updated {_show(info)}")


@feeds_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON only.")
@pass_app
def import_command(app: AppContext, file: Path, as_json: bool) -> None:
    """Merge another OPML file in (FILE '-' reads stdin); prints added/skipped/invalid counts.

    Feeds already subscribed (after URL normalisation) are skipped; unsafe URLs are refused.
    """
    report = app.curator.feeds.import_opml(sys.stdin.buffer.read() if str(file) == "-" else file)
    if as_json:
        emit_json(report)
        return
    click.echo(f"added {report.added}, skipped {report.skipped} already subscribed, "
               f"{report.invalid} invalid")
    for line in report.details:
        click.echo(f"  {line}", err=True)


@feeds_group.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def export_command(app: AppContext, file: Path | None) -> None:
    """Write the feed list as OPML 2.0 to FILE (default, or '-': stdout)."""
    to_stdout = file is None or str(file) == "-"
    data = app.curator.feeds.export_opml(None if to_stdout else file)
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        click.echo(f"wrote {file}", err=True)


COMMANDS: list[click.Command] = [feeds_group]
