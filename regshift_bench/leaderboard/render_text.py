"""Terminal (rich), Markdown, CSV and JSON renderings of a leaderboard.

Plugin-provided strings (task, shift, model, metric names, error messages) reach
every format unescaped in the tables, so each renderer escapes for its syntax:
rich gets :class:`rich.text.Text` (never parsed as markup), Markdown gets HTML
entities plus backslash escapes, CSV/JSON are escaped by their writers.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

import regshift_bench
from regshift_bench import provenance
from regshift_bench.leaderboard.board import TaskBoard
from regshift_bench.leaderboard.build import Leaderboard
from regshift_bench.leaderboard.fit import fit_records
from regshift_bench.leaderboard.overview import leading, trailing
from regshift_bench.leaderboard.tables import MARKS, Cell, Table

__all__ = [
    "MARKS",
    "md_escape",
    "md_table",
    "preset_warning",
    "provenance_lines",
    "render_csv",
    "render_json",
    "render_markdown",
    "terminal_renderables",
    "tidy_frames",
]
_STYLE = {
    "collapse": "bold red",
    "failed": "red",
    "hurts": "red",
    "helps": "green",
    "partial": "yellow",
    "missing": "yellow",
    "incomplete": "yellow",
    "n/a": "dim",
    "reference": "italic cyan",
}


def preset_warning(lb: Leaderboard) -> str | None:
    """A header line for runs of the ``smoke`` preset, whose numbers mean nothing."""
    presets = {str(r.get("preset", "")) for r in lb.provenance["runs"]}
    if "smoke" in presets:
        return (
            "smoke preset: for tests only. Models are trained for seconds on tiny data; "
            "these numbers check that the harness runs and say nothing about the models."
        )
    return None


def provenance_lines(lb: Leaderboard) -> list[tuple[str, str]]:
    """(label, value) pairs of the provenance header, shared by every format."""
    prov = lb.provenance
    runs = prov["runs"]

    def uniq(key: str) -> str:
        vals = []
        for r in runs:
            v = r.get(key, "")
            if v is None and key == "finished":
                v = "not finished"
            v = json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else str(v or "")
            if v and v not in vals:
                vals.append(v)
        return ", ".join(vals) or "unknown"

    suites = sorted({f"{k} v{v}" for r in runs for k, v in (r.get("suites") or {}).items()})
    plugins = sorted({f"{k} {v}" for r in runs for k, v in (r.get("plugins") or {}).items()})
    cells = ", ".join(f"{v} {k}" for k, v in sorted(prov["cells"].items()))
    return [
        ("runs", ", ".join(str(r["run"]) for r in runs)),
        ("preset", uniq("preset")),
        ("suites", ", ".join(suites) or "unknown"),
        ("seeds", ", ".join(map(str, prov["seeds"])) or "none"),
        ("device", f"{uniq('device')} ({uniq('device_name')})"),
        ("rsbench", uniq("rsbench")),
        ("plugins", ", ".join(plugins) or "none"),
        ("torch / numpy / python", f"{uniq('torch')} / {uniq('numpy')} / {uniq('python')}"),
        ("git commit", uniq("git_commit")),
        # The runs' commit computed the numbers; this one draws tables and Findings.
        ("drawn by", f"rsbench {regshift_bench.__version__} at {provenance.git_commit() or 'no git checkout'}"),
        ("finished", uniq("finished")),
        ("cells", cells or "none"),
        ("wall time", _wall_text(runs)),
        *(
            [("not shown", "no finished cell yet: " + ", ".join(lb.options["tasks_without_results"]))]
            if lb.options.get("tasks_without_results")
            else []
        ),
        (
            "bootstrap",
            f"{lb.options.get('n_boot')} resamples, seed "
            f"{lb.options.get('random_state')}, {lb.options.get('ci')} intervals",
        ),
    ]


def _wall_text(runs: list[dict[str, Any]]) -> str:
    """Wall time over each run's sessions, beside the time inside cells (all workers).

    A session killed before any cell finished kept no work: it is counted (named) but
    adds no time. Only a run that predates session records says "not recorded".
    """
    parts = []
    for r in runs:
        cells = r.get("cell_seconds")
        inside = f"{cells / 3600:.2f} h in cells" if cells else ""
        wall = r.get("wall_seconds")
        n = int(r.get("sessions") or 0)
        early = int(r.get("killed_early") or 0)
        killed = f" ({early} killed before any cell finished, not counted)" if early else ""
        what = (
            f"{wall / 3600:.2f} h over {n} session(s){killed}"
            if wall is not None
            else "not recorded (the run predates session records)"
        )
        parts.append(f"{r['run']}: {what}" + (f", {inside}" if inside else ""))
    return "; ".join(parts) or "unknown"


# ---------------------------------------------------------------- terminal
def _rich_cell(cell: Cell) -> Text:
    text = Text(cell.shown(), style=_STYLE.get(cell.flag, ""))
    if cell.sub:
        text.append("\n" + cell.sub, style="dim")
    return text


def terminal_renderables(lb: Leaderboard) -> list[RenderableType]:
    """Rich renderables: a provenance header, then every table of every task."""
    head = RichTable(title="regshift-bench leaderboard", show_header=False, box=None)
    head.add_column(style="bold")
    head.add_column()
    for label, value in provenance_lines(lb):
        head.add_row(Text(label), Text(value))
    out: list[RenderableType] = [head]
    warning = preset_warning(lb)
    if warning:
        out.insert(0, Text(warning, style="bold yellow"))
    shown = (
        [("", t) for t in leading(lb)]  # Findings and the overview first
        + [(f"{b.task} · ", t) for b in lb.boards for t in b.tables]
        + [("", t) for t in trailing(lb)]
    )  # then Anchors
    for prefix, table in shown:
        if not table.rows:  # nothing to tabulate (e.g. no claim read): its lines alone
            out.append(Group(*(Text(n) for n in table.notes), Text("")))
            continue
        rt = RichTable(title=Text(f"{prefix}{table.title}"), show_lines=True)
        groups = table.groups or [""] * len(table.columns)
        for col, group in zip(table.columns, groups):
            header = Text(col)
            if group:  # the shift kind above the condition
                header = Text.assemble((group, "dim"), "\n", col)
            rt.add_column(header, overflow="fold")
        for row in table.rows:
            rt.add_row(*(_rich_cell(c) for c in row))
        notes = [Text(n, style="dim") for n in table.notes]
        out.append(Group(rt, *notes, Text("")))
    return out


# ---------------------------------------------------------------- markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_escape(value: Any) -> str:
    """Text safe inside a Markdown table cell: no HTML, no emphasis, no pipes."""
    text = html.escape(str(value), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _md_cell(cell: Cell) -> str:
    text = md_escape(cell.shown())
    if cell.flag in ("collapse", "failed", "hurts"):
        text = f"**{text}**"
    elif cell.flag == "reference":
        text = f"*{text}*"
    return f"{text}<br><sub>{md_escape(cell.sub)}</sub>" if cell.sub else text


def md_table(table: Table) -> str:
    """One table in GitHub-flavoured Markdown."""
    groups = table.groups or [""] * len(table.columns)
    heads = [
        f"{md_escape(c)}<br><sub>{md_escape(g)}</sub>" if g else md_escape(c) for c, g in zip(table.columns, groups)
    ]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render_markdown(lb: Leaderboard, plots: dict[str, list[tuple[str, str]]] | None = None) -> str:
    """The whole leaderboard as Markdown; ``plots`` maps task -> [(caption, relative path)]."""
    warning = preset_warning(lb)
    parts = [
        "# regshift-bench leaderboard",
        "",
        *([f"> **{md_escape(warning)}**", ""] if warning else []),
        *(f"- **{md_escape(k)}**: {md_escape(v)}" for k, v in provenance_lines(lb)),
        "",
    ]
    for table in leading(lb):  # run-wide, read first: Findings, then the overview
        parts += _md_section(table)
    for board in lb.boards:
        parts += [
            f"## {md_escape(board.task)}",
            "",
            f"Accuracy metric: `{md_escape(board.metric)}`; columns show each shift at "
            f"{'its largest severity' if lb.options.get('severity') == 'max' else 'every severity'}.",
            "",
        ]
        for table in board.tables:
            parts += [f"### {md_escape(table.title)}", ""]
            if table.rows:
                parts += [md_table(table), ""]
            parts += [f"*{md_escape(n)}*" for n in table.notes] + [""]
        for caption, path in (plots or {}).get(board.task, []):
            parts += [f"![{md_escape(caption)}]({path})", ""]
    for table in trailing(lb):  # run-wide, after the tasks: Anchors
        parts += _md_section(table)
    return "\n".join(parts)


def _md_section(table: Table) -> list[str]:
    """Lines of one run-wide table as its own ``##`` section (a table without rows: its
    notes alone, e.g. the claims this run does not read)."""
    if not table.rows:
        return [f"*{md_escape(n)}*" for n in table.notes] + [""]
    parts = [f"## {md_escape(table.title)}", "", md_table(table), ""]
    return parts + [f"*{md_escape(n)}*" for n in table.notes] + [""]


# ---------------------------------------------------------------- csv / json
def tidy_frames(lb: Leaderboard) -> dict[str, pd.DataFrame]:
    """The numbers behind the tables: aggregated metrics, ranks, prior effects."""
    ranks = [b.ranks.assign(task=b.task, metric=b.metric) for b in lb.boards]
    prior = [b.prior.assign(task=b.task, metric=b.metric) for b in lb.boards]
    out = {
        "aggregated": lb.aggregated(),
        "ranks": pd.concat(ranks, ignore_index=True) if ranks else pd.DataFrame(),
        "prior_effect": pd.concat(prior, ignore_index=True) if prior else pd.DataFrame(),
    }
    if len(lb.fits.columns):  # one row per task, model, seed and training set
        out["fit_diagnostics"] = lb.fits
    if lb.findings:  # one row per finding; evidence lines joined with " | "
        out["findings"] = pd.DataFrame(
            [
                {
                    "claim": f.claim,
                    "name": getattr(f, "name", ""),
                    "verdict": f.verdict,
                    "statement": f.statement,
                    "evidence": " | ".join(f.evidence),
                }
                for f in lb.findings
            ]
        )
    return out


def render_csv(lb: Leaderboard) -> dict[str, str]:
    """CSV text of each tidy frame (see :func:`tidy_frames`)."""
    out = {}
    for name, frame in tidy_frames(lb).items():
        buf = io.StringIO()
        frame.to_csv(buf, index=False)
        out[name] = buf.getvalue()
    return out


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


#: The cell fields each kind of table writes to JSON (part of the JSON format: a
#: section has no marks and no cell tooltips, an overview no tooltips).
_TASK_CELL_FIELDS = ("text", "sub", "flag", "title", "mark")
_SECTION_CELL_FIELDS = ("text", "sub", "flag")
_OVERVIEW_CELL_FIELDS = ("text", "sub", "flag", "mark")


def _table_json(table: Table, cell_fields: tuple[str, ...], groups: bool = True) -> dict[str, Any]:
    """One table as a JSON-ready dict.

    Parameters
    ----------
    table : Table
    cell_fields : tuple of str
        The :class:`Cell` attributes written for every cell, in this order.
    groups : bool
        Write the table's header band (``groups``); sections have none.

    Returns
    -------
    dict
        ``key``, ``title``, ``columns``, ``notes``, ``groups`` (when asked) and ``rows``
        (a list of rows, each a list of cell dicts), in that key order.
    """
    out: dict[str, Any] = {"key": table.key, "title": table.title, "columns": table.columns, "notes": table.notes}
    if groups:
        out["groups"] = table.groups
    out["rows"] = [[{name: getattr(c, name) for name in cell_fields} for c in row] for row in table.rows]
    return out


def _task_json(lb: Leaderboard, board: TaskBoard) -> dict[str, Any]:
    """One task's JSON entry: conditions, tables, ranks, prior effect and aggregated numbers.

    The aggregated numbers are those of the metrics the task's tables show.
    """
    shown = {
        board.metric,
        *(m for t in board.tables if not t.data.empty and "metric" in t.data.columns for m in t.data["metric"]),
    }
    agg = lb.aggregated()
    agg = agg.loc[(agg["task"] == board.task) & agg["metric"].isin(shown)]
    return {
        "task": board.task,
        "metric": board.metric,
        "models": board.models,
        "conditions": [
            {"label": c.label, "shift": c.shift, "severity": c.severity, "split": c.split} for c in board.conditions
        ],
        "tables": [_table_json(t, _TASK_CELL_FIELDS) for t in board.tables],
        "ranks": board.ranks.to_dict("records"),
        "prior_effect": board.prior.to_dict("records"),
        "aggregated": agg.to_dict("records"),
    }


def render_json(lb: Leaderboard) -> dict[str, Any]:
    """A JSON-ready dict: provenance, options, and per task its tables and numbers."""
    tasks = [_task_json(lb, board) for board in lb.boards]
    sections = [_table_json(t, _SECTION_CELL_FIELDS, groups=False) for t in lb.sections]
    overview = [_table_json(t, _OVERVIEW_CELL_FIELDS) for t in lb.overview]
    findings = [
        {
            "claim": f.claim,
            "name": getattr(f, "name", ""),
            "verdict": f.verdict,
            "statement": f.statement,
            "evidence": f.evidence,
        }
        for f in lb.findings
    ]
    from regshift_bench.bootstrap import METHOD

    return _clean(
        {
            "provenance": lb.provenance,
            "options": lb.options,
            "statistics": lb.options.get("statistics") or METHOD,
            "controls": lb.options.get("controls") or [],
            "warning": preset_warning(lb),
            "tasks": tasks,
            "findings": findings,
            "sections": sections,
            "overview": overview,
            "fit_diagnostics": fit_records(lb.fits),
        }
    )
