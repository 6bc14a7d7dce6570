"""Effective robustness: each model's OOD accuracy beyond what its ID accuracy predicts.

Following Taori et al. (2020, "Measuring robustness to natural distribution shifts")
and Miller et al. (2021, "Accuracy on the line"): per task and OOD condition, the OOD
accuracy of every learned model and seed is regressed on its ID accuracy (the same
cell's ``test_id``) by least squares, and each model's *effective robustness* is its
mean residual over its seeds: above the line (> 0) = more robust than its ID accuracy
predicts, below (< 0) = less. Controls are not fitted (their accuracy is not the
field's trade-off) but their residual is shown.

Scale: a correlation metric (every value in [-1, 1], higher is better, e.g. Pearson
r) is fitted on Fisher's z = artanh(r), on which sampling error is close to normal
with constant variance (the role the probit/logit scale plays for accuracies in the
papers above); any other metric on its own scale. The table says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regshift_bench.leaderboard.aggregate import Condition, condition_values
from regshift_bench.leaderboard.load import RunSet
from regshift_bench.leaderboard.tables import Cell, Table, fmt

#: Fewest (model, seed) points, from at least two models, for a line.
MIN_POINTS = 3
_CLIP = 1 - 1e-6
COLUMNS = [
    "task",
    "metric",
    "scale",
    "shift",
    "severity",
    "split",
    "model",
    "control",
    "n_seeds",
    "id",
    "ood",
    "fitted",
    "residual",
    "slope",
    "intercept",
    "n_points",
]


def fisher_z(r: np.ndarray) -> np.ndarray:
    """artanh(r), with r clipped just inside (-1, 1)."""
    return np.arctanh(np.clip(np.asarray(r, dtype=np.float64), -_CLIP, _CLIP))


def choose_scale(values: np.ndarray, higher_is_better: bool) -> str:
    """``"fisher_z"`` for a correlation-like metric (all values in [-1, 1]), else ``"raw"``."""
    finite = values[np.isfinite(values)]
    return "fisher_z" if higher_is_better and finite.size and np.all(np.abs(finite) <= 1) else "raw"


def _points(runs: RunSet, task: str, metric: str) -> pd.DataFrame:
    per_seed = condition_values(runs)
    return per_seed.loc[(per_seed["task"] == task) & (per_seed["metric"] == metric) & (per_seed["shift"] != "none")]


def effective_robustness(
    runs: RunSet, task: str, metric: str, higher_is_better: bool, conds: list[Condition], controls: list[str]
) -> pd.DataFrame:
    """One row per (condition, model): ID, OOD, fitted OOD and residual on the chosen scale."""
    pts = _points(runs, task, metric)
    scale = choose_scale(np.concatenate([pts["value"].to_numpy(), pts["id_value"].to_numpy()]), higher_is_better)
    tf = fisher_z if scale == "fisher_z" else (lambda v: np.asarray(v, dtype=np.float64))
    rows = []
    for c in (c for c in conds if not c.is_reference):
        part = pts.loc[(pts["shift"] == c.shift) & (pts["severity"] == c.severity) & (pts["split"] == c.split)]
        x, y = tf(part["id_value"].to_numpy()), tf(part["value"].to_numpy())
        ok = np.isfinite(x) & np.isfinite(y)
        learned = ok & ~part["model"].isin(controls).to_numpy()
        fit = (
            len(set(part["model"].to_numpy()[learned])) >= 2 and learned.sum() >= MIN_POINTS and np.ptp(x[learned]) > 0
        )
        slope, intercept = np.polyfit(x[learned], y[learned], 1) if fit else (np.nan, np.nan)
        for model in sorted(set(part["model"])):
            mine = ok & (part["model"] == model).to_numpy()
            if not mine.any():
                continue
            fitted = intercept + slope * x[mine]
            rows.append(
                [
                    task,
                    metric,
                    scale,
                    c.shift,
                    c.severity,
                    c.split,
                    model,
                    model in controls,
                    int(mine.sum()),
                    float(x[mine].mean()),
                    float(y[mine].mean()),
                    float(fitted.mean()),
                    float((y[mine] - fitted).mean()),
                    float(slope),
                    float(intercept),
                    int(learned.sum()),
                ]
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def effective_table(task: str, metric: str, frame: pd.DataFrame, models: list[str], conds: list[Condition]) -> Table:
    """Each model's residual from the OOD-vs-ID line, per condition."""
    ood = [c for c in conds if not c.is_reference]
    index = {(r["model"], r["shift"], r["severity"], r["split"]): r for r in frame.to_dict("records")}
    rows = []
    for model in models:
        cells = []
        for c in ood:
            r = index.get((model, c.shift, c.severity, c.split))
            if r is None:
                cells.append(Cell("—", "no finite ID and OOD values", "n/a"))
                continue
            flag = "" if not np.isfinite(r["residual"]) else ("helps" if r["residual"] > 0 else "hurts")
            cells.append(
                Cell(
                    f"{r['residual']:+.3f}" if np.isfinite(r["residual"]) else "—",
                    f"ID {fmt(r['id'])} → OOD {fmt(r['ood'])} (line {fmt(r['fitted'])})"
                    + (" · control, not fitted" if r["control"] else ""),
                    flag,
                )
            )
        rows.append([Cell(model), *cells])
    scale = str(frame["scale"].iloc[0]) if len(frame) else "raw"
    what = f"Fisher z = artanh({metric})" if scale == "fisher_z" else metric
    notes = [
        f"Effective robustness (Taori et al. 2020; Miller et al. 2021): per condition, "
        f"OOD {what} is fitted against ID {what} over every learned model and seed (least "
        "squares); a model's value is its mean residual: > 0 (▲) = more robust than its ID "
        "accuracy predicts, < 0 (▼) = less. A line needs ≥ 2 learned models and "
        f"≥ {MIN_POINTS} (model, seed) points; controls are shown, not fitted."
    ]
    if scale == "fisher_z":
        notes.append(
            "Fisher's z makes a correlation's sampling error close to normal with "
            "constant variance, as probit / logit scales do for accuracies."
        )
    return Table(
        "effective", task, f"Effective robustness — {metric}", ["model", *(c.label for c in ood)], rows, notes, frame
    )
