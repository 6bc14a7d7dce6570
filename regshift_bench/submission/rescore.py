"""Re-score a run's metrics and curves from its per-example predictions with the metric plugins.

Only the model's own metric rows can be recomputed from predictions: rows of the
task's own score (e.g. DREAM's weighted score), of references (noise ceiling) and
of explainers need the sequences or the simulator's truth, which predictions do not
keep. Those rows are counted, never trusted: a board shows a submission's
recomputed rows only (:func:`regshift_bench.submission.check.board_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from regshift_bench.api.metric import BEYOND_PREDICTIONS
from regshift_bench.bootstrap.examples import Examples
from regshift_bench.errors import MetricSkipped
from regshift_bench.plugins import get_plugin

#: Agreement required between a submitted and a recomputed value. Predictions are
#: stored as float64 copies of what the metric saw, so only summation order differs.
RTOL, ATOL = 1e-6, 1e-9


def split_examples(path: Path) -> dict[str, Examples]:
    """Every split of one predictions file as :class:`Examples`, in ``row`` order."""
    frame = pq.read_table(path).to_pandas()
    out = {}
    for split, part in frame.groupby("split", sort=False):
        part = part.sort_values("row", kind="stable")
        out[str(split)] = Examples.of(part["y"], part["mean"], part["var"], part["y_true"], part["noise_var"])
    return out


def _values(metric: Any, ex: Examples, reference: Examples | None) -> dict[str, float]:
    """``{name: value}`` of one metric on one split; NaN where the metric skips."""
    kwargs: dict[str, Any] = {}
    if "reference" in getattr(metric, "needs", ()):
        if reference is None:
            return {metric.name: float("nan")}
        kwargs["reference"] = (reference.dataset(), reference.prediction())
    try:
        value = metric(ex.dataset(), ex.prediction(), **kwargs)
    except MetricSkipped:
        return {metric.name: float("nan")}
    values = value if isinstance(value, dict) else {metric.name: value}
    return {str(k): float(v) for k, v in values.items()}


def _placeholder(ex: Examples, seed: int) -> Any:
    """``ex`` as a dataset whose sequences are random codes (n, 200) from ``seed``."""
    from regshift_bench.api import SeqDataset

    seqs = np.random.default_rng(seed).integers(0, 4, size=(len(ex), 200), dtype=np.uint8)
    return SeqDataset(seqs, ex.y, y_true=ex.y_true, noise_var=ex.noise_var)


def reads_sequences(metric: Any, ex: Examples, reference: Examples | None) -> bool:
    """Whether ``metric`` reads more than predictions and labels (it cannot be re-scored).

    Declared with ``needs`` (``"seqs"`` or ``"meta"``), or found: scored on the
    constant placeholder sequences re-scoring uses and on five random ones, it gives
    different values (e.g. a coverage over GC-content groups).
    """
    if BEYOND_PREDICTIONS & set(getattr(metric, "needs", ())):
        return True
    kwargs: dict[str, Any] = {}
    if "reference" in getattr(metric, "needs", ()):
        if reference is None:
            return False
        kwargs["reference"] = (reference.dataset(), reference.prediction())
    got = []
    # Constant codes (what re-scoring uses) and five random draws: a metric that reads
    # the sequences gives one of them another value.
    for data in (ex.dataset(), *(_placeholder(ex, seed) for seed in range(5))):
        try:
            value = metric(data, ex.prediction(), **kwargs)
        except MetricSkipped:
            value = float("nan")
        got.append(value if isinstance(value, dict) else {metric.name: value})
    return any(
        not np.isclose(float(got[0][k]), float(other.get(k, np.nan)), equal_nan=True)
        for other in got[1:]
        for k in got[0]
    )


def rescore_cell(path: Path, metrics: list[str], cache: dict[str, Any]) -> dict[tuple[str, str], float]:
    """Recompute every metric of one cell from its predictions file.

    Parameters
    ----------
    path : Path
        ``predictions/<cell>.parquet``.
    metrics : list of str
        The cell's metrics (its plan entry's ``metrics``).
    cache : dict
        Metric instances by name, shared across cells; None for a metric that reads
        sequences or annotations (:func:`reads_sequences`), which is not re-scored.

    Returns
    -------
    dict
        ``(split, metric) -> value`` (NaN where the metric is undefined). A metric
        needing the in-distribution reference is scored on ``test_ood`` splits only,
        as the runner does.
    """
    sets = split_examples(path)
    reference = sets.get("test_id")
    out: dict[tuple[str, str], float] = {}
    for name in metrics:
        if name not in cache:
            metric = get_plugin("metric", name)
            # Probed on every split of the first cell: one split can agree by chance.
            found = any(reads_sequences(metric, ex, reference) for ex in sets.values())
            cache[name] = None if found else metric
        metric = cache[name]
        if metric is None:
            continue  # its submitted rows are counted as not recomputable
        needs_ref = "reference" in getattr(metric, "needs", ())
        for split, ex in sets.items():
            if needs_ref and not split.startswith("test_ood"):
                continue
            for key, value in _values(metric, ex, reference).items():
                out[(split, key)] = value
    return out


@dataclass
class Rescored:
    """The outcome of re-scoring a run.

    Attributes
    ----------
    verified : DataFrame
        ``cell, split, metric, value``: submitted rows whose value the predictions
        reproduce (the value is the recomputed one).
    mismatches : list of str
        One line per (cell, split) whose submitted values differ from the recomputed ones.
    unverifiable : int
        Submitted ok rows no metric plugin recomputes (task scores, references,
        interpretation rows).
    metrics : dict
        The metric instances used, by name (None: reads sequences, not re-scored).
    """

    verified: pd.DataFrame
    mismatches: list[str]
    unverifiable: int
    metrics: dict[str, Any] = field(default_factory=dict)


def _differs(submitted: float, recomputed: float) -> bool:
    if np.isnan(submitted) or np.isnan(recomputed):
        return bool(np.isnan(submitted) != np.isnan(recomputed))
    return not np.isclose(submitted, recomputed, rtol=RTOL, atol=ATOL)


def _split_line(where: str, bad: list[str], n: int, curves: list[str]) -> str:
    """One reason for a split: its differing metric values and curves."""
    parts = []
    if bad:
        shown = "; ".join(bad[:2]) + (f"; ... {len(bad) - 2} more" if len(bad) > 2 else "")
        parts.append(f"{len(bad)} of {n} metric values differ from the predictions' ({shown})")
    if curves:
        parts.append(f"its {', '.join(curves)} curve points differ from the predictions'")
    return f"{where}: {'; '.join(parts)}"


def rescore_run(
    run_dir: Path, results: pd.DataFrame, plan: dict[str, dict[str, Any]], label: dict[str, str]
) -> Rescored:
    """Compare every submitted metric row and curve of ``results`` with its recomputed value.

    Parameters
    ----------
    run_dir : Path
    results : DataFrame
        The run's result rows (``cell, split, metric, value, status, reference,
        explainer``).
    plan : dict
        Manifest plan entries by cell (their ``metrics``).
    label : dict
        A readable name per cell for the messages (``task/shift@sev/seedN/model``).
    """
    cache: dict[str, Any] = {}
    ok = results.loc[results["status"] == "ok"]
    own = (ok["reference"].fillna("") == "") & (ok["explainer"].fillna("") == "")
    rows = ok.loc[own]
    # References and interpretation rows need the sequences or the simulator's truth.
    verified, mismatches, unverifiable = [], [], int((~own).sum())
    for cell, part in rows.groupby("cell", sort=True):
        path = run_dir / "predictions" / f"{cell}.parquet"
        if not path.exists():
            continue  # completeness names it
        metrics = list(plan.get(str(cell), {}).get("metrics") or [])
        again = rescore_cell(path, metrics, cache)
        curves = curve_differences(run_dir, str(cell), metrics, cache)
        for split in sorted(set(part["split"]) | set(curves)):
            sub = part.loc[part["split"] == split]
            bad = []
            for r in sub.itertuples():
                key = (str(split), str(r.metric))
                if key not in again:
                    unverifiable += 1
                elif _differs(float(r.value), again[key]):
                    bad.append(f"{r.metric} submitted {float(r.value):.6g}, recomputed {again[key]:.6g}")
                else:
                    verified.append((cell, split, r.metric, again[key]))
            if bad or curves.get(split):
                mismatches.append(
                    _split_line(f"{label.get(str(cell), cell)} {split}", bad, len(sub), curves.get(split, []))
                )
    frame = pd.DataFrame(verified, columns=["cell", "split", "metric", "value"])
    return Rescored(frame, mismatches, unverifiable, cache)


def _curve_frames(path: Path, metrics: list[str], cache: dict[str, Any]) -> dict[tuple[str, str, str], pd.DataFrame]:
    """``(split, metric, curve) -> points (x, y)`` recomputed from one predictions file."""
    sets = split_examples(path)
    out: dict[tuple[str, str, str], pd.DataFrame] = {}
    for name in metrics:
        metric = cache.get(name)
        if metric is None:
            continue  # not re-scored (reads sequences) or not yet seen
        for split, ex in sets.items():
            if "reference" in getattr(metric, "needs", ()) and not split.startswith("test_ood"):
                continue
            try:
                frame = metric.curve(ex.dataset(), ex.prediction())
            except MetricSkipped:
                continue
            if frame is None or not len(frame):
                continue
            kinds = frame["curve"] if "curve" in frame.columns else pd.Series(name, index=frame.index)
            for kind, part in frame.groupby(kinds.to_numpy(), sort=False):
                out[(split, name, str(kind))] = part[["x", "y"]].reset_index(drop=True)
    return out


def curve_differences(run_dir: Path, cell: str, metrics: list[str], cache: dict[str, Any]) -> dict[str, list[str]]:
    """Split -> kinds of curve (``risk_coverage``, ...) whose submitted points the
    predictions of ``cell`` do not reproduce; metrics not re-scored are skipped."""
    path = run_dir / "curves" / f"{cell}.parquet"
    if not path.exists():
        return {}
    again = _curve_frames(run_dir / "predictions" / f"{cell}.parquet", metrics, cache)
    submitted = pq.read_table(path).to_pandas()
    out: dict[str, list[str]] = {}
    for (split, metric, kind), part in submitted.groupby(["split", "metric", "curve"], sort=True):
        if cache.get(str(metric)) is None:
            continue  # a metric this check does not re-score
        mine = again.get((str(split), str(metric), str(kind)))
        same = (
            mine is not None
            and len(mine) == len(part)
            and all(
                np.allclose(part[c].to_numpy(float), mine[c].to_numpy(float), rtol=RTOL, atol=ATOL, equal_nan=True)
                for c in ("x", "y")
            )
        )
        if not same:
            out.setdefault(str(split), []).append(str(kind))
    return out
