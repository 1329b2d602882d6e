"""`curator roundup ...`: compose, order, export and publish the roundup from scripts.

The TUI is the main way to compose an edition; these commands cover the same operations so an
edition can be built, checked and exported in a shell script or a cron job.
"""

from __future__ import annotations

import sys

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.output import cell, emit_json
from curator.errors import DeadLinksError
from curator.roundup.views import EditionInfo, EditionView, LinkReport

FORMAT_CHOICES = ["md", "markdown", "html", "fragment", "html-fragment", "txt", "text"]


def _window(info: EditionInfo) -> str:
    start = f"{info.window_start:%Y-%m-%d}" if info.window_start else "?"
    end = f"{info.window_end:%Y-%m-%d}" if info.window_end else "now"
    return f"{start} .. {end}"


def _print_view(view: EditionView) -> None:
    info = view.info
    click.echo(f"{cell(info.title)}  (#{info.number}, {info.status}, posts {_window(info)}, "
               f"{info.item_count} items)")
    for section in view.sections:
        indent = "  " if section.level == 2 else ""
        click.echo(f"{indent}== {cell(section.title)} [{section.key}]")
        if section.body:
            click.echo(f"{indent}   {cell(section.body, 100)}")
        for item in section.items:
            extra = f" \u2013 {cell(item.note)}" if item.note else ""
            flag = f"  [already in #{item.featured_in}]" if item.featured_in else ""
            click.echo(f"{indent}   {item.id:>5}  {cell(item.blurb, 110)}{extra}{flag}")


@click.group("roundup")
def roundup_group() -> None:
    """Compose the roundup edition: pick posts, write blurbs, order sections, export, publish."""


@roundup_group.command("new")
@click.option("--title", help="Edition title (default 'Roundup #N').")
@click.option("--since", metavar="DATE", help="Window start (default: the last publication, "
              "else 30 days ago).")
@click.option("--until", metavar="DATE", help="Window end (default: open until published).")
@pass_app
def new_command(app: AppContext, title: str | None, since: str | None, until: str | None) -> None:
    """Start the draft edition (only one draft at a time)."""
    info = app.curator.roundup.new_edition(title=title, since=since, until=until)
    click.echo(f"started {cell(info.title)} (#{info.number}), posts {_window(info)}")


@roundup_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def list_command(app: AppContext, as_json: bool) -> None:
    """List editions, drafts and published."""
    editions = app.curator.roundup.list_editions()
    if as_json:
        emit_json(editions)
        return
    if not editions:
        click.echo("no editions yet; start one with `curator roundup new`")
    for e in editions:
        when = f"{e.published_at:%Y-%m-%d}" if e.published_at else "-"
        click.echo(f"#{e.number:<4} {e.status:<10} {when:<11} {e.item_count:>4} items  "
                   f"{cell(e.title, 60)}")


