"""Paired bootstrap of one metric plugin for several models on the same examples.

All models of a group see the same resampled example indices, so differences
between models keep their correlation (tight tie decisions). Each model's value
on the full sample comes from the plugin's ``__call__`` (the runner's own call, so
it equals ``results.parquet``); resamples use the fastest path the plugin offers:

1. ``prepare`` / ``resampled`` (rank-based metrics: resamples as example counts);
2. ``stats`` / ``finalize`` (means of per-example statistics): the resample means
   of *every* model come from one product ``counts (b, n) @ stats (n, k·M)``;
3. ``batched`` on gathered (b, n) arrays;
4. the plugin's ``__call__`` on each resample (any third-party metric).

Paths 1–3 are optional speed-ups; 4 needs nothing beyond the Metric contract.
Metrics whose ``needs`` include ``"reference"`` get a stratified bootstrap: the
reference (in-distribution) examples are resampled from their own child stream,
shared by the models too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from regshift_bench.bootstrap import indices
from regshift_bench.bootstrap.examples import Examples, call_metric, metric_value
from regshift_bench.bootstrap.scorer import _arrays
from regshift_bench.errors import BootstrapUnavailable, MetricSkipped, RegshiftError


def resolve_metric(name: str) -> Any:
    """The registered metric plugin ``name`` (BootstrapUnavailable when none is)."""
    from regshift_bench.api.metric import BEYOND_PREDICTIONS
    from regshift_bench.plugins import get_plugin

    try:
        metric = get_plugin("metric", name)
    except RegshiftError as exc:
        raise BootstrapUnavailable(
            f"{name!r} is a recorded value but no registered metric plugin computes it, so it "
            f"cannot be bootstrapped or ranked ({exc}); choose a metric from `rsbench list "
            "metrics`"
        ) from exc
    beyond = sorted(set(getattr(metric, "needs", ())) & BEYOND_PREDICTIONS)
    if beyond:
        raise BootstrapUnavailable(
            f"{name!r} reads {' and '.join(beyond)}, which the stored predictions do not hold, "
            "so it cannot be bootstrapped or ranked; its recorded values are shown as they are"
        )
    return metric


def resample_path(metric: Any, needs_ref: bool) -> str:
    """Which path scores resamples: resampled | stats | batched | batched_ref | call."""
    return _path(metric, needs_ref)


def _path(metric: Any, needs_ref: bool) -> str:
    if needs_ref:
        return "batched_ref" if hasattr(metric, "batched") else "call"
    if hasattr(metric, "prepare") and hasattr(metric, "resampled"):
        return "resampled"
    if hasattr(metric, "stats") and hasattr(metric, "finalize"):
        return "stats"
    if hasattr(metric, "batched"):
        return "batched"
    return "call"


def _fields(metric: Any, ex: Examples) -> tuple[Any, ...]:
    """(y, mean, var, y_true, noise_var) for an array path; fields the metric does
    not need are None; a needed one that is missing skips the metric."""
    needs = set(getattr(metric, "needs", ()))
    out = []
    for field in ("y_true", "noise_var"):
        value = getattr(ex, field)
        if field in needs and value is None:
            raise MetricSkipped(f"metric {getattr(metric, 'name', '')!r} needs {field}, which these predictions lack")
        out.append(value if field in needs else None)
    checked = _arrays(
        getattr(metric, "name", ""), len(ex), y=ex.y, mean=ex.mean, var=ex.var, y_true=out[0], noise_var=out[1]
    )
    return tuple(checked[k] for k in ("y", "mean", "var", "y_true", "noise_var"))


def _counts(idx: np.ndarray, n: int) -> np.ndarray:
    """How often each example is drawn in each resample, float64 (b, n)."""
    b = idx.shape[0]
    flat = (idx + (np.arange(b) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)


def _call_block(
    metric: Any, ex: Examples, ref: Examples | None, idx: np.ndarray, ref_idx: np.ndarray | None
) -> np.ndarray:
    out = np.empty(idx.shape[0])
    for i, rows in enumerate(idx):
        out[i] = call_metric(metric, ex.take(rows), None if ref is None or ref_idx is None else ref.take(ref_idx[i]))
    return out


def paired_scores(
    metric: Any,
    examples: Mapping[str, Examples],
    *,
    n_boot: int,
    rng: np.random.Generator,
    reference: Mapping[str, Examples] | None = None,
) -> dict[str, tuple[float, np.ndarray]]:
    """Point value and ``n_boot`` paired resample values of ``metric`` per model.

    Parameters
    ----------
    metric : Metric
        A metric plugin instance (see :func:`resolve_metric`).
    examples : mapping model -> Examples
        Aligned splits, each of n examples; row i is the same example for every model.
    n_boot : int
        Number of resamples B.
    rng : numpy.random.Generator
        Source of the shared indices (a child stream resamples the reference).
    reference : mapping model -> Examples, optional
        Each model's in-distribution split (m examples, aligned), for metrics whose
        ``needs`` include ``"reference"``.

    Returns
    -------
    dict model -> (point, samples of shape (B,))
        NaN where the metric is undefined (on the full sample or a resample).

    Raises
    ------
    MetricSkipped
        A needed field (y_true, noise_var, reference) is missing.
    """
    models = list(examples)
    n = len(examples[models[0]])
    needs_ref = "reference" in getattr(metric, "needs", ())
    if needs_ref and (reference is None or any(m not in reference for m in models)):
        raise MetricSkipped(
            f"metric {getattr(metric, 'name', '')!r} needs each model's in-distribution split as reference"
        )
    refs = {m: reference[m] for m in models} if needs_ref and reference is not None else {}
    points = {m: call_metric(metric, examples[m], refs.get(m)) for m in models}
    path = _path(metric, needs_ref)
    arrays = {m: _fields(metric, examples[m]) for m in models} if path != "call" else {}
    state: dict[str, Any] = {}
    if path == "resampled":
        state = {m: metric.prepare(*arrays[m]) for m in models}
    elif path == "stats":
        stats = [np.atleast_2d(np.asarray(metric.stats(*arrays[m]), dtype=np.float64)) for m in models]
        edges = np.cumsum([0, *(s.shape[0] for s in stats)])
        stacked = np.ascontiguousarray(np.vstack(stats).T)  # (n, k·M): one product for all
    test_rng, ref_rng = rng.spawn(2)
    m_ref = len(next(iter(refs.values()))) if refs else 0
    rows = max(1, indices.MAX_ELEMENTS // max(n, m_ref, 1))
    parts: dict[str, list[np.ndarray]] = {m: [] for m in models}
    for idx in indices.iter_bootstrap_indices(n, n_boot, test_rng, max_elements=rows * n):
        ref_idx = ref_rng.integers(0, m_ref, size=(idx.shape[0], m_ref)) if refs else None
        if path == "stats":
            means = (_counts(idx, n) @ stacked) / n  # (b, k·M)
            for i, m in enumerate(models):
                parts[m].append(np.asarray(metric.finalize(means[:, edges[i] : edges[i + 1]].T), dtype=np.float64))
            continue
        for m in models:
            if path == "resampled":
                vals = metric.resampled(state[m], idx)
            elif path == "batched":
                vals = metric.batched(*(None if a is None else a[idx] for a in arrays[m]))
            elif path == "batched_ref":
                r = refs[m]
                vals = metric.batched(
                    *(None if a is None else a[idx] for a in arrays[m]),
                    reference_y=r.y[ref_idx],
                    reference_mean=r.mean[ref_idx],
                    reference_var=r.var[ref_idx],
                )
            else:
                vals = _call_block(metric, examples[m], refs.get(m), idx, ref_idx)
            parts[m].append(np.asarray(vals, dtype=np.float64))
    return {m: (points[m], np.concatenate(parts[m])) for m in models}


__all__ = ["Examples", "call_metric", "metric_value", "paired_scores", "resolve_metric"]
