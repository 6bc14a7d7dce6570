"""Write a leaderboard to a folder: Markdown, HTML, plots, numbers, provenance.

Layout of the published folder (``leaderboard/`` in the repository)::

    README.md            provenance header, Findings, the overview across tasks, then
                         every task's tables + plot links, then Anchors
    index.html           the self-contained report (inline SVG plots)
    (``rsbench leaderboard -f md|html|json --out DIR`` writes the same file names)
    plots/<task>-<kind>.svg / .png
    aggregated.csv/.parquet   seed-aggregated numbers (every metric and condition)
    ranks.csv/.parquet        robustness scores, bootstrap rank intervals, tie groups
    prior_effect.csv/.parquet paired prior-vs-base differences
    fit_diagnostics.csv/.parquet how each fit ended (task × model × seed × training set)
    leaderboard.json          the tables and numbers as JSON
    provenance.json           what produced them (presets, seeds, devices, versions)
    bundle/                   per-example predictions and split digests of every cell
                              (regshift_bench.submission.bundle; written with json)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa

import regshift_bench
from regshift_bench import provenance
from regshift_bench import results as rs
from regshift_bench.errors import DataError
from regshift_bench.leaderboard.build import Leaderboard
from regshift_bench.leaderboard.html import render_html
from regshift_bench.leaderboard.render_text import render_json, render_markdown, tidy_frames
from regshift_bench.submission.bundle import write_bundle


def _file_slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._")[:60] or "task"


def inline_svgs(lb: Leaderboard) -> dict[str, list[tuple[str, str, str]]]:
    """Plots of every task as inline SVG text, for :func:`render_html` alone."""
    from regshift_bench.leaderboard.plots import svg_text, task_figures  # matplotlib: on use

    return {b.task: [(slug, cap, svg_text(fig)) for slug, cap, fig in task_figures(lb, b)] for b in lb.boards}


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


#: File of each single-file format, the same for ``rsbench leaderboard --out`` and
#: ``publish`` (CSV writes one file per tidy frame: ``<name>.csv``).
FILES = {"md": "README.md", "html": "index.html", "json": "leaderboard.json"}
FORMATS = ("md", "html", "csv", "json")


def check_out_dir(out: str | Path) -> Path:
    """``out`` as a directory to write into; an existing file is a one-line error."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise DataError(
            f"--out {path} is an existing file; give a directory to write into (it is created when missing)"
        )
    return path


def publish(lb: Leaderboard, to: str | Path, *, plots: bool = True, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the published leaderboard folder ``to``; returns the files written.

    ``formats`` limits what is written (e.g. ``("md",)`` writes README.md and the
    plots it links, nothing else). Earlier plots in ``to/plots`` that this
    leaderboard no longer has are removed, so the folder always describes exactly
    these runs.
    """
    # matplotlib on use: importing the leaderboard (a claims plugin does) stays light.
    from regshift_bench.leaderboard.plots import save_figure, task_figures

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise DataError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out = check_out_dir(to)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    links: dict[str, list[tuple[str, str]]] = {}
    svgs: dict[str, list[tuple[str, str, str]]] = {}
    for i, board in enumerate(lb.boards):
        if not plots or not {"md", "html"} & set(formats):
            break
        stem = f"{i:02d}-{_file_slug(board.task)}"
        for slug, caption, fig in task_figures(lb, board):
            paths = save_figure(fig, out / "plots" / f"{stem}-{slug}")
            written += paths
            links.setdefault(board.task, []).append((caption, f"plots/{paths[0].name}"))
            text = paths[0].read_text(encoding="utf-8")
            svgs.setdefault(board.task, []).append((slug, caption, text[text.index("<svg") :]))
    if plots and {"md", "html"} & set(formats) and (out / "plots").is_dir():
        for old in (out / "plots").iterdir():
            if old.suffix in (".svg", ".png") and old not in written:
                old.unlink()
    if "md" in formats:
        _write_text(out / FILES["md"], render_markdown(lb, links))
        written.append(out / FILES["md"])
    if "html" in formats:
        _write_text(out / FILES["html"], render_html(lb, svgs))
        written.append(out / FILES["html"])
    # The numbers come from the runs (their commits are in `provenance`); the tables,
    # Findings and Anchors are drawn by the code that publishes them.
    meta = {
        "provenance": lb.provenance,
        "options": lb.options,
        "commits": provenance.run_commits(lb.runs.manifests),  # every cell's, all runs
        "rendered_by": {"rsbench": regshift_bench.__version__, "git_commit": provenance.git_commit()},
    }
    if "csv" in formats:
        for name, frame in tidy_frames(lb).items():
            frame.to_csv(out / f"{name}.csv", index=False)
            rs.write_parquet_atomic(pa.Table.from_pandas(frame, preserve_index=False), out / f"{name}.parquet", meta)
            written += [out / f"{name}.csv", out / f"{name}.parquet"]
    if "json" in formats:
        _write_text(out / FILES["json"], json.dumps(render_json(lb), indent=1, sort_keys=True, default=str))
        _write_text(out / "provenance.json", json.dumps(meta, indent=2, sort_keys=True, default=str))
        written += [out / FILES["json"], out / "provenance.json"]
        # The reference bundle: per-example predictions and split digests, so a new model
        # is ranked against these without re-running them (regshift_bench.submission).
        written += write_bundle(lb.runs, out)
    for path in written:  # temporary files are private (0600); published ones are for reading
        path.chmod(0o644)
    return written
