"""Percentile bootstrap intervals of one metric, and of a paired difference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from regshift_bench.bootstrap import indices
from regshift_bench.bootstrap.indices import iter_bootstrap_indices
from regshift_bench.bootstrap.scorer import PredLike, ResampleScorer, _arrays, _as_pred, _name, _resolve
from regshift_bench.errors import DataError, MetricSkipped


@dataclass(frozen=True)
class BootstrapResult:
    """A point estimate with a percentile bootstrap interval.

    Attributes
    ----------
    estimate : float
        The metric on the full sample (for a paired bootstrap: a − b).
    low, high : float
        Percentile interval bounds at level ``ci``.
    samples : numpy.ndarray, float64, shape (n_boot,)
        The metric on every resample (NaN where it is undefined on a resample,
        e.g. Pearson on a resample whose predictions are all equal).
    ci : float
        Interval level, e.g. 0.95.
    n : int
        Number of examples.
    """

    estimate: float
    low: float
    high: float
    samples: np.ndarray
    ci: float = 0.95
    n: int = 0

    @property
    def se(self) -> float:
        """Bootstrap standard error (standard deviation of the defined samples)."""
        s = self.samples[np.isfinite(self.samples)]
        return float(s.std(ddof=1)) if s.size > 1 else float("nan")

    @property
    def n_undefined(self) -> int:
        """Resamples on which the metric was undefined (NaN/inf)."""
        return int((~np.isfinite(self.samples)).sum())

    @property
    def p_value(self) -> float:
        """Two-sided bootstrap p-value of ``estimate == 0`` (paired comparisons).

        Twice the smaller tail fraction of the samples on either side of 0,
        capped at 1; identical models give 1.
        """
        s = self.samples[np.isfinite(self.samples)]
        if s.size == 0:
            return float("nan")
        return float(min(1.0, 2 * min((s <= 0).mean(), (s >= 0).mean())))


def _run(
    metric: Any,
    y: np.ndarray,
    preds: list[tuple[np.ndarray, np.ndarray]],
    y_true: Any,
    noise_var: Any,
    reference: list[Any] | None,
    n_boot: int,
    random_state: Any,
    ci: float,
) -> tuple[list[float], list[np.ndarray], int]:
    """Estimates and resample values for each prediction on shared indices."""
    name = _name(metric)
    if not 0 < ci < 1:
        raise DataError(f"bootstrap ci must be in (0, 1), got {ci}")
    base = _arrays(name, None, y=y)
    n = base["y"].shape[0]  # type: ignore[union-attr]
    needs = set(getattr(metric, "needs", ()))
    # Fields the metric does not use are dropped unchecked (NaN there is harmless).
    truth = _arrays(
        name, n, y_true=y_true if "y_true" in needs else None, noise_var=noise_var if "noise_var" in needs else None
    )
    needs_ref = "reference" in needs
    if needs_ref and reference is None:
        raise MetricSkipped(f"bootstrap of {name!r} needs reference=(y, mean, var) of the in-distribution split")
    scorers = []
    for i, (mean, var) in enumerate(preds):
        p = _arrays(name, n, mean=mean, var=var)
        ref = None
        if needs_ref:
            ry = _arrays(name, None, reference_y=reference[i][0])["reference_y"]  # type: ignore[index]
            r = _arrays(name, ry.shape[0], rmean=reference[i][1], rvar=reference[i][2])  # type: ignore[index,union-attr]
            ref = (ry, r["rmean"], r["rvar"])
        scorers.append(
            ResampleScorer(
                metric,
                base["y"],  # type: ignore[arg-type]
                p["mean"],  # type: ignore[arg-type]
                p["var"],  # type: ignore[arg-type]
                truth["y_true"],
                truth["noise_var"],
                ref,  # type: ignore[arg-type]
            )
        )
    rng = np.random.default_rng(random_state)
    # Separate child streams keep test indices identical whether or not a
    # reference split is resampled alongside.
    test_rng, ref_rng = rng.spawn(2)
    out: list[list[np.ndarray]] = [[] for _ in scorers]
    ref_blocks: Iterator[np.ndarray] | None = None
    if needs_ref:
        m = scorers[0].reference[0].shape[0]  # type: ignore[index]
        rows = max(1, indices.MAX_ELEMENTS // max(n, 1))
        ref_blocks = (ref_rng.integers(0, m, size=(min(rows, n_boot - s), m)) for s in range(0, n_boot, rows))
    for idx in iter_bootstrap_indices(n, n_boot, test_rng, max_elements=indices.MAX_ELEMENTS):
        ref_idx = next(ref_blocks) if ref_blocks is not None else None
        for j, scorer in enumerate(scorers):
            out[j].append(scorer.block(idx, ref_idx))
    estimates = [s.full() for s in scorers]
    return estimates, [np.concatenate(o) for o in out], n


def _interval(estimate: float, samples: np.ndarray, ci: float, n: int, name: str) -> BootstrapResult:
    if not np.isfinite(estimate):
        raise MetricSkipped(f"metric {name!r} is undefined on the full sample (value {estimate}); no interval")
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        low = high = float("nan")
    else:
        alpha = (1 - ci) / 2
        low, high = (float(v) for v in np.quantile(finite, [alpha, 1 - alpha]))
    return BootstrapResult(float(estimate), low, high, samples, ci, n)


def bootstrap_metric(
    metric: str | Any,
    y: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    *,
    y_true: np.ndarray | None = None,
    noise_var: np.ndarray | None = None,
    reference: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    n_boot: int = 1000,
    random_state: Any = 0,
    ci: float = 0.95,
) -> BootstrapResult:
    """Percentile bootstrap interval of a metric by resampling examples.

    Parameters
    ----------
    metric : str or Metric
        A registered metric name or an instance with ``compute``/``batched``.
    y, mean, var : array_like, shape (n,)
        Measured activity, predictive mean and variance.
    y_true, noise_var : array_like, shape (n,), optional
        Needed by oracle-gap metrics.
    reference : tuple of array_like (y_ref, mean_ref, var_ref), shape (m,) each
        In-distribution split for metrics that need one (``ood_auroc``);
        resampled separately (stratified bootstrap).
    n_boot : int
        Number of resamples B.
    random_state : int, SeedSequence or Generator
    ci : float
        Interval level in (0, 1).

    Returns
    -------
    BootstrapResult
        ``samples`` has shape (n_boot,).

    Raises
    ------
    DataError
        Non-finite input or mismatched lengths.
    MetricSkipped
        The metric is undefined on the full sample, or a needed reference is missing.
    """
    metric = _resolve(metric)
    est, samples, n = _run(
        metric,
        y,
        [(mean, var)],
        y_true,
        noise_var,
        None if reference is None else [reference],
        n_boot,
        random_state,
        ci,
    )
    return _interval(est[0], samples[0], ci, n, _name(metric))


def paired_bootstrap(
    metric: str | Any,
    y: np.ndarray,
    pred_a: PredLike,
    pred_b: PredLike,
    *,
    y_true: np.ndarray | None = None,
    noise_var: np.ndarray | None = None,
    reference_a: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    reference_b: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    n_boot: int = 1000,
    random_state: Any = 0,
    ci: float = 0.95,
) -> BootstrapResult:
    """Bootstrap interval of ``metric(a) − metric(b)`` on the same resampled examples.

    Parameters
    ----------
    metric : str or Metric
    y : array_like, shape (n,)
    pred_a, pred_b : Prediction or (mean, var) pair of arrays, shape (n,) each
    y_true, noise_var : array_like, shape (n,), optional
    reference_a, reference_b : tuple (y_ref, mean_ref, var_ref), optional
        Each model's prediction on the in-distribution split (``ood_auroc``).
    n_boot, random_state, ci
        As in :func:`bootstrap_metric`.

    Returns
    -------
    BootstrapResult
        Of the difference a − b; ``p_value`` tests a difference of zero. The
        sign convention is raw: use the metric's ``higher_is_better`` to read it.
    """
    metric = _resolve(metric)
    refs = None
    if reference_a is not None or reference_b is not None:
        if reference_a is None or reference_b is None:
            raise DataError("paired bootstrap needs reference_a and reference_b together")
        if np.shape(reference_a[0]) != np.shape(reference_b[0]):
            raise DataError(
                "paired bootstrap: reference_a and reference_b must cover the same in-distribution examples"
            )
        refs = [reference_a, reference_b]
    est, samples, n = _run(
        metric, y, [_as_pred(pred_a), _as_pred(pred_b)], y_true, noise_var, refs, n_boot, random_state, ci
    )
    # A resample undefined for either model is undefined for the difference.
    return _interval(est[0] - est[1], samples[0] - samples[1], ci, n, _name(metric))
