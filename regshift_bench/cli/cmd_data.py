"""``rsbench data list`` and ``rsbench data fetch NAME``: the datasets of the data directory.

The datasets (folders, pinned SHA-256 checksums, public URLs) are whatever plugins
registered with the ``rsbench_register_datasets`` hook; the logic that verifies and
fetches them is :mod:`regshift_bench.datasets`. This module only presents them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from regshift_bench import datasets, paths, plugins
from regshift_bench.cli.console import console, esc, print_json


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(
        help="List and fetch the registered datasets (lentiMPRA, Sharpr, DREAM, ...).",
        no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(data_app, name="data")

    @data_app.command("list")
    def list_(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Which datasets are present in the data directory, their sizes and checksums."""
        root = paths.data_dir(required=False)
        rows = datasets.status(root, plugins.registered_datasets())
        if as_json:
            print_json({"data_dir": str(root), "data_dir_source": paths.data_dir_source(),
                        "files": rows})
            return
        from rich.table import Table

        where = f"{root} (from {paths.data_dir_source()})"
        table = Table(title=f"data directory: {esc(where)}", title_justify="left")
        for col in ("dataset", "file", "size", "sha256", "status", "tasks"):
            table.add_column(col, overflow="fold")
        for r in rows:
            if not r["present"]:
                status = "[red]missing[/red]" + (" (fetchable)" if r["fetchable"] else "")
            else:
                status = "[green]ok[/green]" if r["checksum_ok"] else "[yellow]modified[/yellow]"
            table.add_row(esc(r["dataset"]), esc(r["file"]), _size(r["size"]),
                          (r["sha256"] or "-")[:16], status, esc(", ".join(r["tasks"])))
        console.print(table)
        if not rows:
            console.print("no datasets registered: no loaded plugin implements "
                          "rsbench_register_datasets (see `rsbench plugins`)")

    @data_app.command("fetch")
    def fetch(
        name: Annotated[str, typer.Argument(help="Dataset name (see `rsbench data list`).")],
        url: Annotated[Optional[str], typer.Option(
            "--url", help="Mirror URL: the file, or a base URL of the dataset's folder.")] = None,
        dest: Annotated[Optional[Path], typer.Option(
            "--dest", help="Data directory to write into (default: the configured one).")] = None,
    ) -> None:
        """Download a dataset's files and verify their pinned SHA-256 checksums."""
        dataset = plugins.get_dataset(name)  # unknown names fail before anything else
        root = dest if dest is not None else paths.data_dir()
        for rel, status in datasets.fetch(dataset, Path(root), url=url):
            console.print(f"{esc(status):>10}  {esc(Path(root) / dataset.folder / rel)}", soft_wrap=True)
