"""`curator poll` (one pass or a daemon) and `curator feeds status` (each feed's health)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.feed_commands import feeds_group
from curator.cli.output import cell, emit_json, table
from curator.config import parse_duration
from curator.types import FeedStatus, PollSummary


@contextmanager
def _stop_on_signals(stop: threading.Event, catch_int: bool,
                     received: list[int] | None = None) -> Iterator[None]:
    """SIGTERM (and SIGINT for the daemon) set `stop` so work finishes or is abandoned cleanly;
    `received` collects which signals came."""
    signals = [signal.SIGTERM] + ([signal.SIGINT] if catch_int else [])
    previous = {}

    def handler(signum: int, _frame: Any) -> None:
        if received is not None:
            received.append(signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in signals:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _summary_dict(summary: PollSummary) -> dict[str, Any]:
    """Flat copies: an outcome holds only plain values, and dataclasses.asdict's deep copy of
    10,000 of them took a quarter of a second."""
    data = {key: value for key, value in vars(summary).items() if key != "outcomes"}
    data["outcomes"] = [dict(vars(outcome)) for outcome in summary.outcomes]
    return data


def _print_summary(summary: PollSummary, interrupted: bool) -> None:
    unchanged = f", {summary.not_modified} unchanged" if summary.not_modified else ""
    click.echo(f"polled {summary.feeds} feed{'s' if summary.feeds != 1 else ''}: "
               f"{summary.new_posts} new posts, {summary.updated_posts} updated{unchanged}, "
               f"{summary.errors} error{'s' if summary.errors != 1 else ''}"
               + (" (stopped early)" if interrupted else ""))
    problems = [o for o in summary.outcomes if FeedStatus(o.status).is_problem]
    for outcome in problems[:20]:
        click.echo(f"  {cell(outcome.url, 70)}: {cell(outcome.error, 120)}")
    if len(problems) > 20:
        click.echo(f"  ... and {len(problems) - 20} more (see `curator feeds status`)")
    for outcome in summary.outcomes:
        if outcome.new_url:
            click.echo(f"  moved permanently: {cell(outcome.url, 70)} -> {cell(outcome.new_url, 70)}")


@click.command("poll")
@click.option("--all", "force", is_flag=True, help="Poll every feed now, due or not.")
@click.option("--feed", "feed_url", metavar="URL", help="Poll only this feed (now).")
@click.option("--concurrency", type=click.IntRange(1, 200), metavar="N",
              help="Feeds fetched at once (default from config, 10).")
@click.option("--per-host", type=click.IntRange(1, 200), metavar="N",
              help="Requests at once to any one host (default from config, 8; at most "
                   "--concurrency).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary only.")
@click.option("--watch", is_flag=True, help="Keep polling until SIGINT/SIGTERM (daemon mode).")
@click.option("--every", default="30m", show_default=True, metavar="DURATION",
              help="With --watch: how often to look for due feeds (e.g. 10m, 1h).")
@pass_app
def poll_command(app: AppContext, force: bool, feed_url: str | None, concurrency: int | None,
                 per_host: int | None, as_json: bool, watch: bool, every: str) -> None:
    """Fetch new posts from the feeds that are due (politely: conditional GET, backoff).

    Each feed is polled at most every 30 minutes (hourly by default, longer if the server asks);
    --all ignores that. Only one poller runs per database file at a time; on a
    PostgreSQL database any number, on any machines, share the work (README: "Several
    machines").
    """
    if not (watch or force or feed_url) and app.nothing_due():
        _report(PollSummary(), as_json, False)  # just what a full pass would say
        return
    curator = app.curator
    stop = threading.Event()
    if watch:
        seconds = parse_duration(every)

        def on_pass(summary: PollSummary) -> None:
            stamp = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            if as_json:
                emit_json({"at": stamp, **_summary_dict(summary)})
            else:
                click.echo(f"{stamp} polled {summary.feeds} feeds: {summary.new_posts} new, "
                           f"{summary.errors} errors")

        received: list[int] = []
        with _stop_on_signals(stop, catch_int=True, received=received):
            if not as_json:
                click.echo(f"watching: polling due feeds every {every}; Ctrl-C or SIGTERM stops",
                           err=True)
            def on_problem(message: str) -> None:
                stamp = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
                click.echo(f"{stamp} curator: {message}", err=True)

            curator.polls.watch(seconds, stop, on_pass=on_pass, concurrency=concurrency,
                          per_host=per_host, on_problem=on_problem)
        if not as_json:
            click.echo("stopped", err=True)
        if signal.SIGINT in received:
            sys.exit(130)  # Ctrl-C: the shell's convention, after a clean stop
        return
    summary = PollSummary()
    stream = curator.polls.poll_iter(force=force, feed_url=feed_url, concurrency=concurrency, stop=stop,
                               on_note=lambda text: click.echo(f"curator: {text}", err=True),
                               per_host=per_host)
    with _stop_on_signals(stop, catch_int=False):
        if sys.stderr.isatty() and not as_json:
            total = max(1, curator.polls.count_due(force, feed_url))

            def label(_: object) -> str:
                return f"{summary.new_posts} new, {summary.errors} errors"

            with click.progressbar(length=total, label="polling", file=sys.stderr,
                                   item_show_func=label) as bar:
                for outcome in stream:
                    summary.add(outcome)
                    bar.update(1, outcome)
        else:
            for outcome in stream:
                summary.add(outcome)
    _report(summary, as_json, stop.is_set())
    _judge(summary, app)


def _report(summary: PollSummary, as_json: bool, interrupted: bool) -> None:
    if as_json:
        emit_json(_summary_dict(summary))
    else:
        _print_summary(summary, interrupted)


def _judge(summary: PollSummary, app: AppContext) -> None:
    """Failures are news: a count on stderr when some feeds failed, exit 1 when all did (a cron
    job or a script then notices that nothing is getting through: a proxy, a certificate...)."""
    if not summary.errors:
        return
    if summary.errors < summary.feeds:
        click.echo(f"curator: {summary.errors} of {summary.feeds} feeds failed "
                   "(see `curator feeds status`)", err=True)
        return
    click.echo(f"curator: every feed failed ({summary.errors} of {summary.feeds}); is the "
               f"network reachable? ({app.curator.polls.network().describe()}; see "
               "`curator feeds status`)", err=True)
    sys.exit(1)


def _ago(value: datetime | None) -> str:
    if value is None:
        return "-"
    seconds = (datetime.now(UTC) - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            text = f"{int(seconds // size)}{unit}"
            break
    else:
        text = f"{int(seconds)}s"
    return f"in {text}" if future else f"{text} ago"


@feeds_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def status_command(app: AppContext, as_json: bool) -> None:
    """Show each feed's health: status, HTTP code, errors, last success, next poll."""
    infos = app.curator.polls.feed_status()
    if as_json:
        emit_json(infos)
        return
    if not infos:
        click.echo("no feeds yet (add some with `curator feeds add URL`)")
        return
    rows = [[i.status, i.http_status, i.error_count or "", _ago(i.last_success_at),
             _ago(i.next_due_at) if i.status != FeedStatus.GONE else "never", i.post_count,
             i.title or i.url, i.last_error] for i in infos]
    table(rows, ["STATUS", "HTTP", "ERRS", "LAST OK", "NEXT", "POSTS", "FEED", "LAST ERROR"],
          [12, 4, 4, 10, 10, 6, 40, 60])
    if app.curator.polls.poller_running():
        click.echo("a poller is running on this database now")


COMMANDS: list[click.Command] = [poll_command]  # `status` hangs off the feeds group
