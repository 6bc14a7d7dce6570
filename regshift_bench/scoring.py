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
from regshift_bench.api import Prediction, SeqDataset, Splits
from regshift_bench.cell import Cell
from regshift_bench.errors import MetricSkipped, PluginError
from regshift_bench.plugins import get_plugin

#: A curve as scored: (split, metric name, frame with ``x``, ``y`` and maybe ``curve``).
CurvePart = tuple[str, str, pd.DataFrame]


def score(
    cell: Cell,
    task: Any,
    sets: dict[str, SeqDataset],
    preds: dict[str, Prediction],
    metrics: dict[str, Any] | None = None,
    splits: Splits | None = None,
    reference_preds: dict[str, dict[str, Prediction]] | None = None,
) -> tuple[list[dict[str, Any]], list[CurvePart]]:
    """Metric rows and curves for every evaluated split of one cell.

    Parameters
    ----------
    cell : Cell
    task : Task
        Its ``score`` adds task-specific rows (e.g. DREAM's weighted score); a value
        that is a :class:`MetricSkipped` becomes a ``skipped`` row with its reason.
    sets, preds : dict
        Split name -> evaluated data, and -> its checked prediction. Metric plugins
        skip a set whose ``info["row_metrics"]`` is False (rows that are not examples
        of one activity, e.g. a variant's ref and alt alleles); ``task.score`` scores it.
    metrics : dict, optional
        Metric instances by name, filled on first use so a group builds each once.
    splits : Splits, optional
        Given: the task's references (:meth:`Task.reference_predictions`) are scored
        too, see :func:`reference_rows`.
    reference_preds : dict, optional
        Filled with the references' predictions, reference -> split -> Prediction,
        so the caller can store them beside the model's (paired resampling).

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
    # ID-relative metrics compare an OOD split with test_id; a reference defined only
    # out of distribution (e.g. a source-cell-type label) has none and skips them.
    reference = (sets["test_id"], preds["test_id"]) if "test_id" in sets else None
    for name in cell.metrics:
        try:
            metric = cache[name] if name in cache else get_plugin("metric", name)
            cache[name] = metric
        except Exception as exc:
            rows.append(
                {
                    "split": "",
                    "metric": name,
                    "value": np.nan,
                    "status": "failed",
                    "error": f"{type(exc).__name__}: {exc}",
                    "n": 0,
                }
            )
            continue
        metric_rows, metric_curves = _metric_rows(name, metric, sets, preds, reference)
        rows += metric_rows
        curves += metric_curves
    rows += _task_rows(cell, task, sets, preds)
    if splits is not None:
        rows += reference_rows(cell, task, sets, splits, cache, reference_preds)
    return rows, curves


def _metric_rows(
    name: str,
    metric: Any,
    sets: dict[str, SeqDataset],
    preds: dict[str, Prediction],
    reference: tuple[SeqDataset, Prediction] | None,
) -> tuple[list[dict[str, Any]], list[CurvePart]]:
    """The rows and curves of one metric over every split it scores.

    Parameters
    ----------
    name : str
        The metric's name in the cell (a metric returning a dict names its own rows).
    metric : Metric
        The metric instance.
    sets, preds : dict
        Split name -> evaluated data (n examples), and -> its checked prediction (n,).
    reference : tuple of (SeqDataset, Prediction) or None
        The ``test_id`` data and prediction that ID-relative metrics (``"reference"``
        in ``metric.needs``) compare each OOD split with; None when there is none.

    Returns
    -------
    rows : list of dict
        One per (split, metric row); a failing split fails (or skips) its own rows.
    curves : list of CurvePart
    """
    rows: list[dict[str, Any]] = []
    curves: list[CurvePart] = []
    needs_ref = "reference" in metric.needs
    for split, data in sets.items():
        if needs_ref and not split.startswith("test_ood"):
            continue
        if not data.info.get("row_metrics", True):
            continue  # a set scored only by Task.score (variant ref/alt rows)
        base = {"split": split, "metric": name, "n": len(data), "higher_is_better": bool(metric.higher_is_better)}
        if needs_ref and reference is None:
            rows.append(
                {**base, "value": np.nan, "status": "skipped", "error": "no test_id prediction to compare with"}
            )
            continue
        try:
            # `reference=` only for metrics that declare it: the documented
            # contract is `metric(data, pred)`.
            value = metric(data, preds[split], reference=reference) if needs_ref else metric(data, preds[split])
            values = value if isinstance(value, dict) else {name: value}
            for key, v in values.items():
                rows.append({**base, "metric": key, "value": float(v), "status": "ok", "error": ""})
            curve = metric.curve(data, preds[split])
            if curve is not None and len(curve):
                curves.append((split, name, curve))
        except MetricSkipped as exc:
            rows.append({**base, "value": np.nan, "status": "skipped", "error": str(exc)})
        except Exception as exc:  # a broken metric fails its own rows only
            rows.append(
                {**base, "value": np.nan, "status": "failed", "error": f"metric {name!r}: {type(exc).__name__}: {exc}"}
            )
    return rows, curves


class _NoTaskScores:
    """Stands in for the task when references are scored: no task-specific rows."""

    reference_names: tuple[str, ...] = ()

    def score(self, split: str, data: SeqDataset, pred: Prediction) -> dict[str, float]:
        return {}


def _task_rows(
    cell: Cell, task: Any, sets: dict[str, SeqDataset], preds: dict[str, Prediction]
) -> list[dict[str, Any]]:
    """The task's own rows (:meth:`Task.score`) for every split; a failure fails its split."""
    rows: list[dict[str, Any]] = []
    for split, data in sets.items():
        try:
            extra = task.score(split, data, preds[split]) or {}
        except Exception as exc:
            rows.append(
                {
                    "split": split,
                    "metric": f"{cell.task_name}_score",
                    "value": np.nan,
                    "status": "failed",
                    "error": f"task score: {type(exc).__name__}: {exc}",
                    "n": len(data),
                }
            )
            continue
        refs = tuple(getattr(task, "reference_names", ()))
        for key, v in extra.items():
            if isinstance(v, MetricSkipped):  # undefined here: the reason, never a number
                rows.append(
                    {
                        "split": split,
                        "metric": key,
                        "value": np.nan,
                        "n": len(data),
                        "status": "skipped",
                        "error": str(v),
                    }
                )
                continue
            value, hib = v if isinstance(v, tuple) else (v, True)
            ref = next((r for r in refs if key.startswith(f"{r}_")), "")
            rows.append(
                {
                    "split": split,
                    "metric": key,
                    "value": float(value),
                    "n": len(data),
                    "higher_is_better": bool(hib),
                    "status": "ok",
                    "error": "",
                    "reference": ref,
                }
            )
    return rows


