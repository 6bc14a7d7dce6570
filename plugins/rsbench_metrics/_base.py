"""Shared machinery: array metrics, input validation, vectorised ranking.

Every built-in metric is an :class:`ArrayMetric`: a pure array function
``batched(y, mean, var, y_true=None, noise_var=None) -> (B,)`` over arrays of shape
(B, n) (one row per bootstrap resample), from which ``compute`` (one sample, float)
and ``__call__`` (SeqDataset + Prediction, the runner's entry point) follow.

Undefined values (NaN policy)
-----------------------------
The array functions return NaN where a metric is mathematically undefined, as
scipy does (Pearson/Spearman/R² on a constant input, n = 1). ``__call__`` turns a
non-finite value into :class:`~regshift_bench.errors.MetricSkipped` with the
reason, so the runner records status ``skipped`` instead of a number; the
bootstrap ignores undefined resamples and counts them (``n_undefined``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from regshift_bench.api import Metric, Prediction, SeqDataset
from regshift_bench.errors import DataError, MetricSkipped

Array = np.ndarray


class ArrayMetric(Metric):
    """A metric defined by a vectorised array function.

    Class attributes
    ----------------
    higher_is_better : bool
    needs : frozenset of str
    target : float or None
        The value of a calibrated model when that is not an extreme of the scale
        (coverage → nominal level, ``z2`` → 1); rank by ``|value − target|``.
    undefined_when : str
        Why ``batched`` may return NaN; the skip reason ``__call__`` records.
    """

    target: ClassVar[float | None] = None
    undefined_when: ClassVar[str] = "the input is degenerate"

    # -- the array function ------------------------------------------------------------
    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        """The metric on every row.

        Parameters
        ----------
        y, mean, var : numpy.ndarray, float64, shape (B, n)
            Measured activity, predictive mean and (positive) variance.
        y_true, noise_var : numpy.ndarray, shape (B, n), optional
            Noise-free activity and true noise variance (simulation only).

        Returns
        -------
        numpy.ndarray, float64, shape (B,)
            NaN where undefined. No input validation (hot path): use ``compute``.
        """
        raise NotImplementedError

    # -- one sample --------------------------------------------------------------------
    def compute(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> float:
        """The metric on one sample of n examples (arrays of shape (n,)).

        Raises
        ------
        DataError
            Naming the metric: NaN/inf input, mismatched lengths, n = 0, var <= 0.
        MetricSkipped
            ``y_true`` / ``noise_var`` is needed but None.
        """
        name = self._label()
        truth: dict[str, Any] = {"y_true": y_true, "noise_var": noise_var}
        for field, value in truth.items():
            if field not in self.needs:
                # Unused fields are not validated: missing replicate variances must
                # not stop an MSE.
                truth[field] = None
            elif value is None:
                raise MetricSkipped(f"metric {name!r} needs {field}, which this data lacks")
        main = validate(name, y=y, mean=mean, var=var, **truth)
        ref_n = None
        if extra:
            first = next(v for v in extra.values())
            ref_n = np.asarray(first).reshape(-1).shape[0]
        ext = validate(name, n=ref_n, **extra) if extra else {}
        rows = {k: None if v is None else v[None] for k, v in main.items()}
        rows.update({k: v[None] for k, v in ext.items() if v is not None})
        return float(self.batched(**rows)[0])  # type: ignore[arg-type]

    # -- the runner's entry point ------------------------------------------------------
    def __call__(
        self, data: SeqDataset, pred: Prediction, reference: tuple[SeqDataset, Prediction] | None = None
    ) -> float:
        """Score ``pred`` on ``data``.

        Raises
        ------
        MetricSkipped
            A needed field is missing, or the value is undefined on this data.
        DataError
            NaN/inf or mismatched input, naming the metric.
        """
        self.require(data, reference)
        value = self.compute(data.y, pred.mean, pred.var, data.y_true, data.noise_var, **self._extra_inputs(reference))
        if not np.isfinite(value):
            raise MetricSkipped(f"metric {self._label()!r} is undefined on this data ({value}): {self.undefined_when}")
        return value

    def _extra_inputs(self, reference: Any) -> dict[str, Array]:
        """Additional keyword arrays for ``compute`` (the reference split)."""
        return {}

    def _label(self) -> str:
        return self.name or type(self).__name__


class MomentMetric(ArrayMetric):
    """A metric that is a function of means of per-example statistics.

    Subclasses define ``stats`` and ``finalize``; the bootstrap then computes the
    statistics once and only averages them per resample (no re-evaluation).
    """

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        """Per-example statistics, shape (k, *y.shape)."""
        raise NotImplementedError

    def finalize(self, m: Array) -> Array:
        """Metric from means of the statistics: (k, B) -> (B,). Default: m[0]."""
        return m[0]

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        s = np.asarray(self.stats(y, mean, var, y_true, noise_var))
        return np.asarray(self.finalize(s.mean(axis=-1)), dtype=np.float64)


def validate(metric: str, n: int | None = None, **arrays: Any) -> dict[str, Array | None]:
    """Convert to float64 (n,) arrays and check them.

    Raises
    ------
    DataError
        Naming ``metric``, the field and the first bad row.
    """
    out: dict[str, Array | None] = {}
    for key, value in arrays.items():
        if value is None:
            out[key] = None
            continue
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim != 1:
            raise DataError(f"metric {metric!r}: {key} must be 1-D, got shape {arr.shape}")
        if n is None:
            n = arr.shape[0]
            if n == 0:
                raise DataError(f"metric {metric!r}: no examples to score")
        if arr.shape[0] != n:
            raise DataError(f"metric {metric!r}: {key} has {arr.shape[0]} values, expected {n}")
        finite = np.isfinite(arr)
        if not finite.all():
            bad = int(np.flatnonzero(~finite)[0])
            raise DataError(
                f"metric {metric!r}: {key} is {arr[bad]} at row {bad}; drop or impute missing values before scoring"
            )
        if key.endswith("var") and key != "noise_var" and (arr <= 0).any():
            bad = int(np.flatnonzero(arr <= 0)[0])
            raise DataError(f"metric {metric!r}: {key} must be > 0, got {arr[bad]} at row {bad}")
        if key == "noise_var" and (arr < 0).any():
            bad = int(np.flatnonzero(arr < 0)[0])
            raise DataError(f"metric {metric!r}: noise_var must be >= 0, got {arr[bad]} at row {bad}")
        out[key] = arr
    return out


def _tie_bounds(sorted_keys: Array) -> tuple[Array, Array]:
    """First and last position of each entry's tie group along the last axis.

    Parameters
    ----------
    sorted_keys : numpy.ndarray, shape (..., n)
        Sorted along the last axis.

    Returns
    -------
    start, end : numpy.ndarray, int64, shape (..., n)
    """
    n = sorted_keys.shape[-1]
    pos = np.broadcast_to(np.arange(n), sorted_keys.shape)
    new = np.ones(sorted_keys.shape, dtype=bool)
    new[..., 1:] = sorted_keys[..., 1:] != sorted_keys[..., :-1]
    last = np.ones(sorted_keys.shape, dtype=bool)
    last[..., :-1] = new[..., 1:]
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(last, pos, n - 1), -1), axis=-1), -1)
    return start, end


def rankdata(x: Array) -> Array:
    """Average ranks (1..n, ties share their mean rank) along the last axis.

    Parameters
    ----------
    x : numpy.ndarray, shape (..., n)

    Returns
    -------
    numpy.ndarray, float64, shape (..., n)
        Equal to ``scipy.stats.rankdata(x, axis=-1)``.
    """
    order = np.argsort(x, axis=-1, kind="stable")
    start, end = _tie_bounds(np.take_along_axis(x, order, axis=-1))
    ranks = np.empty(x.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, (start + end) / 2.0 + 1.0, axis=-1)
    return ranks


def sort_tie_averaged(key: Array, values: Array) -> tuple[Array, Array]:
    """Sort ``values`` by ``key`` and replace each tie group by its mean.

    Averaging within ties equals the expectation over every order of the tied
    examples, so anything computed from the result (risk–coverage curves,
    σ-binned errors) does not depend on the input order.

    Parameters
    ----------
    key, values : numpy.ndarray, shape (..., n)

    Returns
    -------
    sorted_key, averaged_values : numpy.ndarray, shape (..., n)
    """
    order = np.argsort(key, axis=-1, kind="stable")
    ks = np.take_along_axis(key, order, axis=-1)
    vs = np.take_along_axis(values, order, axis=-1)
    start, end = _tie_bounds(ks)
    if not (end != start).any():
        return ks, vs
    cs = np.cumsum(vs, axis=-1)
    before = np.where(start > 0, np.take_along_axis(cs, np.maximum(start - 1, 0), axis=-1), 0.0)
    group_mean = (np.take_along_axis(cs, end, axis=-1) - before) / (end - start + 1)
    return ks, np.where(end == start, vs, group_mean)


def is_constant(x: Array) -> Array:
    """Whether each row is constant, shape (...,) from (..., n)."""
    return np.asarray(x.max(axis=-1) == x.min(axis=-1))


def correlation(a: Array, b: Array) -> Array:
    """Pearson correlation of rows, NaN where a row of either input is constant.

    Parameters
    ----------
    a, b : numpy.ndarray, shape (B, n)

    Returns
    -------
    numpy.ndarray, float64, shape (B,)
    """
    # Two-pass centring keeps precision when the values carry a large offset.
    ac = a - a.mean(axis=-1, keepdims=True)
    bc = b - b.mean(axis=-1, keepdims=True)
    denom = np.sqrt((ac * ac).sum(axis=-1) * (bc * bc).sum(axis=-1))
    undefined = is_constant(a) | is_constant(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (ac * bc).sum(axis=-1) / np.where(undefined, 1.0, denom)
    return np.where(undefined, np.nan, np.clip(r, -1.0, 1.0))
