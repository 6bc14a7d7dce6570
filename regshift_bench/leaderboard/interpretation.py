"""The Interpretation table and plot of a simulated task (model x explainer).

Interpretation rows (non-empty ``explainer``; :mod:`regshift_bench.interpret`) are
read straight from each run's per-cell results, apart from the ordinary tables.
Columns: ``ID`` (``test_id``), then every shift's OOD split(s) at its largest
severity, mechanism shifts first when the runs record ``shift_kind``. A cell shows
the mean per-sequence site auROC over seeds (and over cells sharing the same
``test_id``), with auPRC, top-k and the signed scores (sign agreement, sign auROC)
below; ``n/a`` marks an explainer that does not apply to the model (e.g. gradients of
a k-mer ridge), with the reason as tooltip. A model x explainer pair that applies
nowhere is left out and named in a note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench import results as rs
from regshift_bench.leaderboard.tables import Cell, Table, fmt

KEY = "interpretation"
_COLS = ["task", "shift", "severity", "model", "seed", "split", "metric", "value", "status", "error", "explainer", "n"]
_KIND_ORDER = {"mechanism": 0, "covariate": 1, "measurement": 2, "selection": 3}
#: signed scores shown below the unsigned ones (metric -> label)
_SIGNED = {"site_sign_agreement": "sign agreement", "site_sign_auroc": "sign auROC"}


def interpretation_rows(run_dirs: list[Path]) -> pd.DataFrame:
    """Interpretation rows of every run (a later run wins for the same cell and row)."""
    parts = []
    for src, run_dir in enumerate(run_dirs):
        frame = rs.read_results(run_dir)
        if "explainer" not in frame.columns:
            continue
        frame = frame.loc[frame["explainer"].fillna("") != ""]
        cols = [c for c in [*_COLS, "shift_kind"] if c in frame.columns]
        parts.append(frame[cols].assign(src=src))
    if not parts:
        return pd.DataFrame(columns=[*_COLS, "src"])
    rows = pd.concat(parts, ignore_index=True)
    key = ["task", "shift", "severity", "model", "seed", "explainer", "split", "metric"]
    return rows.sort_values("src", kind="stable").drop_duplicates(key, keep="last")


def _conditions(rows: pd.DataFrame) -> list[tuple[str, str, float, str]]:
    """(label, shift, severity, split): ID first, then each shift at its largest severity."""
    ood = rows.loc[(rows["shift"] != "none") & rows["split"].str.startswith("test_ood")]
    kinds = ood.groupby("shift")["shift_kind"].first().fillna("").to_dict() if "shift_kind" in ood.columns else {}
    out = [("ID", "", 0.0, "test_id")]
    top = ood.groupby("shift")["severity"].max()
    order = sorted(top.index, key=lambda s: (_KIND_ORDER.get(kinds.get(s, ""), 9), s))
    for shift in order:
        sev = float(top[shift])
        for split in sorted(ood.loc[ood["shift"] == shift, "split"].unique()):
            name = split.partition("/")[2]
            kind = f" ({kinds[shift]})" if kinds.get(shift) else ""
            out.append((f"{shift}@{sev:g}{'/' + name if name else ''}{kind}", shift, sev, split))
    return out


def _select(rows: pd.DataFrame, shift: str, severity: float, split: str) -> pd.DataFrame:
    if split == "test_id":  # the same test_id under every shift: pool the cells
        return rows.loc[rows["split"] == "test_id"]
    return rows.loc[(rows["shift"] == shift) & (rows["severity"] == severity) & (rows["split"] == split)]


def _cell(part: pd.DataFrame) -> tuple[Cell, dict[str, float]]:
    ok = part.loc[part["status"] == "ok"]
    if ok.empty:
        if (part["status"] == "skipped").any():
            return Cell("n/a", "not applicable", "n/a", str(part["error"].iloc[0])), {}
        if (part["status"] == "failed").any():
            return Cell("failed", "explainer failed", "failed", str(part["error"].iloc[0])), {}
        return Cell("missing", "not run", "missing"), {}
    means = ok.groupby("metric")["value"].mean().to_dict()
    sub = f"auPRC {fmt(means.get('site_auprc'))} · top-k {fmt(means.get('site_topk'))}"
    signed = [f"{label} {fmt(means[m])}" for m, label in _SIGNED.items() if np.isfinite(means.get(m, np.nan))]
    return Cell(fmt(means.get("site_auroc")), " · ".join([sub, *signed])), means


def _applies(part: pd.DataFrame) -> bool:
    """Whether a model x explainer pair has any row that is not ``skipped`` (not applicable)."""
    return bool((part["status"] != "skipped").any())


def interpretation_table(rows: pd.DataFrame, task: str) -> Table | None:
    """The Interpretation table of ``task``, or None when it has no interpretation rows."""
    rows = rows.loc[rows["task"] == task]
    if rows.empty:
        return None
    conds = _conditions(rows)
    pairs = rows[["model", "explainer"]].drop_duplicates().sort_values(["model", "explainer"])
    table_rows, data = [], []
    left_out: dict[str, list[str]] = {}
    for model, explainer in pairs.itertuples(index=False):
        mine = rows.loc[(rows["model"] == model) & (rows["explainer"] == explainer)]
        if not _applies(mine):
            left_out.setdefault(model, []).append(explainer)
            continue
        cells = [Cell(model), Cell(explainer)]
        for label, shift, sev, split in conds:
            cell, means = _cell(_select(mine, shift, sev, split))
            cells.append(cell)
            data += [
                {"task": task, "model": model, "explainer": explainer, "condition": label, "metric": m, "value": v}
                for m, v in means.items()
            ]
        table_rows.append(cells)
    if not table_rows:  # nothing scored anywhere: no table rather than a grid of n/a
        return None
    n = rows.loc[rows["status"] == "ok", "n"]
    notes = [
        f"Mean per-sequence auROC of |importance| at functional planted-site positions "
        "(sites that bind under the split's binding model and whose TF has an effect in "
        f"its domain) vs the rest (0.5 = chance) over up to {int(n.max()) if len(n) else 0} "
        "sequences with sites per split; below: auPRC, the fraction of the top-k positions "
        "inside sites (k = site positions), and the signed scores: sign agreement (fraction "
        "of functional sites whose summed attribution has the sign of their contribution) "
        "and sign auROC (activating vs repressing sites ranked by summed attribution).",
        "ID pools test_id over the cells; each shift is shown at its largest severity. A "
        "mechanism shift that keeps the sequences leaves a model's attributions as they "
        "were; its score moves only as far as the ground truth (which sites matter) moves.",
        "n/a: the explainer needs a differentiable model (Model.torch_module) and this model has none.",
    ]
    if left_out:
        pairs_out = "; ".join(f"{m}: {', '.join(ex)}" for m, ex in left_out.items())
        notes.append(f"Left out where the explainer does not apply (it needs a differentiable module): {pairs_out}.")
    return Table(
        KEY,
        task,
        "Interpretation: do explanations find the planted sites?",
        ["model", "explainer", *(c[0] for c in conds)],
        table_rows,
        notes,
        pd.DataFrame(data),
    )


def add_tables(run_dirs: list[Path], boards: list[Any]) -> pd.DataFrame:
    """Append the Interpretation table to each board that has interpretation rows.

    The hook :func:`regshift_bench.leaderboard.build.build_leaderboard` calls; every
    renderer then shows the table like the others. Returns the rows read.
    """
    rows = interpretation_rows(run_dirs)
    for board in boards:
        table = interpretation_table(rows, board.task)
        if table is not None:
            board.tables.append(table)
    return rows


def interpretation_figure(table: Table) -> Any:
    """Site auROC per condition, one line per (model, explainer); None without data."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    frame = table.data
    if frame.empty or not (frame["metric"] == "site_auroc").any():
        return None
    auroc = frame.loc[frame["metric"] == "site_auroc"]
    labels = list(dict.fromkeys(table.columns[2:]))
    fig = Figure(figsize=(2.0 + 0.9 * len(labels), 3.2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(labels))
    for (model, explainer), part in auroc.groupby(["model", "explainer"], sort=True):
        y = part.set_index("condition")["value"].reindex(labels).to_numpy(dtype=float)
        ax.plot(x, y, marker="o", label=f"{model} · {explainer}".replace("$", r"\$"))
    ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax.set_xticks(x, [lab.replace("$", r"\$") for lab in labels], rotation=30, ha="right")
    ax.set_ylabel("site auROC")
    ax.set_title(f"{table.task}: explanations vs planted sites".replace("$", r"\$"))
    ax.legend(fontsize=7, frameon=False, loc="best")
    fig.subplots_adjust(bottom=0.35)
    return fig
