"""``rsbench list KIND``: registered names with owner and one-line summary."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer
from rich.table import Table

from regshift_bench.cli.console import console, esc, print_json
from regshift_bench.kinds import KINDS

#: ``tasks``, ``shifts``, ...: one choice per plugin kind, from the single declaration.
Kind = Enum("Kind", {f"{k}s": f"{k}s" for k in KINDS}, type=str)  # type: ignore[misc]


def _extra(entry: object, attr: Callable[[object, str, Any], Any]) -> dict[str, object]:
    """The kind's own fields of one entry; ``attr(factory, name, default)`` reads them."""
    factory = getattr(entry, "factory")
    out: dict[str, object] = {}
    if getattr(entry, "kind") == "metric":
        out["higher_is_better"] = bool(attr(factory, "higher_is_better", False))
        out["needs"] = sorted(attr(factory, "needs", ()))
    if getattr(entry, "kind") == "shift":
        out["kind"] = attr(factory, "kind", "")
        out["changes_train"] = bool(attr(factory, "changes_train", False))
        out["changes_inputs"] = attr(factory, "changes_inputs", None)
        out["default_severities"] = list(attr(factory, "default_severities", ()))
    prior_params = attr(factory, "prior_params", None) if getattr(entry, "kind") == "model" else None
    if prior_params is not None:
        out["prior_params"] = dict(prior_params)  # e.g. a motif prior rung
    if getattr(entry, "kind") == "task":
        out["task_kind"] = attr(factory, "kind", "")
        out["has_oracle"] = bool(attr(factory, "has_oracle", False))
    if getattr(entry, "kind") == "claim":
        out["reads"] = (
            ", ".join([*factory.reads.tasks, *factory.reads.shifts, *(f"{f} shifts" for f in factory.reads.families)])
            or "any"
        )
        out["controls"] = ", ".join(factory.controls)
    if getattr(entry, "kind") == "block":
        out["roles"] = ", ".join(getattr(entry, "info").get("roles", ()))
    if getattr(entry, "kind") == "explainer":
        out["needs"] = sorted(attr(factory, "needs", ()))
    if getattr(entry, "kind") == "intervention":
        out["stage"] = attr(factory, "stage", "")
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
    from regshift_bench import plugins
    from regshift_bench.api.lazy_factory import declared

    registry = plugins.current().registry
    entries = registry.entries(kind.value[:-1])
    # The table shows what lazily registered factories declare and imports none of them
    # (fast); --json loads each and reads the factory itself.
    attr: Callable[[object, str, Any], Any] = declared
    if as_json:
        entries, attr = [registry.get(e.kind, e.name) for e in entries], getattr
    rows = [{"name": e.name, "plugin": e.owner, "summary": e.summary, **_extra(e, attr)} for e in entries]
    if as_json:
        print_json(rows)
        return
    console.print(_table(f"{len(rows)} {kind.value}", rows))


def _table(title: str, rows: list[dict[str, object]]) -> Table:
    """Name, plugin, summary and one ``details`` column holding the kind's extra fields.

    Names are what a user types next: never cut, whatever the terminal's width. The
    summary and details wrap instead (``--json`` has every field as its own key).
    """
    table = Table(title=title)
    width = max((len(str(r["name"])) for r in rows), default=4)
    table.add_column("name", no_wrap=True, min_width=width)
    table.add_column("plugin", no_wrap=True)
    table.add_column("summary", overflow="fold", ratio=3)
    extras = [c for c in (rows[0] if rows else {}) if c not in ("name", "plugin", "summary")]
    if extras:
        table.add_column("details", overflow="fold", ratio=2)
    for row in rows:
        cells = [esc(row["name"]), esc(row["plugin"]), esc(row["summary"])]
        if extras:
            cells.append(esc("; ".join(f"{c}: {_text(row[c])}" for c in extras)))
        table.add_row(*cells)
    return table


def _text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "-"
    return str(value) if value not in ("", None) else "-"


def register(app: typer.Typer) -> None:
    app.command("list")(list_command)
