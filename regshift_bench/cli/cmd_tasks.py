"""``rsbench tasks list|validate``: the shipped suite and task files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from regshift_bench.cli.console import console, error_line, esc, print_json

tasks_app = typer.Typer(help="Task and suite files.", no_args_is_help=True, rich_markup_mode=None)


@tasks_app.command("list")
def list_suites(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List shipped suites, their tasks, shifts and presets."""
    from regshift_bench import tasks

    rows: list[dict[str, Any]] = [
        {
            "suite": s.name,
            "version": s.version,
            "file": str(s.path),
            "tasks": [t.label for t in s.tasks],
            "presets": sorted(s.presets),
            "shifts": sorted({sh.name for t in s.tasks for sh in (t.shifts or ())}),
        }
        for s in tasks.shipped_suites()
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(title="task suites")
    for col in ("suite", "version", "tasks", "shifts", "presets", "file"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            esc(r["suite"]),
            str(r["version"]),
            esc(", ".join(r["tasks"])),
            esc(", ".join(r["shifts"]) or "(all applicable)"),
            esc(", ".join(r["presets"])),
            esc(r["file"]),
        )
    console.print(table)


@tasks_app.command("validate")
def validate(files: Annotated[Optional[list[Path]], typer.Argument(help="Files (default: shipped).")] = None) -> None:
    """Check every name in the files against the registries, without touching data."""
    from regshift_bench import tasks

    suites = [tasks.load_suite(f) for f in files] if files else tasks.shipped_suites()
    problems = [p for s in suites for p in tasks.validate_suite(s)]
    for p in problems:
        error_line(p)
    if problems:
        raise typer.Exit(1)
    console.print(f"{len(suites)} file(s) valid: {esc(', '.join(str(s.path) for s in suites))}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(tasks_app, name="tasks")
