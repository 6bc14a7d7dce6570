"""Entry point: global options, subcommand discovery, one-line errors.

Each ``regshift_bench/cli/cmd_*.py`` module defines ``register(app)`` and adds its
command(s); this module finds them, so adding a command touches no other file.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

import regshift_bench
from regshift_bench.cli.console import err_console, error_line, esc, state
from regshift_bench.errors import RegshiftError

app = typer.Typer(
    name="rsbench",
    help="regshift-bench: how sequence-to-activity models hold up under distribution shift.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Help texts hold literal brackets (`test_ood[/NAME]`, `NAME@SEVERITY`): plain text.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"rsbench {regshift_bench.__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    plugin: Annotated[
        Optional[list[str]], typer.Option("--plugin", help="Import MODULE as a local plugin (repeatable).")
    ] = None,
    data_dir: Annotated[
        Optional[Path],
        typer.Option("--data-dir", help="Data directory (default: $RSBENCH_DATA_DIR, else the per-user data folder)."),
    ] = None,
) -> None:
    from regshift_bench import paths, plugins  # on use: `rsbench --help` stays light

    state.debug = debug
    if plugin:
        plugins.configure(tuple(plugin))
    if data_dir is not None:
        paths.set_data_dir(data_dir)
    # A plugin the user named that fails to load is an error even when unused;
    # `rsbench plugins` shows the table first, then fails the same way.
    if (plugin or os.environ.get(plugins.PLUGINS_ENV)) and ctx.invoked_subcommand != "plugins":
        plugins.check_requested()


def _discover() -> None:
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda i: i.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"regshift_bench.cli.{info.name}").register(app)


_discover()


def main() -> None:
    """Run the CLI; a :class:`RegshiftError` becomes one red line and exit code 1."""
    try:
        app()
    except RegshiftError as exc:
        if state.debug:
            raise
        error_line(exc)
        sys.exit(1)
    except BrokenPipeError:
        # `rsbench list models | head`: the reader left; nothing is wrong and nothing
        # more can be said. Point stdout at /dev/null so the final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt as exc:
        # `rsbench run` says how many cells were kept; anything else has nothing to keep.
        err_console.print(f"[yellow]{esc(exc) or 'interrupted'}[/yellow]", soft_wrap=True)
        sys.exit(130)
