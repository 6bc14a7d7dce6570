"""``rsbench data list`` and ``rsbench data fetch``: the datasets of the data directory.

The datasets (folders, pinned SHA-256 checksums, public URLs, derivations) are
whatever plugins registered with the ``rsbench_register_datasets`` hook; the logic
that downloads, derives and verifies them is :mod:`regshift_bench.datasets`. This
module only parses options and presents results.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from regshift_bench import datasets, paths, plugins
from regshift_bench.api.datafiles import Dataset
from regshift_bench.cli.console import console, err_console, esc, print_json
from regshift_bench.errors import RegshiftError


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _about(d: Dataset) -> dict[str, Any]:
    return {
        "name": d.name,
        "folder": d.folder,
        "title": d.title,
        "source": d.source,
        "licence": d.licence,
        "citation": d.citation,
        "optional": d.optional,
        "fetchable": d.fetchable,
        "tasks": list(d.tasks),
    }


def _print_files(root: Path, rows: list[dict[str, Any]]) -> None:
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
        table.add_row(
            esc(r["dataset"]),
            esc(r["file"]),
            _size(r["size"]),
            (r["sha256"] or "-")[:16],
            status,
            esc(", ".join(r["tasks"])),
        )
    console.print(table)


def _print_about(registered: list[Dataset]) -> None:
    from rich.table import Table

    table = Table(title="sources, licences and citations", title_justify="left")
    for col in ("dataset", "source", "licence", "citation"):
        table.add_column(col, overflow="fold")
    for d in registered:
        name = d.name + (" (optional)" if d.optional else "")
        table.add_row(esc(name), esc(d.source or "-"), esc(d.licence or "-"), esc(d.citation or "-"))
    console.print(table)


class _Bar:
    """A pooch progress bar drawn as a rich task; closing it prints one line with the size.

    Without a terminal (``progress=None``) nothing is drawn: only that line is printed.
    """

    def __init__(self, progress: Any, label: str, size: int) -> None:
        self._progress, self._label = progress, label
        self._total, self._done, self._closed = size, 0, False
        self._task = progress.add_task(label, total=size or None) if progress else None

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        if self._progress:
            self._progress.update(self._task, total=value or None)

    def update(self, n: int) -> None:
        self._done += n
        if self._progress:
            self._progress.advance(self._task, n)

    def reset(self) -> None:
        self._done = 0
        if self._progress:
            self._progress.reset(self._task, total=self._total or None)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._progress:
            self._progress.remove_task(self._task)
        size = self._total or self._done
        console.print(f"{'downloaded':>10}  {esc(self._label)}  ({_size(size)})", soft_wrap=True)


def _progress_factory(progress: Any, root: Path) -> Any:
    def make(label: str, size: int) -> _Bar:
        shown = Path(label)
        if shown.is_relative_to(root):
            shown = shown.relative_to(root)
        return _Bar(progress, str(shown), size)

    return make


def _report(root: Path, dataset: Dataset, done: list[tuple[str, str]]) -> None:
    """One line per file that was derived or already there (downloads printed their own)."""
    for rel, status in done:
        if status == "downloaded":
            continue
        path = root / dataset.folder / rel
        size = path.stat().st_size if path.is_file() else None
        console.print(f"{esc(status):>10}  {esc(Path(dataset.folder) / rel)}  ({_size(size)})", soft_wrap=True)


def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Which datasets are present, their checksums, sources, licences and citations."""
    root = paths.data_dir(required=False)
    registered = plugins.registered_datasets()
    rows = datasets.status(root, registered)
    if as_json:
        print_json(
            {
                "data_dir": str(root),
                "data_dir_source": paths.data_dir_source(),
                "files": rows,
                "datasets": [_about(d) for d in registered],
            }
        )
        return
    _print_files(root, rows)
    if not rows:
        console.print(
            "no datasets registered: no loaded plugin implements rsbench_register_datasets (see `rsbench plugins`)"
        )
        return
    _print_about(registered)


def fetch_command(
    names: Annotated[
        Optional[list[str]], typer.Argument(help="Dataset name(s) (see `rsbench data list`).", show_default=False)
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every dataset except the optional full-size ones.")] = False,
    url: Annotated[
        Optional[str],
        typer.Option(
            "--url",
            help="Mirror base replacing https://raw.githubusercontent.com/ in every "
            f"URL (file:// works; default ${datasets.MIRROR_ENV}). For a dataset "
            "with no public original: the URL of its folder (or file).",
        ),
    ] = None,
    dest: Annotated[
        Optional[Path], typer.Option("--dest", help="Data directory to write into (default: the configured one).")
    ] = None,
) -> None:
    """Download datasets from their pinned public originals, derive and verify them."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    if not names and not all_:
        raise RegshiftError("name a dataset to fetch (see `rsbench data list`) or use `rsbench data fetch --all`")
    chosen = [plugins.get_dataset(n) for n in names or []]  # unknown names fail first
    if all_:
        chosen += [d for d in plugins.registered_datasets() if not d.optional and d not in chosen]
    root = Path(dest if dest is not None else paths.data_dir())
    mirror = datasets.mirror_base(url)
    console.print(f"data directory: {esc(root)}", soft_wrap=True)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    # Bars only on a terminal: a log or a pipe gets one line per file, nothing else.
    live = (
        Progress(*columns, console=err_console, transient=True)
        if err_console.is_terminal
        else contextlib.nullcontext(None)
    )
    with live as progress:
        bars = _progress_factory(progress, root)
        for d in chosen:
            if d.fetchable:
                done = datasets.fetch(d, root, mirror=mirror, progress=bars)
            else:  # published nowhere: --url is a mirror of its folder
                done = datasets.fetch(d, root, url=url, progress=bars)
            _report(root, d, done)
    if len(chosen) > 1:
        console.print(f"{len(chosen)} datasets present and verified in {esc(root)}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(
        help="List and fetch the registered datasets (lentiMPRA, Sharpr, DREAM, ...).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(data_app, name="data")
    data_app.command("list")(list_command)
    data_app.command("fetch")(fetch_command)
