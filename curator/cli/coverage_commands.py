"""`curator coverage`: who in the community posted, who was featured, which blogs went quiet."""

from __future__ import annotations

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.output import cell, emit_json


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else "-"


@click.command("coverage")
@click.option("--since", metavar="DATE", help="Count posts from DATE (2026-09-01) or that long "
              "ago (90d, 12w); default 90 days.")
@click.option("--quiet-days", type=click.IntRange(1), metavar="N",
              help="A blog without a post for N days is quiet (default: [coverage] quiet_days, "
                   "else 60).")
@click.option("--status", "only", type=click.Choice(["active", "quiet", "broken", "new"]),
              multiple=True, help="Only blogs in this state (repeatable).")
@click.option("--never-featured", is_flag=True, help="Only members no edition has featured.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def coverage_command(app: AppContext, since: str | None, quiet_days: int | None,
                     only: tuple[str, ...], never_featured: bool, as_json: bool) -> None:
    """Who posted lately and who was featured: quiet, broken and new blogs too.

    For each member (the person behind a blog, else the blog): posts in the window, last post,
    last featured edition, and the blog's state. Those who posted lately but were featured
    longest ago (or never) come first."""
    report = app.curator.coverage.report(since, quiet_days)
    rows = [r for r in report.rows if (not only or r.status in only)
            and (not never_featured or r.never_featured)]
    if as_json:
        emit_json(rows)
        return
    click.echo(f"{'member':<28} {'blog':<28} {'posts':>5}  {'last post':<10}  "
               f"{'featured':<16}  status")
    for r in rows:
        featured = (f"#{r.last_featured_edition} {_day(r.last_featured_at)}"
                    if r.last_featured_edition else "never")
        note = f" ({cell(r.note, 60)})" if r.note else ""
        click.echo(f"{cell(r.person, 28):<28} {cell(r.blog, 28):<28} {r.posts:>5}  "
                   f"{_day(r.last_post):<10}  {featured:<16}  {r.status}{note}")
    click.echo(f"{len(rows)} blogs since {report.since:%Y-%m-%d}: {report.never_featured} "
               f"members never featured, {report.count('quiet')} quiet (no post in "
               f"{report.quiet_days} days), {report.count('broken')} broken, "
               f"{report.count('new')} new", err=True)


COMMANDS: list[click.Command] = [coverage_command]
