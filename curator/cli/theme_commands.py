"""CLI for themes, rules, classification and measuring the classifier."""

from __future__ import annotations

from dataclasses import asdict

import click

from curator.cli.context import AppContext, pass_app
from curator.cli.output import emit_json, table


@click.group("themes")
def themes_group() -> None:
    """Manage the roundup's themes, the rules that sort posts into them, and the classifier."""


@themes_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def list_command(app: AppContext, as_json: bool) -> None:
    """List themes in roundup order."""
    themes = app.curator.themes.list_themes()
    if as_json:
        emit_json([asdict(t) for t in themes])
        return
    table([[t.position, t.slug, t.name, len(t.seeds), t.description] for t in themes],
          ["#", "slug", "name", "seeds", "description"], [None, 16, 28, None, 60])


@themes_group.command("add")
@click.argument("slug")
@click.argument("name")
@click.option("--description", default="", help="What belongs here (the zero-shot classifier reads it).")
@click.option("--seed", "seeds", multiple=True, help="A seed word or phrase (repeatable, or comma-separated).")
@click.option("--position", type=int, help="0-based place in the roundup order (default: last).")
@pass_app
def add_command(app: AppContext, slug: str, name: str, description: str, seeds: tuple[str, ...],
                position: int | None) -> None:
    """Add a theme SLUG called NAME."""
    theme = app.curator.themes.add_theme(slug, name, description, list(seeds), position)
    click.echo(f"added theme {theme.slug} ({theme.name}) at position {theme.position}")


@themes_group.command("edit")
@click.argument("slug")
@click.option("--name", help="New display name.")
@click.option("--description", help="New description.")
@click.option("--seeds", "replace", help="Replace all seed phrases (comma-separated).")
@click.option("--add-seed", "add", multiple=True, help="Add a seed phrase (repeatable).")
@click.option("--remove-seed", "remove", multiple=True, help="Remove a seed phrase (repeatable).")
@pass_app
def edit_command(app: AppContext, slug: str, name: str | None, description: str | None,
                 replace: str | None, add: tuple[str, ...], remove: tuple[str, ...]) -> None:
    """Change a theme's name, description or seed phrases."""
    theme = app.curator.themes.edit_theme(slug, name, description,
                                   [replace] if replace is not None else None, list(add), list(remove))
    click.echo(f"updated theme {theme.slug} ({theme.name}, {len(theme.seeds)} seeds)")


@themes_group.command("remove")
@click.argument("slug")
@pass_app
def remove_command(app: AppContext, slug: str) -> None:
    """Remove a theme and its rules; its posts are re-bucketed into the remaining themes."""
    moved = app.curator.themes.remove_theme(slug)
    click.echo(f"removed theme {slug}; re-bucketed {moved} posts")


@themes_group.command("reorder")
@click.argument("slugs", nargs=-1, required=True)
@pass_app
def reorder_command(app: AppContext, slugs: tuple[str, ...]) -> None:
    """Put the named themes first, in this order (the rest follow in their current order)."""
    themes = app.curator.themes.reorder_themes(list(slugs))
    click.echo("order: " + ", ".join(t.slug for t in themes))


@themes_group.group("rules")
def rules_group() -> None:
    """Rules send matching posts to a theme; they beat the model and are shown as the reason."""


@rules_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def rules_list(app: AppContext, as_json: bool) -> None:
    """List rules (feed-scoped rules are tried first, then global ones, oldest first)."""
    rules = app.curator.themes.list_rules()
    if as_json:
        emit_json([asdict(r) for r in rules])
        return
    table([[r.id, r.field, r.pattern, r.theme, r.feed_url or "all feeds"] for r in rules],
          ["id", "field", "pattern", "theme", "scope"], [None, None, 40, 16, 50])


@rules_group.command("add")
@click.argument("field", type=click.Choice(["phrase", "tag", "author", "feed", "domain"]))
@click.argument("pattern")
@click.argument("theme")
@click.option("--feed", "feed", metavar="URL", help="Only for posts from this feed.")
@click.option("--dry-run", is_flag=True, help="Only show how many stored posts would move.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def rules_add(app: AppContext, field: str, pattern: str, theme: str, feed: str | None,
              dry_run: bool, as_json: bool) -> None:
    """Add a rule: posts whose FIELD matches PATTERN go to THEME (applied to stored posts now)."""
    out = app.curator.themes.add_rule(field, pattern, theme, feed=feed, dry_run=dry_run)
    if as_json:
        emit_json(asdict(out))
        return
    verb = "would move" if dry_run else "moved"
    head = "dry run: " if dry_run else f"added rule #{out.rule.id}: "
    click.echo(f"{head}{field} {pattern!r} -> {theme} matches {out.matched} stored posts, "
               f"{verb} {out.moved}")
    for move in out.samples:
        click.echo(f"  {move.post_id}: {move.title[:70]} ({move.old_theme or '-'} -> {move.new_theme})")


