"""``rsbench check NAME``: run the conformance checks on one plugin's registrations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from regshift_bench import plugins
from regshift_bench.cli.console import console, esc
from regshift_bench.errors import PluginError, UnknownNameError
from regshift_bench.kinds import KINDS

if TYPE_CHECKING:
    from regshift_bench.registry import Entry


def _entries(name: str, kind: str | None) -> list[Entry]:
    """The registered name, else everything the plugin (or distribution) ``name`` registered."""
    loaded = plugins.current()
    registry = loaded.registry
    if kind:
        return [registry.get(kind, name)]
    found = registry.find(name)
    if found:
        return found
    records = [r for r in loaded.records if name in (r.name, r.module, r.distribution)]
    for r in records:
        if r.status != "ok":
            raise PluginError(f"failed to load, nothing to check: {r.error}", plugin=r.name)
    if records:
        entries = [registry.get(k, n) for r in records for k in KINDS for n in r.registered.get(k, ())]
        if not entries:
            raise PluginError("loaded but registered nothing; see `rsbench plugins`", plugin=records[0].name)
        return entries
    plugin_names = {n for r in loaded.records for n in (r.name, r.distribution) if n}
    raise UnknownNameError(
        "plugin or registered name",
        name,
        sorted(set(registry.all_names()) | plugin_names),
        "rsbench plugins` for plugin names or `rsbench list KIND",
    )


def check_command(
    name: Annotated[
        str,
        typer.Argument(
            help="A registered name (e.g. cnn+motif) or a plugin / distribution name "
            "(e.g. models) to check everything it registered."
        ),
    ],
    kind: Annotated[
        Optional[str],
        typer.Option(
            "--kind", help="task, shift, model, metric, prior, dataset or explainer (when a name is ambiguous)."
        ),
    ] = None,
) -> None:
    """Run the conformance checks for NAME on tiny synthetic data; exit 1 on failure.

    A dataset is checked against the data directory: every file present and matching
    its pinned SHA-256. A skipped check (e.g. save/load of a model without get_state)
    does not fail.
    """
    from regshift_bench.testing import CHECKS  # on use: `rsbench --help` stays light

    assert set(CHECKS) == set(KINDS)  # every kind has its conformance check
    failed = False
    for entry in _entries(name, kind):
        report = CHECKS[entry.kind](entry.name)
        console.print(f"[bold]{esc(entry.kind)} {esc(entry.name)}[/bold] ({esc(entry.owner)})")
        for r in report.results:
            mark = "[yellow]SKIP[/yellow]" if r.skipped else "[green]PASS[/green]" if r.passed else "[red]FAIL[/red]"
            console.print(f"  {mark} {r.check:<28} {r.seconds:6.2f}s  {esc(r.detail)}", soft_wrap=True)
        failed |= not report.ok
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
