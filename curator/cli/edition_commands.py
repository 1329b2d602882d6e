"""`curator roundup suggest|accept|send`: the rest of the edition beyond the blog posts.

Events and asks found in the window's posts, accepted into their sections, and the finished
edition sent by e-mail. Registered on the `roundup` group beside curator.cli.roundup_commands.
"""

from __future__ import annotations

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.output import cell, emit_json
from curator.cli.roundup_commands import roundup_group

KIND = click.Choice(["events", "asks"], case_sensitive=False)
SUGGEST_KIND = click.Choice(["events", "asks", "all"], case_sensitive=False)


@roundup_group.command("suggest")
@click.argument("kind", type=SUGGEST_KIND)
@click.option("--limit", type=int, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def suggest_command(app: AppContext, kind: str, limit: int | None, as_json: bool) -> None:
    """Posts that announce an event (for "Other cool events") or ask readers to act (for "Can
    you help"), each with its roundup line and why: the words and the date found. KIND: events,
    asks, or all (events, then asks)."""
    found = app.curator.suggestions.suggest(kind, limit=limit)
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo(f"no {kind} found among this window's posts")
    for s in found:
        click.echo(f"{s.post_id:>6}  {s.kind:<5}  {cell(s.line, 120)}")
        click.echo(f"        why: {cell(s.why, 120)}")
    if found:
        click.echo("add one with `curator roundup accept events|asks POST_ID`", err=True)


@roundup_group.command("accept")
@click.argument("kind", type=KIND)
@click.argument("post_ids", nargs=-1, type=int, required=True)
@click.option("--line", help="Your own wording (mark the link with [brackets]); "
              "default: the suggested line.")
@pass_app
def accept_command(app: AppContext, kind: str, post_ids: tuple[int, ...],
                   line: str | None) -> None:
    """Add suggested posts to "Other cool events" (events) or "Can you help" (asks)."""
    for post_id in post_ids:
        item_id = app.curator.suggestions.accept(post_id, kind, line=line)
        click.echo(f"added item {item_id} (post {post_id})")


@roundup_group.command("send")
@click.option("--to", "to", multiple=True, metavar="ADDR",
              help="A recipient (repeat for more; default: [smtp] to in config.toml).")
@click.option("--edition", "number", type=int, help="Edition number (default: the draft, else "
              "the latest).")
@click.option("--subject", help="Subject line (default: the edition's title).")
@click.option("--dry-run", "dry_run", is_flag=True,
              help="Write the message to an .eml file instead of sending it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="With --dry-run: the file (default roundup-N.eml here).")
@pass_app
def send_command(app: AppContext, to: tuple[str, ...], number: int | None, subject: str | None,
                 dry_run: bool, output: str | None) -> None:
    """E-mail the edition: text and HTML in one message, through the SMTP server in
    config.toml's [smtp] (host, port, security, user, password_env, from, to)."""
    target = None
    if dry_run:
        target = output or f"roundup-{number or _edition_number(app)}.eml"
    elif output:
        raise click.UsageError("-o/--output goes with --dry-run")
    done = app.curator.mail.send(list(to), number=number, dry_run=target, subject=subject)
    if done.path:
        click.echo(f"wrote {done.path} ({done.size:,} bytes) for {', '.join(done.recipients)}")
        return
    sent = [r for r in done.recipients if r not in done.refused]
    click.echo(f"sent edition #{done.edition} \u201c{cell(done.subject, 80)}\u201d to "
               f"{', '.join(sent)}")
    if done.refused:
        click.echo(f"the server refused {', '.join(done.refused)}", err=True)
        raise SystemExit(1)


def _edition_number(app: AppContext) -> int:
    return app.curator.roundup.get_edition().info.number


COMMANDS: list[click.Command] = [roundup_group]
