"""Calibration of the predictive Gaussian N(μ, σ²).

nll, z2, ence, miscal_area (+ reliability curve), coverage_*, width_90, crps.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from regshift_bench.api import Prediction, SeqDataset
from rsbench_metrics._base import Array, ArrayMetric, MomentMetric, sort_tie_averaged, validate
from rsbench_metrics._resample import GroupCurve, Presorted

_LOG_2PI = math.log(2 * math.pi)
#: Nominal central-interval levels of the reliability curve and miscalibration area.
LEVELS = np.round(np.arange(1, 100) / 100, 2)


def z_of(level: float | Array) -> float | Array:
    """Half-width in σ of the central interval with coverage ``level``."""
    return ndtri(0.5 + np.asarray(level) / 2)


def gaussian_nll(y: Array, mean: Array, var: Array) -> Array:
    """Per-example Gaussian negative log-likelihood, same shape as the inputs."""
    return 0.5 * (_LOG_2PI + np.log(var) + (y - mean) ** 2 / var)


class NLL(MomentMetric):
    """Gaussian negative log-likelihood, mean ½[log 2πσ² + (y − μ)²/σ²]."""

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return gaussian_nll(y, mean, var)[None]


class Z2(MomentMetric):
    """Mean squared z-score, mean (y − μ)²/σ²; 1 is calibrated, above 1 over-confident.

    ``higher_is_better`` is False because over-confidence is the failure that
    shift causes; rank by ``|z2 − 1|`` (``target``) for a symmetric view.
    """

    table: ClassVar[str | None] = "calibration"
    label: ClassVar[str] = "z²"
    table_order: ClassVar[int] = 1

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})
    target: ClassVar[float | None] = 1.0

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return ((y - mean) ** 2 / var)[None]


class Coverage(MomentMetric):
    """Fraction of y inside the central interval μ ± z·σ of nominal ``level``.

    ``higher_is_better`` is True because under-coverage is the failure that shift
    causes; the calibrated value is the nominal level (``target``).

    Parameters
    ----------
    level : float
        Nominal coverage in (0, 1).
    """

    higher_is_better: ClassVar[bool] = True
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def __init__(self, level: float = 0.9) -> None:
        self.level = level

    @property
    def target(self) -> float:  # type: ignore[override]
        return float(self.level)

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return (np.abs(y - mean) <= z_of(self.level) * np.sqrt(var)).astype(np.float64)[None]


class Coverage50(Coverage):
    """Fraction of y inside the central 50% interval (calibrated: 0.5)."""

    def __init__(self, level: float = 0.5) -> None:
        self.level = level


class Coverage80(Coverage):
    """Fraction of y inside the central 80% interval (calibrated: 0.8)."""

    def __init__(self, level: float = 0.8) -> None:
        self.level = level


class Coverage90(Coverage):
    """Fraction of y inside the central 90% interval (calibrated: 0.9)."""

    table: ClassVar[str | None] = "calibration"
    label: ClassVar[str] = "cov90"
    table_order: ClassVar[int] = 0


class Coverage95(Coverage):
    """Fraction of y inside the central 95% interval (calibrated: 0.95)."""

    def __init__(self, level: float = 0.95) -> None:
        self.level = level


class Width90(MomentMetric):
    """Mean width 2·z₀.₉₅·σ of the central 90% interval (sharpness)."""

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return (2 * z_of(0.9) * np.sqrt(var))[None]


class CRPS(MomentMetric):
    """Closed-form Gaussian CRPS, mean σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ."""

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        sd = np.sqrt(var)
        z = (y - mean) / sd
        pdf = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        return (sd * (z * (2 * ndtr(z) - 1) + 2 * pdf - 1 / math.sqrt(math.pi)))[None]


class ENCE(ArrayMetric):
    """Expected normalised calibration error over σ bins (Levi et al., 2022).

    Examples are sorted by σ and cut into ``n_bins`` equal-count bins (fewer when
    n < n_bins); ENCE = mean over bins of |RMV − RMSE| / RMV with RMV the root mean
    predicted variance and RMSE the root mean squared error of the bin. Errors of
    examples with tied σ are averaged first so bin boundaries inside a tie do not
    depend on input order.

    Parameters
    ----------
    n_bins : int
        Number of σ bins.
    """

    table: ClassVar[str | None] = "calibration"
    label: ClassVar[str] = "ENCE"
    table_order: ClassVar[int] = 2

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def __init__(self, n_bins: int = 10) -> None:
        self.n_bins = n_bins

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        n = y.shape[-1]
        vs, err2 = sort_tie_averaged(var, (y - mean) ** 2)
        nb = max(1, min(int(self.n_bins), n))
        starts = np.unique((np.arange(nb) * n) // nb)
        counts = np.diff(np.append(starts, n))
        mv = np.add.reduceat(vs, starts, axis=-1) / counts
        mse = np.add.reduceat(err2, starts, axis=-1) / counts
        return _ence(mv, mse)

    def prepare(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> tuple[Presorted, Array, Array]:
        """Sort by σ² once; resamples are then example counts (see ``_resample``)."""
        ps = Presorted.of(var)
        return ps, ps.sort((y - mean) ** 2), ps.sort(var)

    def resampled(self, state: tuple[Presorted, Array, Array], idx: Array) -> Array:
        ps, err2, vs = state
        n = idx.shape[1]
        counts = ps.counts(idx)
        err_curve = GroupCurve.of(*ps.groups(counts, err2))
        var_curve = GroupCurve.of(*ps.groups(counts, vs))
        nb = max(1, min(int(self.n_bins), n))
        edges = np.unique(np.append((np.arange(nb) * n) // nb, n))
        e = np.stack([err_curve.prefix(int(t)) for t in edges], axis=1)
        v = np.stack([var_curve.prefix(int(t)) for t in edges], axis=1)
        size = np.diff(edges)
        return _ence(np.diff(v, axis=1) / size, np.diff(e, axis=1) / size)


def _ence(mv: Array, mse: Array) -> Array:
    """ENCE from per-bin mean variance and MSE, (B, bins) -> (B,)."""
    rmv = np.sqrt(mv)
    return (np.abs(rmv - np.sqrt(mse)) / rmv).mean(axis=-1)


def observed_coverage(y: Array, mean: Array, var: Array) -> Array:
    """Observed coverage at each nominal level of :data:`LEVELS`.

    Parameters
    ----------
    y, mean, var : numpy.ndarray, shape (B, n)

    Returns
    -------
    numpy.ndarray, float64, shape (B, 99)
    """
    return _coverage_of_bins(_level_bins(y, mean, var))


def _level_bins(y: Array, mean: Array, var: Array) -> Array:
    """Bin i holds |z| in (z_{i-1}, z_i]: covered at levels i and above; int, same shape."""
    return np.searchsorted(z_of(LEVELS), np.abs(y - mean) / np.sqrt(var), side="left")


def _coverage_of_bins(bins: Array) -> Array:
    # One histogram per row instead of 99 comparisons keeps this linear in n.
    b, n = bins.shape
    k = len(LEVELS) + 1
    hist = np.bincount((bins + k * np.arange(b)[:, None]).ravel(), minlength=b * k)
    return np.cumsum(hist.reshape(b, k), axis=-1)[:, :-1] / n


def _area(observed: Array) -> Array:
    """Trapezoid area of |observed − nominal| over the levels, (B, 99) -> (B,)."""
    return np.trapezoid(np.abs(observed - LEVELS), LEVELS, axis=-1)


class MiscalibrationArea(ArrayMetric):
    """Area between observed and nominal central-interval coverage.

    Trapezoid integral of |observed(p) − p| over nominal levels p = 0.01 … 0.99;
    0 is calibrated, at most 0.49. Also gives the reliability curve.
    """

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        return _area(observed_coverage(y, mean, var))

    def prepare(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        """Each example's coverage bin, computed once for all resamples."""
        return _level_bins(y, mean, var)

    def resampled(self, state: Array, idx: Array) -> Array:
        return _area(_coverage_of_bins(state[idx]))

    def curve(self, data: SeqDataset, pred: Prediction) -> pd.DataFrame:
        """Reliability curve: columns ``curve`` ("reliability"), ``x`` nominal, ``y`` observed."""
        a = validate(self._label(), y=data.y, mean=pred.mean, var=pred.var)
        obs = observed_coverage(a["y"][None], a["mean"][None], a["var"][None])[0]  # type: ignore[index]
        return pd.DataFrame({"curve": "reliability", "x": LEVELS.astype(np.float64), "y": obs})
