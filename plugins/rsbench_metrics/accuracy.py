"""Accuracy of the predictive mean: mse, rmse, mae, pearson, spearman, r2.

None of these use the predicted variance.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from rsbench_metrics._base import Array, ArrayMetric, MomentMetric, correlation, is_constant, rankdata
from rsbench_metrics._resample import Presorted, group_ranks

#: Relative variance below which a resample counts as constant (rounding noise).
_FLAT = 1e-12


class MSE(MomentMetric):
    """Mean squared error, mean (y − μ)²."""

    table: ClassVar[str | None] = "accuracy"
    label: ClassVar[str] = "MSE"
    table_order: ClassVar[int] = 3

    higher_is_better: ClassVar[bool] = False

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return ((y - mean) ** 2)[None]


class RMSE(MSE):
    """Root mean squared error, sqrt(mean (y − μ)²)."""

    table: ClassVar[str | None] = "accuracy"
    label: ClassVar[str] = "RMSE"
    table_order: ClassVar[int] = 4

    def finalize(self, m: Array) -> Array:
        return np.sqrt(m[0])


class MAE(MomentMetric):
    """Mean absolute error, mean |y − μ|."""

    table: ClassVar[str | None] = "accuracy"
    label: ClassVar[str] = "MAE"
    table_order: ClassVar[int] = 5

    higher_is_better: ClassVar[bool] = False

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return np.abs(y - mean)[None]


class Pearson(ArrayMetric):
    """Pearson correlation between μ and y (undefined when either is constant)."""

    table: ClassVar[str | None] = "accuracy"
    label: ClassVar[str] = "r"
    table_order: ClassVar[int] = 0

    higher_is_better: ClassVar[bool] = True
    undefined_when: ClassVar[str] = "correlation needs n >= 2 and non-constant predictions and measurements"

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        return correlation(mean, y)

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        """Bootstrap statistics (5, n): a, b, a², b², ab with a, b centred on the full sample.

        Centring first keeps the moment form as precise as the two-pass ``batched``.
        """
        a = y - y.mean(axis=-1, keepdims=True)
        b = mean - mean.mean(axis=-1, keepdims=True)
        return np.stack([a, b, a * a, b * b, a * b])

    def finalize(self, m: Array) -> Array:
        """Pearson of each resample from the means (5, B) of :meth:`stats`."""
        va, vb = m[2] - m[0] ** 2, m[3] - m[1] ** 2
        # A resample of one repeated value has variance 0 up to rounding: undefined.
        undefined = (va <= _FLAT * m[2]) | (vb <= _FLAT * m[3])
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (m[4] - m[0] * m[1]) / np.sqrt(np.where(undefined, 1.0, va * vb))
        return np.where(undefined, np.nan, np.clip(r, -1.0, 1.0))


class Spearman(ArrayMetric):
    """Spearman rank correlation between μ and y (ties get average ranks)."""

    table: ClassVar[str | None] = "accuracy"
    label: ClassVar[str] = "ρ"
    table_order: ClassVar[int] = 1

    higher_is_better: ClassVar[bool] = True
    undefined_when: ClassVar[str] = Pearson.undefined_when

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        return correlation(rankdata(mean), rankdata(y))

    def prepare(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> tuple[Presorted, Presorted, Array]:
        """Sort by μ and by y once; resamples are then example counts."""
        by_mean, by_y = Presorted.of(mean), Presorted.of(y)
        # y-sorted position of the example at each μ-sorted position
        return by_mean, by_y, by_y.inv[by_mean.order]

    def resampled(self, state: tuple[Presorted, Presorted, Array], idx: Array) -> Array:
        by_mean, by_y, y_pos = state
        n = idx.shape[1]
        counts = by_mean.counts(idx)
        centre = (n + 1) / 2
        # Ranks of a resample: tie-group average positions, centred; half-integers,
        # so the sums below are exact and a constant input gives exactly 0 variance.
        r_mean = group_ranks(by_mean.group_counts(counts)) - centre
        if not by_mean.no_ties:
            r_mean = r_mean[:, by_mean.gid]
        r_y = group_ranks(by_y.group_counts(by_y.counts(idx))) - centre
        r_y = (r_y if by_y.no_ties else r_y[:, by_y.gid])[:, y_pos]
        sxy = (counts * r_mean * r_y).sum(axis=1)
        sxx = (counts * r_mean * r_mean).sum(axis=1)
        syy = (counts * r_y * r_y).sum(axis=1)
        undefined = (sxx == 0) | (syy == 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = sxy / np.sqrt(np.where(undefined, 1.0, sxx * syy))
        return np.where(undefined, np.nan, np.clip(r, -1.0, 1.0))


class R2(ArrayMetric):
    """Coefficient of determination 1 − SSE/SST (undefined when y is constant).

    Unlike ``sklearn.metrics.r2_score``, which returns 1.0 or 0.0 for a constant
    ``y``, a constant ``y`` is undefined here: there is no variance to explain.
    """

    table: ClassVar[str | None] = "accuracy"
    label: ClassVar[str] = "R²"
    table_order: ClassVar[int] = 2

    higher_is_better: ClassVar[bool] = True
    undefined_when: ClassVar[str] = "R² needs n >= 2 and non-constant measurements"

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        sse = ((y - mean) ** 2).sum(axis=-1)
        yc = y - y.mean(axis=-1, keepdims=True)
        sst = (yc * yc).sum(axis=-1)
        undefined = is_constant(y)
        return np.where(undefined, np.nan, 1.0 - sse / np.where(undefined, 1.0, sst))

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        """Bootstrap statistics (3, n): a, a², (y − μ)² with a = y centred on the full sample."""
        a = y - y.mean(axis=-1, keepdims=True)
        return np.stack([a, a * a, (y - mean) ** 2])

    def finalize(self, m: Array) -> Array:
        sst = m[1] - m[0] ** 2
        undefined = sst <= _FLAT * m[1]
        return np.where(undefined, np.nan, 1.0 - m[2] / np.where(undefined, 1.0, sst))
