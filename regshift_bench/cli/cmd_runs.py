"""``rsbench runs show RUN``: summarise a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from regshift_bench.cli.console import console, print_json

runs_app = typer.Typer(help="Inspect run directories.", no_args_is_help=True)


@runs_app.command("show")
def show(
    run: Annotated[Path, typer.Argument(help="A run directory.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Cells by status, undertrained cells, provenance, and any failures of RUN."""
    from regshift_bench.leaderboard.run_summary import counts_text, run_summary

    summary = run_summary(run)
    if as_json:
        print_json(summary)
        return
    # Text objects, never markup: names, paths and errors may hold square brackets.
    table = Table(title=Text(f"run {summary['run']} ({summary['preset']})"), show_header=False)
    suites = ", ".join(f"{k} v{v}" for k, v in sorted(summary["suites"].items())) or "none"
    under = summary["undertrained"]
    rows = [
        ("suites", suites),
        ("created", summary["created"]),
        ("finished", summary["finished"] or "not finished"),
        ("cells", counts_text(summary["cells"])),
        (
            "undertrained cells",
            f"{len(under)}" + (" (budget stopped training while validation loss still improved)" if under else ""),
        ),
        ("result rows", f"{summary['rows']} ({counts_text(summary['rows_by_status'])})"),
    ]
    prov = summary["provenance"]
    rows += [(k, str(prov.get(k) or "")) for k in ("rsbench", "git_commit", "torch", "device", "device_name")]
    rows.append(("seeds", ", ".join(map(str, prov.get("seeds") or [])) or "none"))
    for key, value in rows:
        table.add_row(Text(key), Text(str(value)))
    console.print(table)
    for name in under:
        console.print(Text.assemble(("undertrained ", "yellow"), name))
    for f in summary["failures"]:
        console.print(Text.assemble(("failed ", "red"), f["name"], ": ", str(f["error"])), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
