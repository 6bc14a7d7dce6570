"""Per-example bootstrap intervals for any metric, and a paired version.

The leaderboard calls :func:`bootstrap_metric` for an interval on one model's score
and :func:`paired_bootstrap` for the difference between two models scored on the
*same* resampled examples (the pairing removes the example-to-example variation the
two models share, so the interval on a difference is much tighter than two separate
intervals suggest).

A metric is used through duck typing, fastest path first:

0. ``metric.prepare(y, mean, var, y_true, noise_var) -> state`` and
   ``metric.resampled(state, idx) -> (b,)`` for index blocks ``idx`` (b, n): the
   metric does one-off work (e.g. a sort) and scores resamples from indices
   (rank-based metrics score them as example counts in O(n), no re-sort).
1. ``metric.stats(y, mean, var, y_true, noise_var) -> (k, n)`` and
   ``metric.finalize(m) -> (B,)`` where ``m`` (k, B) holds resample means of the
   per-example statistics: mean-decomposable metrics (MSE, NLL, coverage, Pearson
   via centred moments, ...). Statistics are computed once; each resample only
   gathers and averages them.
2. ``metric.batched(y, mean, var, y_true=None, noise_var=None) -> (B,)`` on
   arrays of shape (B, n): rank-based metrics (Spearman, AURC, ENCE, ...).
3. ``metric.compute(y, mean, var, y_true=None, noise_var=None) -> float``, looped.

Indices are drawn in row blocks of at most ``max_elements`` entries so 1,000
resamples of 100k examples never hold the full (B, n) matrix; the stream of
indices does not depend on the block size, so results are the same for any memory
limit. Metrics that need a ``reference`` split (``ood_auroc``) get a stratified
bootstrap: test and reference examples are resampled separately, each from its own
child generator.

Examples
--------
>>> import numpy as np
>>> from regshift_bench.bootstrap import bootstrap_metric
>>> rng = np.random.default_rng(0)
>>> y = rng.normal(size=500); mean = y + rng.normal(size=500); var = np.ones(500)
>>> res = bootstrap_metric("mse", y, mean, var, n_boot=200)   # doctest: +SKIP
>>> res.low < res.estimate < res.high                           # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from regshift_bench.errors import DataError, MetricSkipped, PluginError

__all__ = [
    "BootstrapResult", "ResampleScorer", "batched_function", "bootstrap_indices",
    "bootstrap_metric", "iter_bootstrap_indices", "make_scorer", "paired_bootstrap",
]

#: Largest number of resampled entries held at once per array (8 MiB of float64);
#: blocks that fit in cache run faster than one big block.
MAX_ELEMENTS = 1 << 20

PredLike = Any  # a Prediction, or a (mean, var) pair of arrays


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


def iter_bootstrap_indices(n: int, n_boot: int, rng: np.random.Generator, *,
                           max_elements: int | None = None) -> Iterator[np.ndarray]:
    """Yield resampling indices in row blocks.

    Parameters
    ----------
    n : int
        Number of examples (>= 1).
    n_boot : int
        Number of resamples B (>= 1).
    rng : numpy.random.Generator
    max_elements : int, optional
        Largest block size in entries (default :data:`MAX_ELEMENTS`); blocks have
        ``max(1, max_elements // n)`` rows.

    Yields
    ------
    numpy.ndarray, int64, shape (b, n)
        Blocks whose concatenation is the same for any ``max_elements``
        (``Generator.integers`` draws entries one after another in C order).
    """
    if n < 1 or n_boot < 1:
        raise DataError(f"bootstrap needs n >= 1 examples and n_boot >= 1, got n={n}, "
                        f"n_boot={n_boot}")
    rows = max(1, (MAX_ELEMENTS if max_elements is None else max_elements) // n)
    for start in range(0, n_boot, rows):
        yield rng.integers(0, n, size=(min(rows, n_boot - start), n), dtype=np.int64)


def bootstrap_indices(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """All resampling indices at once, int64 (n_boot, n); for small n only.

    Equal to the concatenated blocks of :func:`iter_bootstrap_indices` with the
    same generator state, which the bootstrap functions use to bound memory.
    """
    return np.concatenate(list(iter_bootstrap_indices(n, n_boot, rng)), axis=0)


def batched_function(metric: str | Any) -> Callable[..., np.ndarray]:
    """The batched array function of a metric instance or registered name.

    Returns
    -------
    callable
        ``f(y, mean, var, y_true=None, noise_var=None) -> (B,)`` on (B, n) arrays;
        metrics without ``batched`` get a loop over ``compute``.
    """
    metric = _resolve(metric)
    if hasattr(metric, "batched"):
        return metric.batched
    return lambda *a, **k: _loop(metric, *a, **k)


def _resolve(metric: str | Any) -> Any:
    if isinstance(metric, str):
        from regshift_bench.plugins import get_plugin

        metric = get_plugin("metric", metric)
    if not (hasattr(metric, "compute") or hasattr(metric, "batched")):
        raise PluginError(
            f"metric {getattr(metric, 'name', type(metric).__name__)!r} has no array function; "
            "a bootstrappable metric defines compute(y, mean, var, y_true, noise_var) "
            "or batched(...)", plugin=getattr(metric, "name", None))
    return metric


def _name(metric: Any) -> str:
    return getattr(metric, "name", "") or type(metric).__name__


def _loop(metric: Any, *arrays: np.ndarray | None, **extra: Any) -> np.ndarray:
    arrays2 = [None if a is None else np.atleast_2d(a) for a in arrays]
    extra2 = {k: None if v is None else np.atleast_2d(v) for k, v in extra.items()}
    b = arrays2[0].shape[0]  # type: ignore[union-attr]
    return np.array([
        metric.compute(*[None if a is None else a[i] for a in arrays2],
                       **{k: None if v is None else v[i] for k, v in extra2.items()})
        for i in range(b)], dtype=np.float64)


def _as_pred(pred: PredLike) -> tuple[np.ndarray, np.ndarray]:
    if hasattr(pred, "mean") and hasattr(pred, "var") and not isinstance(pred, np.ndarray):
        return np.asarray(pred.mean, np.float64), np.asarray(pred.var, np.float64)
    mean, var = pred
    return np.asarray(mean, np.float64), np.asarray(var, np.float64)


def _arrays(name: str, n_expected: int | None = None, **arrays: Any) -> dict[str, np.ndarray | None]:
    out: dict[str, np.ndarray | None] = {}
    for key, value in arrays.items():
        if value is None:
            out[key] = None
            continue
        arr = np.asarray(value, dtype=np.float64).reshape(-1)
        if n_expected is not None and arr.shape[0] != n_expected:
            raise DataError(f"bootstrap of {name!r}: {key} has {arr.shape[0]} values, "
                            f"expected {n_expected}")
        if not np.isfinite(arr).all():
            bad = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise DataError(f"bootstrap of {name!r}: {key} is not finite at row {bad}; "
                            "drop or impute missing values first")
        out[key] = arr
    return out


class ResampleScorer:
    """Scores one prediction on blocks of resampling indices, by the fastest path.

    For callers that draw their own (shared) indices, e.g. the leaderboard ranking
    several models on the same resamples: ``scorer(idx)`` with ``idx`` int (b, n)
    returns the metric of each resample, (b,); ``scorer.full()`` the point value.
    Inputs must already be validated float64 (n,) arrays (see
    :func:`make_scorer`).
    """

    def __init__(self, metric: Any, y: np.ndarray, mean: np.ndarray, var: np.ndarray,
                 y_true: np.ndarray | None, noise_var: np.ndarray | None,
                 reference: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> None:
        self.metric, self.reference = metric, reference
        self.inputs = (y, mean, var, y_true, noise_var)
        self.stats: np.ndarray | None = None
        self.state: Any = None
        if reference is None and hasattr(metric, "prepare") and hasattr(metric, "resampled"):
            self.state = metric.prepare(y, mean, var, y_true, noise_var)
        elif reference is None and hasattr(metric, "stats") and hasattr(metric, "finalize"):
            self.stats = np.atleast_2d(metric.stats(y, mean, var, y_true, noise_var))

    def full(self) -> float:
        """The metric on the full sample (the point estimate)."""
        extra = self._extra(None)
        if hasattr(self.metric, "compute"):
            return float(self.metric.compute(*self.inputs, **extra))
        rows = [None if a is None else a[None] for a in self.inputs]
        return float(self.metric.batched(*rows, **{k: v[None] for k, v in extra.items()})[0])

    def _extra(self, ref_idx: np.ndarray | None) -> dict[str, np.ndarray]:
        if self.reference is None:
            return {}
        ry, rmean, rvar = self.reference
        if ref_idx is None:
            return {"reference_y": ry, "reference_mean": rmean, "reference_var": rvar}
        return {"reference_y": ry[ref_idx], "reference_mean": rmean[ref_idx],
                "reference_var": rvar[ref_idx]}

    def __call__(self, idx: np.ndarray, ref_idx: np.ndarray | None = None) -> np.ndarray:
        return self.block(idx, ref_idx)

    def block(self, idx: np.ndarray, ref_idx: np.ndarray | None) -> np.ndarray:
        """Metric of resamples ``idx`` (b, n) [and reference resamples ``ref_idx``], (b,)."""
        if self.state is not None:
            return np.asarray(self.metric.resampled(self.state, idx), dtype=np.float64)
        if self.stats is not None:
            m = np.stack([s[idx].mean(axis=1) for s in self.stats])  # (k, b)
            return np.asarray(self.metric.finalize(m), dtype=np.float64)
        gathered = [None if a is None else a[idx] for a in self.inputs]
        extra = self._extra(ref_idx)
        if hasattr(self.metric, "batched"):
            return np.asarray(self.metric.batched(*gathered, **extra), dtype=np.float64)
        return _loop(self.metric, *gathered, **extra)


def make_scorer(metric: str | Any, y: np.ndarray, mean: np.ndarray, var: np.ndarray, *,
                y_true: np.ndarray | None = None,
                noise_var: np.ndarray | None = None) -> ResampleScorer:
    """A validated :class:`ResampleScorer` for one prediction.

    Parameters
    ----------
    metric : str or Metric
    y, mean, var : array_like, shape (n,)
    y_true, noise_var : array_like, shape (n,), optional

    Raises
    ------
    DataError
        Non-finite input or mismatched lengths.
    """
    metric = _resolve(metric)
    name, needs = _name(metric), set(getattr(metric, "needs", ()))
    if "reference" in needs:
        raise MetricSkipped(f"metric {name!r} needs a reference split; use bootstrap_metric "
                            "with reference=")
    a = _arrays(name, None, y=y)
    n = a["y"].shape[0]  # type: ignore[union-attr]
    a.update(_arrays(name, n, mean=mean, var=var,
                     y_true=y_true if "y_true" in needs else None,
                     noise_var=noise_var if "noise_var" in needs else None))
    return ResampleScorer(metric, a["y"], a["mean"], a["var"],  # type: ignore[arg-type]
                          a["y_true"], a["noise_var"], None)


def _run(metric: Any, y: np.ndarray, preds: list[tuple[np.ndarray, np.ndarray]],
         y_true: Any, noise_var: Any, reference: list[Any] | None, n_boot: int,
         random_state: Any, ci: float) -> tuple[list[float], list[np.ndarray], int]:
    """Estimates and resample values for each prediction on shared indices."""
    name = _name(metric)
    if not 0 < ci < 1:
        raise DataError(f"bootstrap ci must be in (0, 1), got {ci}")
    base = _arrays(name, None, y=y)
    n = base["y"].shape[0]  # type: ignore[union-attr]
    needs = set(getattr(metric, "needs", ()))
    # Fields the metric does not use are dropped unchecked (NaN there is harmless).
    truth = _arrays(name, n, y_true=y_true if "y_true" in needs else None,
                    noise_var=noise_var if "noise_var" in needs else None)
    needs_ref = "reference" in needs
    if needs_ref and reference is None:
        raise MetricSkipped(f"bootstrap of {name!r} needs reference=(y, mean, var) of the "
                            "in-distribution split")
    scorers = []
    for i, (mean, var) in enumerate(preds):
        p = _arrays(name, n, mean=mean, var=var)
        ref = None
        if needs_ref:
            ry = _arrays(name, None, reference_y=reference[i][0])["reference_y"]  # type: ignore[index]
            r = _arrays(name, ry.shape[0], rmean=reference[i][1], rvar=reference[i][2])  # type: ignore[index,union-attr]
            ref = (ry, r["rmean"], r["rvar"])
        scorers.append(ResampleScorer(metric, base["y"], p["mean"], p["var"],  # type: ignore[arg-type]
                               truth["y_true"], truth["noise_var"], ref))  # type: ignore[arg-type]
    rng = np.random.default_rng(random_state)
    # Separate child streams keep test indices identical whether or not a
    # reference split is resampled alongside.
    test_rng, ref_rng = rng.spawn(2)
    out: list[list[np.ndarray]] = [[] for _ in scorers]
    ref_blocks: Iterator[np.ndarray] | None = None
    if needs_ref:
        m = scorers[0].reference[0].shape[0]  # type: ignore[index]
        rows = max(1, MAX_ELEMENTS // max(n, 1))
        ref_blocks = (ref_rng.integers(0, m, size=(min(rows, n_boot - s), m))
                      for s in range(0, n_boot, rows))
    for idx in iter_bootstrap_indices(n, n_boot, test_rng, max_elements=MAX_ELEMENTS):
        ref_idx = next(ref_blocks) if ref_blocks is not None else None
        for j, scorer in enumerate(scorers):
            out[j].append(scorer.block(idx, ref_idx))
    estimates = [s.full() for s in scorers]
    return estimates, [np.concatenate(o) for o in out], n


def _interval(estimate: float, samples: np.ndarray, ci: float, n: int, name: str) -> BootstrapResult:
    if not np.isfinite(estimate):
        raise MetricSkipped(f"metric {name!r} is undefined on the full sample "
                            f"(value {estimate}); no interval")
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        low = high = float("nan")
    else:
        alpha = (1 - ci) / 2
        low, high = (float(v) for v in np.quantile(finite, [alpha, 1 - alpha]))
    return BootstrapResult(float(estimate), low, high, samples, ci, n)


def bootstrap_metric(metric: str | Any, y: np.ndarray, mean: np.ndarray, var: np.ndarray, *,
                     y_true: np.ndarray | None = None, noise_var: np.ndarray | None = None,
                     reference: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                     n_boot: int = 1000, random_state: Any = 0,
                     ci: float = 0.95) -> BootstrapResult:
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
    est, samples, n = _run(metric, y, [(mean, var)], y_true, noise_var,
                           None if reference is None else [reference], n_boot,
                           random_state, ci)
    return _interval(est[0], samples[0], ci, n, _name(metric))


def paired_bootstrap(metric: str | Any, y: np.ndarray, pred_a: PredLike, pred_b: PredLike, *,
                     y_true: np.ndarray | None = None, noise_var: np.ndarray | None = None,
                     reference_a: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                     reference_b: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                     n_boot: int = 1000, random_state: Any = 0,
                     ci: float = 0.95) -> BootstrapResult:
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
            raise DataError("paired bootstrap: reference_a and reference_b must cover the same "
                            "in-distribution examples")
        refs = [reference_a, reference_b]
    est, samples, n = _run(metric, y, [_as_pred(pred_a), _as_pred(pred_b)], y_true,
                           noise_var, refs, n_boot, random_state, ci)
    # A resample undefined for either model is undefined for the difference.
    return _interval(est[0] - est[1], samples[0] - samples[1], ci, n, _name(metric))
