"""``rsbench runs show RUN``: summarise a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from regshift_bench import results
from regshift_bench.cli.console import console, print_json

runs_app = typer.Typer(help="Inspect run directories.", no_args_is_help=True)


@runs_app.command("show")
def show(run: Annotated[Path, typer.Argument(help="A run directory.")],
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cells by status, provenance, and any failures of RUN."""
    manifest = results.read_manifest(run)
    frame = results.read_results(run)
    statuses: dict[str, int] = {}
    for info in manifest["cells"].values():
        statuses[info["status"]] = statuses.get(info["status"], 0) + 1
    failures = [{"cell": k, "error": v["error"]} for k, v in manifest["cells"].items()
                if v["status"] == "failed"]
    summary = {"run": manifest["run"], "preset": manifest["preset"], "suites": manifest["suites"],
               "created": manifest["created"], "finished": manifest["finished"],
               "cells": statuses, "rows": len(frame),
               "rows_by_status": frame["status"].value_counts().to_dict() if len(frame) else {},
               # Cells whose step/time budget stopped training while val loss still fell.
               "undertrained_cells": int(frame.loc[frame["undertrained"].eq(True), "cell"].nunique())
               if "undertrained" in frame else 0,
               "provenance": manifest["provenance"], "failures": failures}
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"run {summary['run']} ({summary['preset']})", show_header=False)
    for key in ("suites", "created", "finished", "cells", "rows", "rows_by_status",
                "undertrained_cells"):
        table.add_row(key, str(summary[key]))
    prov = manifest["provenance"]
    for key in ("rsbench", "git_commit", "torch", "device", "device_name", "seeds"):
        table.add_row(key, str(prov.get(key)))
    console.print(table)
    for f in failures:
        console.print(f"[red]failed[/red] {f['cell']}: {f['error']}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
