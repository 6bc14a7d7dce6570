"""``rsbench plugins``: every plugin, its distribution, what it registered, errors."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from regshift_bench.cli.console import console, esc, print_json


def plugins_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List loaded plugins; a plugin that failed to load is shown with its error."""
    from regshift_bench import plugins

    records = plugins.current().records
    if as_json:
        print_json([asdict(r) for r in records])
        plugins.check_requested()  # a failed --plugin: listed, then exit 1
        return
    table = Table(title="rsbench plugins")
    for col in ("plugin", "source", "distribution", "status", "registered"):
        table.add_column(col)
    for r in records:
        registered = "; ".join(f"{k}: {', '.join(v)}" for k, v in r.registered.items())
        dist = f"{r.distribution} {r.version}".strip()
        status = "[green]ok[/green]" if r.status == "ok" else f"[red]failed[/red]: {esc(r.error)}"
        table.add_row(esc(r.name), esc(r.source), esc(dist), status, esc(registered or "-"))
    console.print(table)
    plugins.check_requested()


def register(app: typer.Typer) -> None:
    app.command("plugins")(plugins_command)