def reference_rows(
    cell: Cell,
    task: Any,
    sets: dict[str, SeqDataset],
    splits: Splits,
    metrics: dict[str, Any],
    out: dict[str, dict[str, Prediction]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of the task's references, scored by the cell's metrics exactly as a model's.

    Each reference ``ref`` that :meth:`Task.reference_predictions` returns is scored
    by :func:`score` (the same code path as a model), its rows renamed
    ``f"{ref}_{metric}"`` and marked ``reference = ref``; curves are not kept. A
    failing ``reference_predictions`` fails that split's rows of every declared
    reference, never the model's rows. ``out``, when given, receives the checked
    predictions (reference -> split -> Prediction).
    """
    names = tuple(getattr(task, "reference_names", ()))
    if not names:
        return []
    rows: list[dict[str, Any]] = []
    by_ref: dict[str, dict[str, Prediction]] = {}
    for split, data in sets.items():
        try:
            got = task.reference_predictions(split, data, splits) or {}
            for ref, pred in got.items():
                if ref not in names:
                    raise PluginError(
                        f"reference {ref!r} is not declared in reference_names {names}; add it there",
                        plugin=cell.task_name,
                    )
                by_ref.setdefault(ref, {})[split] = pred.check(len(data), plugin=cell.task_name)
        except Exception as exc:
            rows += [
                {
                    "split": split,
                    "metric": ref,
                    "value": np.nan,
                    "n": len(data),
                    "status": "failed",
                    "reference": ref,
                    "error": f"task reference_predictions: {type(exc).__name__}: {exc}",
                }
                for ref in names
            ]
    if out is not None:
        out.update(by_ref)
    for ref, preds in by_ref.items():
        ref_rows, _ = score(cell, _NoTaskScores(), {s: sets[s] for s in preds}, preds, metrics)
        rows += [{**row, "metric": f"{ref}_{row['metric']}", "reference": ref} for row in ref_rows]
    return rows


def results_table(rows: list[dict[str, Any]], constant: dict[str, Any]) -> pa.Table:
    """The cell's result rows: ``rows`` plus the ``constant`` columns on every row."""
    fields = {f.name for f in results.RESULTS_SCHEMA}
    columns: dict[str, Any] = {k: v for k, v in constant.items() if k in fields}
    defaults = {"reference": ""}  # a model's own rows are not references
    for name in fields - columns.keys():
        columns[name] = [row.get(name, defaults.get(name)) for row in rows]
    return results.columns_table(columns, len(rows), results.RESULTS_SCHEMA)


def predictions_table(
    sets: dict[str, SeqDataset], preds: dict[str, Prediction], rows: dict[str, np.ndarray] | None = None
) -> pa.Table:
    """Per-example rows of every split: y, predictive mean/var and its parts, truth.

    ``rows`` gives, per split, each example's index in the split as drawn (n,); by
    default 0..n-1. An intervention that held examples out keeps their original
    indices, so its rows pair with the same examples of the ``none`` cell.
    """

    def stacked(get: Any) -> np.ndarray:
        parts = []
        for split, data in sets.items():
            value = get(data, preds[split])
            parts.append(np.full(len(data), np.nan) if value is None else np.asarray(value, dtype=np.float64))
        return np.concatenate(parts)

    ids = [
        data.meta["id"].astype(str).to_numpy() if "id" in data.meta.columns else np.full(len(data), None, dtype=object)
        for data in sets.values()
    ]
    columns = {
        "split": np.concatenate([np.full(len(d), s, dtype=object) for s, d in sets.items()]),
        "row": np.concatenate(
            [np.arange(len(d)) if rows is None or s not in rows else np.asarray(rows[s]) for s, d in sets.items()]
        ),
        "example_id": np.concatenate(ids),
        "y": stacked(lambda d, p: d.y),
        "mean": stacked(lambda d, p: p.mean),
        "var": stacked(lambda d, p: p.var),
        "aleatoric": stacked(lambda d, p: p.aleatoric),
        "epistemic": stacked(lambda d, p: p.epistemic),
        "y_true": stacked(lambda d, p: d.y_true),
        "noise_var": stacked(lambda d, p: d.noise_var),
    }
    return results.columns_table(columns, len(columns["row"]), results.PREDICTIONS_SCHEMA)


def reference_predictions_table(sets: dict[str, SeqDataset], by_ref: dict[str, dict[str, Prediction]]) -> pa.Table:
    """Per-example predictions of the task's references (oracles, ceilings).

    Columns ``split, row, reference, mean, var``; ``row`` indexes the split as drawn,
    the same rows as the model's predictions file, so a leaderboard can resample a
    model and a reference paired example by example.
    """
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("split", "row", "reference", "mean", "var")}
    for ref, preds in by_ref.items():
        for split, pred in preds.items():
            n = len(sets[split])
            parts["split"].append(np.full(n, split, dtype=object))
            parts["row"].append(np.arange(n, dtype=np.int64))
            parts["reference"].append(np.full(n, ref, dtype=object))
            parts["mean"].append(np.asarray(pred.mean, dtype=np.float64))
            parts["var"].append(np.asarray(pred.var, dtype=np.float64))
    return pa.table({k: pa.array(np.concatenate(v)) if v else pa.array([], pa.string()) for k, v in parts.items()})


def curves_table(curves: list[CurvePart], constant: dict[str, Any]) -> pa.Table:
    """All curve points of a cell; ``constant`` supplies cell, task, shift, ... columns."""
    lengths = [len(frame) for _, _, frame in curves]

    def repeat(values: list[str]) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=object), lengths)

    columns: dict[str, Any] = {k: constant[k] for k in ("cell", "task", "shift", "severity", "model", "seed")}
    columns["split"] = repeat([s for s, _, _ in curves])
    columns["metric"] = repeat([m for _, m, _ in curves])
    columns["curve"] = np.concatenate(
        [
            frame["curve"].astype(object).to_numpy()
            if "curve" in frame.columns
            else np.full(len(frame), name, dtype=object)
            for _, name, frame in curves
        ]
    )
    columns["x"] = np.concatenate([frame["x"].to_numpy(np.float64) for _, _, frame in curves])
    columns["y"] = np.concatenate([frame["y"].to_numpy(np.float64) for _, _, frame in curves])
    return results.columns_table(columns, int(sum(lengths)), results.CURVES_SCHEMA)
