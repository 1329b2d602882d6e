"""The `curator` command. A bare `curator` opens the TUI; subcommands script every part.

Errors the user can act on (CuratorError, OSError) print one line on stderr and exit 1; usage
errors exit 2 (click's convention); Ctrl-C exits 130 without a traceback.

Subcommands load when they are named (`LAZY_COMMANDS`): `curator poll` imports the poller, not
the roundup's exporters, and a cron poll with nothing due never imports the data layer at all.
"""

from __future__ import annotations

import importlib
import os
import sys

from curator.launch.quiet import quiet_imports

with quiet_imports():
    import click

    from curator import __version__
    from curator.cli.context import AppContext, pass_app
    from curator.launch.failures import describe_failure


# command name -> the modules that define it (`feeds status` lives with the poller's commands)
LAZY_COMMANDS: dict[str, tuple[str, ...]] = {
    "feeds": ("feed_commands", "poll_commands"),
    "poll": ("poll_commands",),
    "posts": ("post_commands",),
    "themes": ("theme_commands",),
    "classify": ("theme_commands",),
    "roundup": ("roundup_commands", "edition_commands"),
    "demo": ("demo_commands",),
    "db": ("db_commands",),
    "coverage": ("coverage_commands",),
}


class CuratorGroup(click.Group):
    """Turns user-facing exceptions into one line on stderr and exit status 1; loads each
    subcommand's module only when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in LAZY_COMMANDS:
            return command
        with quiet_imports():
            modules = [importlib.import_module(f"curator.cli.{name}")
                       for name in LAZY_COMMANDS[cmd_name]]
        found = {c.name: c for c in modules[0].COMMANDS}
        self.add_command(found[cmd_name])
        return found[cmd_name]

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # `curator posts list | head`: the reader went away; leave quietly (Python docs' recipe)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            message = describe_failure(exc)
            if message is None:
                raise  # click's own exceptions, or a bug: the traceback is the useful report
            _fail(message)


def _fail(message: str) -> None:
    click.echo(f"curator: {message}", err=True)
    sys.exit(1)


@click.group(cls=CuratorGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", envvar="CURATOR_DB", metavar="PATH",
              help="Database file or SQLAlchemy URL (env CURATOR_DB).")
@click.option("--opml", "opml", envvar="CURATOR_OPML", metavar="PATH",
              help="Feed list (env CURATOR_OPML; default ./feeds.opml, else the config dir copy).")
@click.version_option(__version__, prog_name="curator")
@click.pass_context
def main(ctx: click.Context, db: str | None, opml: str | None) -> None:
    """curator: collect your community's blog posts, sort them into themes, export the roundup.

    Run without a command to open the terminal UI.
    """
    ctx.obj = AppContext(db=db, opml=opml)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:  # the TUI, started as a bare `curator` starts it
        from curator.launch.tui_session import TuiSession

        with TuiSession(ctx.obj.locations) as app:
            app.run()


@main.command("paths")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_app
def paths_command(app: AppContext, as_json: bool) -> None:
    """Show where curator keeps its database, feed list, config and templates, and which
    proxy it uses."""
    from curator.cli.output import emit_json

    loc = app.locations
    from curator.urls import hide_password

    rows = {"db": hide_password(loc.db), "opml": str(loc.opml), "config_dir": str(loc.config_dir),
            "config_file": str(loc.config_file), "templates_dir": str(loc.templates_dir),
            "data_dir": str(loc.data_dir), "cache_dir": str(loc.cache_dir),
            "exports_dir": str(loc.exports_dir),
            "network": app.curator.polls.network().describe()}
    if as_json:
        emit_json(rows)
        return
    for key, value in rows.items():
        click.echo(f"{key:<14}{value}")


SHELLS = ("bash", "zsh", "fish")


@main.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the tab-completion script for SHELL (bash, zsh or fish).

    \b
    bash:  echo 'eval "$(curator completion bash)"' >> ~/.bashrc
    zsh:   echo 'eval "$(curator completion zsh)"' >> ~/.zshrc
    fish:  curator completion fish > ~/.config/fish/completions/curator.fish
    """
    from click.shell_completion import get_completion_class

    complete = get_completion_class(shell)
    assert complete is not None  # every SHELLS entry is one of click's
    click.echo(complete(main, {}, "curator", "_CURATOR_COMPLETE").source())