@roundup_group.command("show")
@click.option("--edition", "number", type=int, help="Edition number (default: the draft).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def show_command(app: AppContext, number: int | None, as_json: bool) -> None:
    """Show an edition's sections and items with their ids and blurbs."""
    view = app.curator.roundup.get_edition(number)
    if as_json:
        emit_json({"edition": view.info, "sections": view.sections})
        return
    _print_view(view)


@roundup_group.command("pick")
@click.argument("post_ids", nargs=-1, type=int, required=True)
@click.option("--section", help="Section key, id or title (default: the post's theme).")
@click.option("--force", is_flag=True, help="Feature it even if a published edition did.")
@pass_app
def pick_command(app: AppContext, post_ids: tuple[int, ...], section: str | None,
                 force: bool) -> None:
    """Add posts to the draft edition (one is started when there is none)."""
    ids = app.curator.roundup.pick(list(post_ids), section=section, force=force,
                                   start_draft=True)
    click.echo(f"picked {len(ids)} post(s)" + (f": items {', '.join(map(str, ids))}" if ids
                                                 else " (already in the draft)"))


@roundup_group.command("unpick")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--item", "by_item", is_flag=True, help="The ids are item ids, not post ids.")
@pass_app
def unpick_command(app: AppContext, ids: tuple[int, ...], by_item: bool) -> None:
    """Remove posts (or, with --item, items) from the draft edition."""
    if by_item:
        count = app.curator.roundup.unpick(item_ids=list(ids))
    else:
        count = app.curator.roundup.unpick(post_ids=list(ids))
    click.echo(f"removed {count} item(s)")


@roundup_group.command("move")
@click.argument("item_id", type=int)
@click.option("--section", help="Move into this section (key, id or title).")
@click.option("--position", type=int, help="1-based place in the section (0 or less: last).")
@click.option("--up", "delta", flag_value=-1, type=int, help="One place up.")
@click.option("--down", "delta", flag_value=1, type=int, help="One place down.")
@pass_app
def move_command(app: AppContext, item_id: int, section: str | None, position: int | None,
                 delta: int | None) -> None:
    """Move an item to another section or place."""
    if delta and section is None and position is None:
        app.curator.roundup.move_item_by(item_id, delta)
    else:
        index = None if position is None else (position - 1 if position > 0 else -1)
        app.curator.roundup.move_item(item_id, section=section, position=index)
    click.echo(f"moved item {item_id}")


@roundup_group.command("note")
@click.argument("item_id", type=int)
@click.argument("text", required=False, default="")
@pass_app
def note_command(app: AppContext, item_id: int, text: str) -> None:
    """Set the short note after an item's link (no TEXT removes it)."""
    app.curator.roundup.set_note(item_id, text)
    click.echo(f"note {'set' if text.strip() else 'removed'} on item {item_id}")


@roundup_group.command("blurb")
@click.argument("item_id", type=int)
@click.argument("text", required=False, default="")
@pass_app
def blurb_command(app: AppContext, item_id: int, text: str) -> None:
    """Write an item's blurb; mark the link with [brackets] or {title}. No TEXT: back to the
    generated blurb."""
    app.curator.roundup.set_blurb(item_id, text or None)
    click.echo(f"blurb {'set' if text.strip() else 'reset'} on item {item_id}")


@roundup_group.command("edit")
@click.argument("item_id", type=int)
@click.option("--title", help="New title.")
@click.option("--person", help="Person behind the post ('' clears).")
@click.option("--org", help="Organisation ('' clears).")
@pass_app
def edit_command(app: AppContext, item_id: int, title: str | None, person: str | None,
                 org: str | None) -> None:
    """Correct an item's title, person or organisation."""
    app.curator.roundup.edit_item(item_id, title=title, person=person, org=org)
    click.echo(f"updated item {item_id}")


@roundup_group.command("link")
@click.argument("url")
@click.argument("title", required=False)
@click.option("--person", help="Who wrote it (default: the page's author, when it names one).")
@click.option("--org", help="Their organisation (default: the page's site name).")
@click.option("--section", help="Section key, id or title (default: the '...and' theme).")
@click.option("--note", help="Short note after the link.")
@click.option("--force", is_flag=True, help="Feature it even if a published edition did.")
@pass_app
def link_command(app: AppContext, url: str, title: str | None, person: str | None,
                 org: str | None, section: str | None, note: str | None, force: bool) -> None:
    """Add a link that came from no feed. Without TITLE the page is fetched and its own title,
    author and site are used (Open Graph, Twitter card, JSON-LD, else <title>)."""
    item_id = app.curator.roundup.add_link(title, url, person=person, org=org, section=section,
                                           note=note, force=force)
    item = next(i for i in app.curator.roundup.get_edition().items if i.id == item_id)
    by = " \u00b7 ".join(cell(part) for part in (item.person, item.org) if part)
    click.echo(f"added item {item_id}: {cell(item.title, 80)}" + (f" ({by})" if by else ""))


@roundup_group.command("title")
@click.argument("title")
@pass_app
def title_command(app: AppContext, title: str) -> None:
    """Rename the draft edition."""
    info = app.curator.roundup.rename_edition(title)
    click.echo(f"edition #{info.number} is now {cell(info.title)}")


@roundup_group.group("section")
def section_group() -> None:
    """Add, rename, remove, reorder sections and set their text."""


@section_group.command("add")
@click.argument("title")
@click.option("--text", "body", default="", help="The section's text.")
@click.option("--position", type=int, help="1-based place among the sections.")
@pass_app
def section_add(app: AppContext, title: str, body: str, position: int | None) -> None:
    """Add a free-text section (default: just before the closing note)."""
    index = None if position is None else max(0, position - 1)
    section_id = app.curator.roundup.add_section(title, body=body, position=index)
    click.echo(f"added section {section_id}")


@section_group.command("rename")
@click.argument("section")
@click.argument("title")
@pass_app
def section_rename(app: AppContext, section: str, title: str) -> None:
    """Rename a section (key, id or title)."""
    app.curator.roundup.rename_section(section, title)
    click.echo("renamed")


@section_group.command("remove")
@click.argument("section")
@click.option("--force", is_flag=True, help="Remove it with its items.")
@pass_app
def section_remove(app: AppContext, section: str, force: bool) -> None:
    """Remove a section (one with items needs --force)."""
    app.curator.roundup.remove_section(section, force=force)
    click.echo("removed")


@section_group.command("reorder")
@click.argument("section")
@click.argument("position", type=int)
@pass_app
def section_reorder(app: AppContext, section: str, position: int) -> None:
    """Move a section to a 1-based POSITION (0 or less: last)."""
    app.curator.roundup.reorder_section(section, position - 1 if position > 0 else -1)
    click.echo("moved")


@section_group.command("text")
@click.argument("section")
@click.argument("text")
@pass_app
def section_text(app: AppContext, section: str, text: str) -> None:
    """Set a section's free text; TEXT '-' reads it from stdin."""
    body = sys.stdin.read() if text == "-" else text
    app.curator.roundup.set_section_body(section, body)
    click.echo("text set")


def _report_links(app: AppContext, number: int | None, as_json: bool = False) -> int:
    """Check links, print the problems (stderr unless JSON); returns how many are dead."""
    report = app.curator.roundup.check_links(number)
    if as_json:
        emit_json({"results": report.results, "dead": len(report.dead),
                   "redirected": len(report.redirected), "ok": len(report.ok)})
        return len(report.dead)
    _print_report(report)
    return len(report.dead)


def _print_report(report: LinkReport | None) -> None:
    """Dead and redirected links, each with where it sits, then the counts (all on stderr)."""
    if report is None:
        return
    for result in report.dead:
        why = result.error or f"HTTP {result.http_status}"
        click.echo(f"dead        {cell(result.url)}  ({cell(why)}; {cell(result.where)})",
                   err=True)
    for result in report.redirected:
        click.echo(f"redirected  {cell(result.url)} -> {cell(result.final_url)}", err=True)
    click.echo(f"links: {len(report.ok)} ok, {len(report.redirected)} redirected, "
               f"{len(report.dead)} dead", err=True)


@roundup_group.command("check-links")
@click.option("--edition", "number", type=int, help="Edition number (default: the draft).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def check_links_command(app: AppContext, number: int | None, as_json: bool) -> None:
    """Request every link of the edition and report dead or redirected ones (exit 1 if dead)."""
    if _report_links(app, number, as_json):
        sys.exit(1)


@roundup_group.command("export")
@click.option("--edition", "number", type=int, help="Edition number (default: the draft).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES, case_sensitive=False),
              default="md", show_default=True,
              help="md, html (full e-mail-safe page), fragment (HTML fragment) or txt.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of stdout ('-': stdout).")
@click.option("--check-links", "check", is_flag=True,
              help="Check every link over HTTP first; report dead or redirected ones.")
@pass_app
def export_command(app: AppContext, number: int | None, fmt: str, output: str | None,
                   check: bool) -> None:
    """Export an edition as Markdown, HTML or plain text (templates: see `curator paths`)."""
    if check:
        _report_links(app, number)
    if output and output != "-":
        path = app.curator.roundup.export_edition_to(fmt, output, number)
        click.echo(f"wrote {path}", err=True)
        return
    click.echo(app.curator.roundup.export_edition(fmt, number), nl=False)


@roundup_group.command("publish")
@click.option("--force", is_flag=True, help="Publish even when some links are dead.")
@click.option("--no-check", "skip_check", is_flag=True,
              help="Do not request the links first (offline).")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for each link.")
@pass_app
def publish_command(app: AppContext, force: bool, skip_check: bool, timeout: float) -> None:
    """Publish the draft: its posts stop being candidates and the next window starts now.

    Every link, in items and in section text, is requested first; a dead one refuses the
    publication unless --force (the dead and redirected ones are listed on stderr)."""
    try:
        done = app.curator.roundup.publish(check=not skip_check, force=force, timeout=timeout)
    except DeadLinksError as exc:
        _print_report(exc.report)  # type: ignore[arg-type]
        raise
    _print_report(done.links)
    info = done.info
    click.echo(f"published {cell(info.title)} (#{info.number}) with {info.item_count} items")


@roundup_group.command("templates")
@click.option("--copy", is_flag=True, help="Copy the bundled templates into your templates "
              "folder to edit them (existing files are kept).")
@pass_app
def templates_command(app: AppContext, copy: bool) -> None:
    """Show which export templates are in use; yours (in the config dir) win over the bundled."""
    for name, path, own in app.curator.roundup.template_files(copy=copy):
        click.echo(f"{name:<18} {'yours  ' if own else 'bundled'}  {path}")


COMMANDS: list[click.Command] = [roundup_group]
