"""The click group every command hangs off, its global options, and error mapping.

Commands live in sibling modules (one per capability) and stay thin: parse options, call one
library function, print.  Any ClausewatchError becomes ``clausewatch: <message>`` on stderr with
its exit code (2 = bad input, 1 = other failure); no traceback reaches a user.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from ..errors import ClausewatchError

DB_ENV = "CLAUSEWATCH_DB"
DEFAULT_DB = "clausewatch.sqlite"


def default_db_path() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


@dataclass
class Settings:
    """Global options, shared by every command through click's context object."""

    watchlist_path: Path
    db_path: Path

    def load_watchlist(self):
        from ..config import load_watchlist

        return load_watchlist(self.watchlist_path)

    def open_store(self, *, must_exist: bool = False):
        from ..errors import StoreError
        from ..store import Store

        if must_exist and not self.db_path.exists():
            raise StoreError(f"{self.db_path}: no database yet (run 'clausewatch run' or 'clausewatch import' first)")
        return Store(self.db_path)


class ClausewatchGroup(click.Group):
    """A group that turns our errors into one-line messages instead of tracebacks.

    It also imports command modules lazily: ``lazy_commands`` maps a command name to the modules
    (relative to ``clausewatch.cli``) that register it when imported.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, tuple[str, ...]] = {}

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            import importlib

            for module in self.lazy_commands[cmd_name]:
                try:
                    importlib.import_module(f"clausewatch.cli.{module}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"clausewatch.cli.{module}":
                        raise
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        return sorted(set(self.commands) | {n for n in self.lazy_commands if self.get_command(ctx, n)})

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ClausewatchError as exc:
            click.echo(f"clausewatch: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("clausewatch: interrupted", err=True)
            sys.exit(130)


@click.group(cls=ClausewatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="watchlist.yaml",
    show_default=True,
    help="The watchlist file.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=default_db_path,
    show_default=f"${DB_ENV} or ./{DEFAULT_DB}",
    help="The SQLite database (created on first use).",
)
@click.version_option(package_name="clausewatch")
@click.pass_context
def main(ctx: click.Context, watchlist_path: Path, db_path: Path) -> None:
    """Watch terms of service and privacy policies for changes to their AI clauses.

    \b
    Example:
      clausewatch validate
      clausewatch run
      clausewatch history LinkedIn
    """
    ctx.obj = Settings(watchlist_path=watchlist_path, db_path=Path(db_path))


def echo_json(value) -> None:
    """Print a value as JSON for scripts (UTF-8 kept readable)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


pass_settings = click.make_pass_decorator(Settings)
