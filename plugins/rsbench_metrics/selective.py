"""Selective prediction: abstain on the least confident inputs.

Examples are ranked by predicted variance σ² (most confident first); the risk at
coverage k/n is the mean squared error of the k most confident examples.
Examples with tied σ² have no order between them, so their squared errors are
replaced by the tie group's mean: the expected risk over every order of the tie,
which makes every value here independent of the input order.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from regshift_bench.api import Prediction, SeqDataset
from rsbench_metrics._base import Array, ArrayMetric, sort_tie_averaged, validate
from rsbench_metrics._resample import GroupCurve, Presorted


def risk_curve(var: Array, err2: Array) -> Array:
    """Selective risk at every coverage k/n, k = 1..n.

    Parameters
    ----------
    var, err2 : numpy.ndarray, shape (B, n)
        Predicted variance (the confidence ranking) and squared error.

    Returns
    -------
    numpy.ndarray, float64, shape (B, n)
        Entry k−1 is the mean squared error of the k lowest-variance examples.
    """
    _, e = sort_tie_averaged(var, err2)
    return np.cumsum(e, axis=-1) / np.arange(1, e.shape[-1] + 1)


def oracle_aurc(err2: Array) -> Array:
    """AURC of the ideal ranking (by the true squared error), shape (B,)."""
    e = np.sort(err2, axis=-1)
    return (np.cumsum(e, axis=-1) / np.arange(1, e.shape[-1] + 1)).mean(axis=-1)


def _var_ranked(y: Array, mean: Array, var: Array) -> tuple[Presorted, Array]:
    """Bootstrap state: the sort by σ² and the squared errors in that order."""
    ps = Presorted.of(var)
    return ps, ps.sort((y - mean) ** 2)


def _curve(state: tuple[Presorted, Array], idx: Array) -> GroupCurve:
    ps, err2 = state
    return GroupCurve.of(*ps.groups(ps.counts(idx), err2))


class _VarRanked(ArrayMetric):
    """Selective metrics share the bootstrap state: one sort by σ² (see ``_resample``)."""

    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def prepare(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> tuple[Presorted, Array]:
        """Sort the full sample once; ``resampled`` then works on example counts."""
        return _var_ranked(y, mean, var)


def n_at(coverage: float, n: int) -> int:
    """Number of examples kept at ``coverage`` (at least 1, rounding up)."""
    return max(1, min(n, int(np.ceil(coverage * n - 1e-9))))


class AURC(_VarRanked):
    """Area under the risk–coverage curve (risk = squared error, ranked by σ²).

    The mean over k = 1..n of the risk at coverage k/n (Geifman et al., 2019).

    Parameters
    ----------
    curve_points : int
        Most points written by :meth:`curve` (coverages spread evenly; k = n kept).
    """

    table: ClassVar[str | None] = "selective"
    label: ClassVar[str] = "AURC"
    table_order: ClassVar[int] = 0

    higher_is_better: ClassVar[bool] = False

    def __init__(self, curve_points: int = 200) -> None:
        self.curve_points = curve_points

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        return risk_curve(var, (y - mean) ** 2).mean(axis=-1)

    def resampled(self, state: tuple[Presorted, Array], idx: Array) -> Array:
        """AURC of resamples ``idx`` (b, n), equal to ``batched`` on the gathered rows."""
        return _curve(state, idx).mean_of_running_means(idx.shape[1])

    def curve(self, data: SeqDataset, pred: Prediction) -> pd.DataFrame:
        """Risk–coverage curve: ``curve`` ("risk_coverage"), ``x`` coverage, ``y`` risk."""
        a = validate(self._label(), y=data.y, mean=pred.mean, var=pred.var)
        risk = risk_curve(a["var"][None], (a["y"] - a["mean"])[None] ** 2)[0]  # type: ignore[index,operator]
        n = risk.shape[0]
        k = np.unique(np.linspace(1, n, min(n, max(2, int(self.curve_points)))).round().astype(int))
        return pd.DataFrame({"curve": "risk_coverage", "x": k / n, "y": risk[k - 1]})


class ExcessAURC(_VarRanked):
    """AURC minus the AURC of the oracle ranking by true squared error (E-AURC).

    0 means σ² orders examples exactly as their errors do; it is never negative.
    """

    higher_is_better: ClassVar[bool] = False

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        err2 = (y - mean) ** 2
        return risk_curve(var, err2).mean(axis=-1) - oracle_aurc(err2)

    def prepare(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> tuple[Any, Any]:
        err2 = (y - mean) ** 2
        by_err = Presorted.of(err2)
        return _var_ranked(y, mean, var), (by_err, by_err.sort(err2))

    def resampled(self, state: tuple[Any, Any], idx: Array) -> Array:
        n = idx.shape[1]
        return _curve(state[0], idx).mean_of_running_means(n) - _curve(state[1], idx).mean_of_running_means(n)


class RiskAt(_VarRanked):
    """MSE on the ``coverage`` fraction of most confident examples (ceil(coverage·n) kept).

    Parameters
    ----------
    coverage : float
        Fraction kept, in (0, 1].
    """

    higher_is_better: ClassVar[bool] = False

    def __init__(self, coverage: float = 0.5) -> None:
        self.coverage = coverage

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        k = n_at(self.coverage, y.shape[-1])
        return risk_curve(var, (y - mean) ** 2)[..., k - 1]

    def resampled(self, state: tuple[Presorted, Array], idx: Array) -> Array:
        k = n_at(self.coverage, idx.shape[1])
        return _curve(state, idx).prefix(k) / k


class RiskAt50(RiskAt):
    """MSE on the 50% most confident examples (lowest σ²)."""

    table: ClassVar[str | None] = "selective"
    label: ClassVar[str] = "risk@50"
    table_order: ClassVar[int] = 1


class RiskAt80(RiskAt):
    """MSE on the 80% most confident examples (lowest σ²)."""

    def __init__(self, coverage: float = 0.8) -> None:
        self.coverage = coverage


class SelectiveGain(_VarRanked):
    """Risk at full coverage over risk at 50% coverage; above 1 means σ² helps abstain.

    Infinite when the kept half is error-free, undefined (skipped) when every
    error is zero.
    """

    table: ClassVar[str | None] = "selective"
    label: ClassVar[str] = "gain"
    table_order: ClassVar[int] = 2

    higher_is_better: ClassVar[bool] = True
    undefined_when: ClassVar[str] = "the most confident half has zero error, so the ratio is infinite or 0/0"

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        risk = risk_curve(var, (y - mean) ** 2)
        half = risk[..., n_at(0.5, y.shape[-1]) - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return risk[..., -1] / half

    def resampled(self, state: tuple[Presorted, Array], idx: Array) -> Array:
        n = idx.shape[1]
        k = n_at(0.5, n)
        curve = _curve(state, idx)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (curve.prefix(n) / n) / (curve.prefix(k) / k)
