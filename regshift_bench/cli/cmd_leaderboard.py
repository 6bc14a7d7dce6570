"""``rsbench leaderboard``: tables, report and plots from run directories.

Two forms share one command (a typer group cannot take run directories before
a subcommand name)::

    rsbench leaderboard RUN_DIR... [--format terminal|md|html|csv|json] [--out DIR]
    rsbench leaderboard publish RUN_DIR... --to leaderboard/

A run directory literally named ``publish`` can be passed as ``./publish``.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from regshift_bench.cli.console import console, print_json
from regshift_bench.errors import DataError


class Format(str, Enum):
    terminal = "terminal"
    md = "md"
    html = "html"
    csv = "csv"
    json = "json"


_FILES = {Format.md: "leaderboard.md", Format.html: "leaderboard.html", Format.json: "leaderboard.json"}


def leaderboard_command(
    run_dirs: Annotated[list[str], typer.Argument(
        help="Run directories (the --out of `rsbench run`), or `publish` then run directories.",
        metavar="[publish] RUN_DIR...")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.terminal,
    task: Annotated[Optional[list[str]], typer.Option(
        "--task", help="Show only this task (repeatable).")] = None,
    metric: Annotated[Optional[str], typer.Option(
        "--metric", help="Accuracy metric for tables, ranks, prior effect and plots.")] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Write files into DIR instead of printing.")] = None,
    to: Annotated[Optional[Path], typer.Option(
        "--to", help="With `publish`: the folder to write (e.g. leaderboard/).")] = None,
    n_boot: Annotated[int, typer.Option("--n-boot", min=10, help="Bootstrap resamples.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap resampling.")] = 0,
    all_severities: Annotated[bool, typer.Option(
        "--all-severities", help="One column per severity instead of each shift's largest.")] = False,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip plots (html, publish).")] = False,
) -> None:
    """Aggregate runs into accuracy, calibration, selective, robustness and prior-effect tables."""
    from regshift_bench import leaderboard as lbm

    publishing = run_dirs[0] == "publish"
    dirs = run_dirs[1:] if publishing else run_dirs
    if publishing and to is None:
        raise DataError("`rsbench leaderboard publish` needs --to DIR (e.g. --to leaderboard/)")
    if not publishing and to is not None:
        raise DataError("--to is for `rsbench leaderboard publish RUN_DIR... --to DIR`; "
                        "use --out DIR to write one format")
    with console.status("building leaderboard", spinner="dots"):
        lb = lbm.build_leaderboard(dirs, tasks=task, metric=metric, n_boot=n_boot,
                                   random_state=seed,
                                   severity="all" if all_severities else "max")
    if publishing:
        assert to is not None
        with console.status("publishing", spinner="dots"):
            files = lbm.publish(lb, to, plots=not no_plots)
        console.print(f"wrote {len(files)} files to {to}")
        return
    _emit(lb, fmt, out, plots=not no_plots)


def _emit(lb: object, fmt: Format, out: Path | None, *, plots: bool) -> None:
    from regshift_bench import leaderboard as lbm

    if fmt is Format.terminal:
        for item in lbm.terminal_renderables(lb):  # type: ignore[arg-type]
            console.print(item)
        return
    if fmt is Format.csv:
        texts = lbm.render_csv(lb)  # type: ignore[arg-type]
        if out is None:
            print(texts["aggregated"], end="")
            return
        out.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (out / f"{name}.csv").write_text(text, encoding="utf-8")
        console.print(f"wrote {', '.join(f'{n}.csv' for n in texts)} to {out}")
        return
    if fmt is Format.md:
        text = lbm.render_markdown(lb)  # type: ignore[arg-type]
    elif fmt is Format.html:
        text = lbm.render_html(lb, lbm.inline_svgs(lb) if plots else None)  # type: ignore[arg-type]
    else:
        if out is None:
            print_json(lbm.render_json(lb))  # type: ignore[arg-type]
            return
        text = json.dumps(lbm.render_json(lb), indent=1, sort_keys=True)  # type: ignore[arg-type]
    if out is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / _FILES[fmt]).write_text(text, encoding="utf-8")
    console.print(f"wrote {out / _FILES[fmt]}")


def register(app: typer.Typer) -> None:
    app.command("leaderboard")(leaderboard_command)
