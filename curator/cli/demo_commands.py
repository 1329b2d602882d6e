"""`curator demo`: the whole flow offline, on bundled sample blogs served from 127.0.0.1.

It never touches the user's own database or feed list: everything lives in a temporary folder
(removed afterwards unless `--keep` or `--dir` is given).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from curator.cli.output import emit_json
from curator.config import Settings
from curator.paths import Locations
from curator.services import Curator
from curator.types import PollSummary

if TYPE_CHECKING:
    from curator.demo import DemoServer


def demo_locations(home: Path) -> Locations:
    """Every path of a demo run, inside one folder."""
    return Locations(db=str(home / "data" / "curator.db"), opml=home / "feeds.opml",
                     config_dir=home / "config", data_dir=home / "data", cache_dir=home / "cache")


def prepare_demo(server: DemoServer, home: Path, db: str | None = None) -> Curator:
    """Write the demo OPML into `home` and return a facade pointed at it (nothing polled yet);
    `db`: a database URL to use instead of the file in `home`."""
    locations = demo_locations(home)
    if db is not None:
        locations = replace(locations, db=db)
    for folder in (locations.config_dir, locations.data_dir, locations.cache_dir):
        folder.mkdir(parents=True, exist_ok=True)
    server.write_opml(locations.opml)
    # the sample blogs live on 127.0.0.1: the link check before publishing may reach them
    curator = Curator(locations, Settings(allow_private=True))
    curator.feeds.sync_opml()
    return curator


def poll_demo(curator: Curator, echo: bool) -> dict[str, int]:
    """One forced pass over every demo feed; progress lines on stderr when `echo`."""
    summary = PollSummary()
    for outcome in curator.polls.poll_iter(force=True):
        summary.add(outcome)
        if echo:
            detail = outcome.error or f"{outcome.new_posts} new"
            click.echo(f"  {outcome.status:<12} {detail:<10} {outcome.url}", err=True)
    return {"feeds": summary.feeds, "new_posts": summary.new_posts, "errors": summary.errors}


@click.command("demo")
@click.option("--no-tui", is_flag=True, help="Set up and poll, print a summary, then exit.")
@click.option("--keep", is_flag=True, help="Keep the temporary folder afterwards.")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Use (and keep) this folder instead of a temporary one.")
@click.option("--json", "as_json", is_flag=True, help="With --no-tui: print JSON only.")
def demo_command(no_tui: bool, keep: bool, folder: Path | None, as_json: bool) -> None:
    """Try curator offline on 12 bundled sample blogs served from 127.0.0.1.

    Starts a loopback web server with the sample blogs, writes a feed list and a database into a
    temporary folder (your own feeds and database are not touched), polls every blog, and opens
    the terminal UI. Quit the UI with ctrl+q.
    """
    from curator.demo import DemoServer  # the sample blogs load only for this command

    home = folder if folder is not None else Path(tempfile.mkdtemp(prefix="curator-demo-"))
    keep = keep or folder is not None
    with DemoServer() as server:
        curator = prepare_demo(server, home)
        try:
            quiet = as_json or not sys.stderr.isatty()
            if not quiet:
                click.echo(f"demo blogs at {server.base_url}, data in {home}", err=True)
            totals = poll_demo(curator, echo=not quiet)
            if no_tui:
                report = {"base_url": server.base_url, "home": str(home), "kept": keep, **totals}
                if as_json:
                    emit_json(report)
                else:
                    click.echo(f"polled {totals['feeds']} demo blogs: {totals['new_posts']} new "
                               f"posts, {totals['errors']} errors")
                    click.echo(f"data in {home}" + ("" if keep else " (removed on exit)"))
                return
            from curator.tui import run_app

            run_app(curator)
        finally:
            curator.close()
            if not keep:
                shutil.rmtree(home, ignore_errors=True)
    if keep and not as_json and not no_tui:
        click.echo(f"demo data kept in {home}", err=True)


COMMANDS: list[click.Command] = [demo_command]
