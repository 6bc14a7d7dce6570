"""``rsbench check NAME``: run the conformance checks on one registered plugin."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from regshift_bench import plugins
from regshift_bench.cli.console import console
from regshift_bench.errors import UnknownNameError
from regshift_bench.registry import KINDS
from regshift_bench.testing import CHECKS


def check_command(
    name: Annotated[str, typer.Argument(help="Registered plugin name, e.g. cnn+motif.")],
    kind: Annotated[Optional[str], typer.Option(
        "--kind",
        help="task, shift, model, metric, prior, dataset or explainer (when a name is ambiguous).")] = None,
) -> None:
    """Run the conformance checks for NAME on tiny synthetic data; exit 1 on failure.

    A dataset is checked against the data directory: every file present and matching
    its pinned SHA-256.
    """
    registry = plugins.current().registry
    entries = [registry.get(kind, name)] if kind else registry.find(name)
    if not entries:
        raise UnknownNameError("plugin", name, registry.all_names())
    failed = False
    for entry in entries:
        report = CHECKS[entry.kind](entry.name)
        console.print(f"[bold]{entry.kind} {entry.name}[/bold] ({entry.owner})")
        for r in report.results:
            mark = "[green]PASS[/green]" if r.passed else "[red]FAIL[/red]"
            console.print(f"  {mark} {r.check:<28} {r.seconds:6.2f}s  {r.detail}", soft_wrap=True)
        failed |= not report.ok
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)


assert set(CHECKS) == set(KINDS)
