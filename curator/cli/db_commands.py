"""`curator db copy`: move the whole database, e.g. from one machine's file to a server."""

from __future__ import annotations

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.output import emit_json
from curator.urls import hide_password


@click.group("db")
def db_group() -> None:
    """The database as a whole."""


@db_group.command("copy")
@click.option("--to", "target", required=True, metavar="URL",
              help="Where to copy to: a PostgreSQL URL (postgresql://USER@HOST/DB) or a file. "
                   "It must hold no feeds, posts or editions yet.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def copy_command(app: AppContext, target: str, as_json: bool) -> None:
    """Copy every feed, post, theme, rule, training signal, classifier and edition from the
    database in use (--db) into another one, keeping every id, in one transaction.

    \b
    curator db copy --to postgresql://curator@db.example/community
    curator --db old.db db copy --to postgresql://curator@127.0.0.1/curator
    """
    def said(table: str, rows: int) -> None:
        if not as_json:
            click.echo(f"  {table:<16}{rows:>9,} rows", err=True)

    if not as_json:
        click.echo(f"copying {hide_password(app.locations.db)} …", err=True)
    report = app.curator.database.copy_to(target, on_table=said)
    if as_json:
        emit_json({"source": report.source, "target": report.target, "rows": report.rows})
        return
    total = sum(report.rows.values())
    click.echo(f"copied {total:,} rows ({report.rows.get('feed', 0):,} feeds, "
               f"{report.rows.get('post', 0):,} posts, {report.rows.get('edition', 0):,} "
               f"editions) to {report.target}")


COMMANDS = [db_group]
