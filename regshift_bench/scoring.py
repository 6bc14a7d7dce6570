"""Scoring one cell: metric rows, curve points and the three Arrow tables it writes.

Kept apart from :mod:`regshift_bench.runner` (which orders the work and isolates
failures) because this is the per-cell hot path of the harness: tables are built
column-wise straight into Arrow, never through row-wise pandas assignment, which
used to cost more per cell than scoring itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from regshift_bench import results
from regshift_bench.api import Prediction, SeqDataset
from regshift_bench.errors import MetricSkipped
from regshift_bench.plan import Cell
from regshift_bench.plugins import get_plugin

#: A curve as scored: (split, metric name, frame with ``x``, ``y`` and maybe ``curve``).
CurvePart = tuple[str, str, pd.DataFrame]


def score(cell: Cell, task: Any, sets: dict[str, SeqDataset], preds: dict[str, Prediction],
          metrics: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], list[CurvePart]]:
    """Metric rows and curves for every evaluated split of one cell.

    Parameters
    ----------
    cell : Cell
    task : Task
        Its ``score`` adds task-specific rows (e.g. DREAM's weighted score).
    sets, preds : dict
        Split name -> evaluated data, and -> its checked prediction.
    metrics : dict, optional
        Metric instances by name, filled on first use so a group builds each once.

    Returns
    -------
    rows : list of dict
        One per (split, metric) with ``value``, ``status`` (ok | skipped | failed),
        ``error``, ``n`` and ``higher_is_better``. A metric that raises fails its own
        rows only.
    curves : list of CurvePart
    """
    rows: list[dict[str, Any]] = []
    curves: list[CurvePart] = []
    cache = metrics if metrics is not None else {}
    reference = (sets["test_id"], preds["test_id"])
    for name in cell.metrics:
        try:
            metric = cache[name] if name in cache else get_plugin("metric", name)
            cache[name] = metric
        except Exception as exc:
            rows.append({"split": "", "metric": name, "value": np.nan, "status": "failed",
                         "error": f"{type(exc).__name__}: {exc}", "n": 0})
            continue
        needs_ref = "reference" in metric.needs
        for split, data in sets.items():
            if needs_ref and not split.startswith("test_ood"):
                continue
            base = {"split": split, "metric": name, "n": len(data),
                    "higher_is_better": bool(metric.higher_is_better)}
            try:
                # `reference=` only for metrics that declare it: the documented
                # contract is `metric(data, pred)`.
                value = (metric(data, preds[split], reference=reference) if needs_ref
                         else metric(data, preds[split]))
                values = value if isinstance(value, dict) else {name: value}
                for key, v in values.items():
                    rows.append({**base, "metric": key, "value": float(v), "status": "ok",
                                 "error": ""})
                curve = metric.curve(data, preds[split])
                if curve is not None and len(curve):
                    curves.append((split, name, curve))
            except MetricSkipped as exc:
                rows.append({**base, "value": np.nan, "status": "skipped", "error": str(exc)})
            except Exception as exc:  # a broken metric fails its own rows only
                rows.append({**base, "value": np.nan, "status": "failed",
                             "error": f"metric {name!r}: {type(exc).__name__}: {exc}"})
    for split, data in sets.items():
        try:
            extra = task.score(split, data, preds[split]) or {}
        except Exception as exc:
            rows.append({"split": split, "metric": f"{cell.task_name}_score", "value": np.nan,
                         "status": "failed", "error": f"task score: {type(exc).__name__}: {exc}",
                         "n": len(data)})
            continue
        for key, v in extra.items():
            value, hib = (v if isinstance(v, tuple) else (v, True))
            rows.append({"split": split, "metric": key, "value": float(value), "n": len(data),
                         "higher_is_better": bool(hib), "status": "ok", "error": ""})
    return rows, curves


def results_table(rows: list[dict[str, Any]], constant: dict[str, Any]) -> pa.Table:
    """The cell's result rows: ``rows`` plus the ``constant`` columns on every row."""
    fields = {f.name for f in results.RESULTS_SCHEMA}
    columns: dict[str, Any] = {k: v for k, v in constant.items() if k in fields}
    for name in fields - columns.keys():
        columns[name] = [row.get(name) for row in rows]
    return results.columns_table(columns, len(rows), results.RESULTS_SCHEMA)


def predictions_table(sets: dict[str, SeqDataset], preds: dict[str, Prediction]) -> pa.Table:
    """Per-example rows of every split: y, predictive mean/var and its parts, truth."""
    def stacked(get: Any) -> np.ndarray:
        parts = []
        for split, data in sets.items():
            value = get(data, preds[split])
            parts.append(np.full(len(data), np.nan) if value is None
                         else np.asarray(value, dtype=np.float64))
        return np.concatenate(parts)

    ids = [data.meta["id"].astype(str).to_numpy() if "id" in data.meta.columns
           else np.full(len(data), None, dtype=object) for data in sets.values()]
    columns = {
        "split": np.concatenate([np.full(len(d), s, dtype=object) for s, d in sets.items()]),
        "row": np.concatenate([np.arange(len(d)) for d in sets.values()]),
        "example_id": np.concatenate(ids),
        "y": stacked(lambda d, p: d.y), "mean": stacked(lambda d, p: p.mean),
        "var": stacked(lambda d, p: p.var), "aleatoric": stacked(lambda d, p: p.aleatoric),
        "epistemic": stacked(lambda d, p: p.epistemic),
        "y_true": stacked(lambda d, p: d.y_true), "noise_var": stacked(lambda d, p: d.noise_var),
    }
    return results.columns_table(columns, len(columns["row"]), results.PREDICTIONS_SCHEMA)


def curves_table(curves: list[CurvePart], constant: dict[str, Any]) -> pa.Table:
    """All curve points of a cell; ``constant`` supplies cell, task, shift, ... columns."""
    lengths = [len(frame) for _, _, frame in curves]
    def repeat(values: list[str]) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=object), lengths)

    columns: dict[str, Any] = {k: constant[k] for k in
                               ("cell", "task", "shift", "severity", "model", "seed")}
    columns["split"] = repeat([s for s, _, _ in curves])
    columns["metric"] = repeat([m for _, m, _ in curves])
    columns["curve"] = np.concatenate([
        frame["curve"].astype(object).to_numpy() if "curve" in frame.columns
        else np.full(len(frame), name, dtype=object) for _, name, frame in curves])
    columns["x"] = np.concatenate([frame["x"].to_numpy(np.float64) for _, _, frame in curves])
    columns["y"] = np.concatenate([frame["y"].to_numpy(np.float64) for _, _, frame in curves])
    return results.columns_table(columns, int(sum(lengths)), results.CURVES_SCHEMA)
