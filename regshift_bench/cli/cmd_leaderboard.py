"""``rsbench leaderboard``: tables, report and plots from run directories.

Two forms share one command (a typer group cannot take run directories before
a subcommand name)::

    rsbench leaderboard RUN_DIR... [--format terminal|md|html|csv|json] [--out DIR]
    rsbench leaderboard publish RUN_DIR... --out leaderboard/ [--format md|html|csv|json]

With ``--out`` both forms write files: every format unless ``--format`` names one
(``publish`` requires ``--out``; ``--to`` is an alias). Both forms name files alike (``README.md``, ``index.html``,
``leaderboard.json``, ``<table>.csv``). A run directory literally named
``publish`` can be passed as ``./publish``.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from regshift_bench.cli.console import console, print_json
from regshift_bench.errors import DataError


class Format(str, Enum):
    terminal = "terminal"
    md = "md"
    html = "html"
    csv = "csv"
    json = "json"


def leaderboard_command(
    run_dirs: Annotated[
        list[str],
        typer.Argument(
            help="Run directories (the --out of `rsbench run`), or `publish` then run directories.",
            metavar="[publish] RUN_DIR...",
        ),
    ],
    fmt: Annotated[
        Optional[Format],
        typer.Option(
            "--format", "-f", help="Output format (default: terminal; publish: every file format).", show_default=False
        ),
    ] = None,
    task: Annotated[Optional[list[str]], typer.Option("--task", help="Show only this task (repeatable).")] = None,
    metric: Annotated[
        Optional[str],
        typer.Option("--metric", help="Ranking metric: any registered metric (tables, ranks, prior effect, plots)."),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out", "--to", help="Write files into DIR instead of printing (publish: required; --to is an alias)."
        ),
    ] = None,
    n_boot: Annotated[int, typer.Option("--n-boot", min=10, help="Bootstrap resamples.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap resampling.")] = 0,
    all_severities: Annotated[
        bool, typer.Option("--all-severities", help="One column per severity instead of each shift's largest.")
    ] = False,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip plots (html, publish).")] = False,
) -> None:
    """Aggregate runs: Findings, an overview across tasks, then per task its tables and fits."""
    from regshift_bench import leaderboard as lbm
    from regshift_bench.leaderboard.publish import check_out_dir

    publishing = run_dirs[0] == "publish"
    dirs = run_dirs[1:] if publishing else run_dirs
    if publishing and out is None:
        raise DataError("`rsbench leaderboard publish` needs --out DIR (e.g. --out leaderboard/)")
    if out is not None and fmt is Format.terminal:
        raise DataError(
            "--out writes files; choose --format md, html, csv or json, or leave --format out for all of them"
        )
    if out is not None:
        check_out_dir(out)  # before the (slow) bootstrap
    with console.status("building leaderboard", spinner="dots"):
        lb = lbm.build_leaderboard(
            dirs,
            tasks=task,
            metric=metric,
            n_boot=n_boot,
            random_state=seed,
            severity="all" if all_severities else "max",
        )
    if out is not None:
        formats = tuple(lbm.publish_formats) if fmt is None else (fmt.value,)
        with console.status("writing", spinner="dots"):
            files = lbm.publish(lb, out, plots=not no_plots, formats=formats)
        shown = ", ".join(sorted({p.name for p in files if p.parent == out}))
        noun = "file" if len(files) == 1 else "files"
        console.print(Text(f"wrote {len(files)} {noun} to {out}: {shown}"))
        _print_bundle_notes(Path(out), files)
        return
    _print(lb, fmt or Format.terminal, plots=not no_plots)


def _print_bundle_notes(out: Path, files: list[Path]) -> None:
    """Say which cells of the bundle just written keep files of their own."""
    from regshift_bench.submission.bundle import bundle_notes
    from regshift_bench.submission.layout import BUNDLE_DIR

    bundle = out / BUNDLE_DIR
    if bundle / "manifest.json" in files:
        for line in bundle_notes(bundle):
            console.print(Text(f"bundle: {line}"))


def _print(lb: object, fmt: Format, *, plots: bool) -> None:
    from regshift_bench import leaderboard as lbm

    if fmt is Format.terminal:
        for item in lbm.terminal_renderables(lb):  # type: ignore[arg-type]
            console.print(item)
    elif fmt is Format.csv:
        print(lbm.render_csv(lb)["aggregated"], end="")  # type: ignore[arg-type]
    elif fmt is Format.json:
        print_json(lbm.render_json(lb))  # type: ignore[arg-type]
    else:
        text = (
            lbm.render_markdown(lb)  # type: ignore[arg-type]
            if fmt is Format.md
            else lbm.render_html(lb, lbm.inline_svgs(lb) if plots else None)  # type: ignore[arg-type]
        )
        print(text, end="" if text.endswith("\n") else "\n")


def register(app: typer.Typer) -> None:
    app.command("leaderboard")(leaderboard_command)
