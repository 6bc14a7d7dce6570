"""``rsbench list KIND``: registered names with owner and one-line summary."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer
from rich.table import Table

from regshift_bench import plugins
from regshift_bench.cli.console import console, esc, print_json
from regshift_bench.kinds import KINDS


#: ``tasks``, ``shifts``, ...: one choice per plugin kind, from the single declaration.
Kind = Enum("Kind", {f"{k}s": f"{k}s" for k in KINDS}, type=str)  # type: ignore[misc]


def _extra(entry: object) -> dict[str, object]:
    factory = getattr(entry, "factory")
    out: dict[str, object] = {}
    if getattr(entry, "kind") == "metric":
        out["higher_is_better"] = bool(getattr(factory, "higher_is_better", False))
        out["needs"] = sorted(getattr(factory, "needs", ()))
    if getattr(entry, "kind") == "shift":
        out["kind"] = getattr(factory, "kind", "")
        out["changes_train"] = bool(getattr(factory, "changes_train", False))
        out["changes_inputs"] = getattr(factory, "changes_inputs", None)
        out["default_severities"] = list(getattr(factory, "default_severities", ()))
    if getattr(entry, "kind") == "task":
        out["task_kind"] = getattr(factory, "kind", "")
        out["has_oracle"] = bool(getattr(factory, "has_oracle", False))
    if getattr(entry, "kind") == "claim":
        out["reads"] = ", ".join([*factory.reads.tasks, *factory.reads.shifts,
                                  *(f"{f} shifts" for f in factory.reads.families)]) or "any"
        out["controls"] = ", ".join(factory.controls)
    if getattr(entry, "kind") == "block":
        out["roles"] = ", ".join(getattr(entry, "info").get("roles", ()))
    if getattr(entry, "kind") == "explainer":
        out["needs"] = sorted(getattr(factory, "needs", ()))
    if getattr(entry, "kind") == "intervention":
        out["stage"] = getattr(factory, "stage", "")
    if getattr(entry, "kind") == "dataset":
        out["folder"] = getattr(factory, "folder", "")
        out["files"] = len(getattr(factory, "files", ()))
        out["tasks"] = list(getattr(factory, "tasks", ()))
    return out


def list_command(
    kind: Annotated[Kind, typer.Argument(help="What to list.")],  # type: ignore[valid-type]
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List registered tasks, shifts, models, metrics, priors or datasets."""
    entries = plugins.current().registry.entries(kind.value[:-1])
    rows = [{"name": e.name, "plugin": e.owner, "summary": e.summary, **_extra(e)}
            for e in entries]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} {kind.value}")
    columns = list(rows[0]) if rows else ["name", "plugin", "summary"]
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(esc(row[c]) for c in columns))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("list")(list_command)