@rules_group.command("remove")
@click.argument("rule_id", type=int)
@pass_app
def rules_remove(app: AppContext, rule_id: int) -> None:
    """Remove rule RULE_ID; the posts it classified are re-bucketed."""
    moved = app.curator.themes.remove_rule(rule_id)
    click.echo(f"removed rule #{rule_id}; {moved} posts changed theme")


@themes_group.command("retrain")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def retrain_command(app: AppContext, as_json: bool) -> None:
    """Rebuild the classifier from every stored correction, edition placement and rule hit."""
    info = app.curator.themes.retrain()
    if as_json:
        emit_json(asdict(info))
        return
    click.echo(f"trained {info.model} on {info.n_examples} examples ({info.n_user} yours, "
               f"{info.n_edition} from editions, {info.n_rule} from rules)")


@themes_group.command("doubtful")
@click.option("--below", type=float, default=None, metavar="P",
              help="Confidence threshold (default 0.5).")
@click.option("--limit", type=int, default=30, show_default=True, help="At most this many posts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def doubtful_command(app: AppContext, below: float | None, limit: int, as_json: bool) -> None:
    """Posts the classifier is least sure of, least sure first: check these before the rest."""
    kwargs = {"threshold": below} if below is not None else {}
    posts = app.curator.themes.low_confidence(limit=limit, **kwargs)
    if as_json:
        emit_json([asdict(p) for p in posts])
        return
    table([[p.id, f"{p.confidence or 0:.2f}", p.theme, p.title, p.why] for p in posts],
          ["id", "conf", "theme", "title", "why"], [None, None, 12, 50, 60])


@themes_group.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--train", "train", type=click.Path(exists=True, dir_okay=False, allow_dash=True),
              help="Labelled JSONL to train on first (default: zero-shot, no training).")
@click.option("--cv", type=int, help="K-fold cross-validation on FILE instead.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def eval_command(app: AppContext, file: str, train: str | None, cv: int | None,
                 as_json: bool) -> None:
    """Measure the classifier on labelled JSONL (title, summary, tags, label per line).

    FILE (or --train) '-' reads standard input.
    """
    if file == "-" and train == "-":
        raise click.UsageError("only one of FILE and --train can be '-' (standard input)")
    result = app.curator.themes.evaluate_file(file, train=train, cv=cv)
    if as_json:
        emit_json(result)
        return
    _print_eval(result)


def _print_eval(result: dict[str, object]) -> None:
    mode = result.get("mode", "")
    click.echo(f"{mode}: {result['n']} posts  accuracy {result['accuracy']:.3f}  "
               f"macro-F1 {result['macro_f1']:.3f}")
    per = result["per_theme"]
    assert isinstance(per, dict)
    table([[s, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", m["support"]]
           for s, m in per.items()], ["theme", "precision", "recall", "f1", "support"],
          [16, None, None, None, None])
    confusion = result["confusion"]
    assert isinstance(confusion, dict)
    labels = list(confusion)
    click.echo("confusion (rows: true, columns: predicted)")
    table([[g] + [confusion[g][p] for p in labels] for g in labels], ["", *labels],
          [16] + [None] * len(labels))


@click.command("classify")
@click.option("--all", "all_", is_flag=True, help="Re-bucket every post not placed by hand.")
@click.option("--since", metavar="WHEN", help="Re-bucket posts published since WHEN "
              "(2026-01-31, or 2w, 12h... ago).")
@click.option("--dry-run", is_flag=True, help="Only count how many posts would change theme.")
@pass_app
def classify_command(app: AppContext, all_: bool, since: str | None, dry_run: bool) -> None:
    """Sort stored posts into themes (default: those with no theme yet).

    Posts you placed by hand or put in an edition are never changed.
    """
    from curator.when import parse_moment

    when = parse_moment(since) if since else None
    changed = app.curator.themes.reclassify(since=when, all=all_, dry_run=dry_run)
    click.echo(f"{'would change' if dry_run else 'changed'} the theme of {changed} posts")
    if not dry_run:
        doubtful = len(app.curator.themes.low_confidence(limit=10_000))
        if doubtful:
            click.echo(f"{doubtful} posts have low confidence: `curator themes doubtful` lists them")


COMMANDS: list[click.Command] = [themes_group, classify_command]
