"""Gaps to the oracle (simulation only): metrics that need ``y_true`` / ``noise_var``.

On real data these fields are absent and the metrics are skipped with the
reason recorded (:class:`~regshift_bench.errors.MetricSkipped`), never zero.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from regshift_bench.errors import MetricSkipped
from rsbench_metrics._base import Array, ArrayMetric, MomentMetric, correlation
from rsbench_metrics.calibration import gaussian_nll


def _need(metric: ArrayMetric, field: str, value: Array | None) -> Array:
    """``value``, or skip (with the reason) when an oracle field is absent (real data)."""
    if value is None:
        raise MetricSkipped(
            f"metric {metric._label()!r} needs {field}, which this data lacks (oracle metrics are for simulated tasks)"
        )
    return value


class ExcessMSE(MomentMetric):
    """MSE minus the mean noise variance: the error a perfect model would not make.

    Close to 0 for the oracle (μ = y_true); can be slightly negative by chance.
    """

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"noise_var"})

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        noise_var = _need(self, "noise_var", noise_var)
        return ((y - mean) ** 2 - noise_var)[None]


class SignalPearson(ArrayMetric):
    """Pearson correlation of μ with the noise-free activity y_true."""

    higher_is_better: ClassVar[bool] = True
    needs: ClassVar[frozenset[str]] = frozenset({"y_true"})
    undefined_when: ClassVar[str] = "correlation needs n >= 2 and non-constant μ and y_true"

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        y_true = _need(self, "y_true", y_true)
        return correlation(mean, y_true)


class NLLGap(MomentMetric):
    """NLL minus the NLL of the oracle N(y_true, noise_var) on the same y.

    0 for the oracle; how many nats per example the model loses to noise-free
    knowledge. Needs noise_var > 0.
    """

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var", "y_true", "noise_var"})
    undefined_when: ClassVar[str] = "the oracle NLL is infinite where noise_var is 0"

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        y_true, noise_var = _need(self, "y_true", y_true), _need(self, "noise_var", noise_var)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (gaussian_nll(y, mean, var) - gaussian_nll(y, y_true, noise_var))[None]


class VarRatio(MomentMetric):
    """Mean σ² over the mean true total error, mean[(y_true − μ)² + noise_var].

    The denominator is the expected squared error of μ given the truth (error
    against the signal plus the noise a measurement adds), a lower-variance
    stand-in for the MSE. 1 is calibrated on average, below 1 over-confident.
    """

    higher_is_better: ClassVar[bool] = True
    needs: ClassVar[frozenset[str]] = frozenset({"var", "y_true", "noise_var"})
    target: ClassVar[float | None] = 1.0
    undefined_when: ClassVar[str] = "the true total error is 0 (μ = y_true and no noise)"

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        y_true, noise_var = _need(self, "y_true", y_true), _need(self, "noise_var", noise_var)
        return np.stack([np.broadcast_to(var, y.shape), (y_true - mean) ** 2 + noise_var])

    def finalize(self, m: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(m[1] > 0, m[0] / np.where(m[1] > 0, m[1], 1.0), np.nan)
