"""Metrics written as weighted means of per-example terms, for fast bootstraps.

A bootstrap resample of ``n`` examples is the same thing as integer weights
``w`` (how often each example was drawn, ``sum(w) == n``). Every metric here is a
function of a few weighted means of per-example terms, so ``B`` resamples of ``M``
models cost one matrix product ``W (B, n) @ X (n, k*M)`` instead of ``B*M``
gathers. The definitions follow the built-in metrics (issue 5): squared error
risk, Gaussian NLL, central-interval coverage, closed-form Gaussian CRPS.

Metrics not listed here (rank correlations, AURC, ENCE, ...) are bootstrapped by
gathering resampled arrays and calling the metric plugin's ``batched`` method
(see :mod:`regshift_bench.leaderboard.resample`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special, stats

Array = np.ndarray


@dataclass(frozen=True)
class MomentMetric:
    """A metric computed from weighted means of per-example terms.

    Attributes
    ----------
    terms : callable
        ``terms(y, mean, var) -> (n, k)`` per-example terms.
    finish : callable
        ``finish(M) -> (B,)`` from the weighted means ``M`` of shape (B, k).
    """

    terms: Callable[[Array, Array, Array], Array]
    finish: Callable[[Array], Array]


@lru_cache(maxsize=256)
def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2.0))


def _crps_terms(y: Array, mean: Array, var: Array) -> Array:
    sd = np.sqrt(var)
    z = (y - mean) / sd
    crps = sd * (z * special.erf(z / np.sqrt(2.0)) + 2.0 * stats.norm.pdf(z) - 1.0 / np.sqrt(np.pi))
    return crps[:, None]


def _pearson_finish(m: Array) -> Array:
    vy = m[:, 2] - m[:, 0] ** 2
    vm = m[:, 3] - m[:, 1] ** 2
    cov = m[:, 4] - m[:, 0] * m[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / np.sqrt(vy * vm)


def _r2_finish(m: Array) -> Array:
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - m[:, 2] / (m[:, 1] - m[:, 0] ** 2)


_FIXED: dict[str, MomentMetric] = {
    "mse": MomentMetric(lambda y, m, v: ((y - m) ** 2)[:, None], lambda s: s[:, 0]),
    "rmse": MomentMetric(lambda y, m, v: ((y - m) ** 2)[:, None], lambda s: np.sqrt(s[:, 0])),
    "mae": MomentMetric(lambda y, m, v: np.abs(y - m)[:, None], lambda s: s[:, 0]),
    "nll": MomentMetric(
        lambda y, m, v: (0.5 * np.log(2.0 * np.pi * v) + 0.5 * (y - m) ** 2 / v)[:, None],
        lambda s: s[:, 0]),
    "z2": MomentMetric(lambda y, m, v: ((y - m) ** 2 / v)[:, None], lambda s: s[:, 0]),
    "crps": MomentMetric(_crps_terms, lambda s: s[:, 0]),
    "pearson": MomentMetric(
        lambda y, m, v: np.stack([y, m, y * y, m * m, y * m], axis=1), _pearson_finish),
    "r2": MomentMetric(lambda y, m, v: np.stack([y, y * y, (y - m) ** 2], axis=1), _r2_finish),
}

_LEVEL = re.compile(r"^(coverage|width)_(\d{1,2})$")


def moment_metric(name: str) -> MomentMetric | None:
    """The moment form of metric ``name``, or None when it has none.

    ``coverage_XX`` is the fraction of ``y`` inside ``mean ± z·sd`` of the central
    XX% Gaussian interval; ``width_XX`` the mean width of that interval.
    """
    if name in _FIXED:
        return _FIXED[name]
    match = _LEVEL.match(name)
    if not match:
        return None
    z = _z(int(match.group(2)) / 100.0)
    if match.group(1) == "coverage":
        return MomentMetric(
            lambda y, m, v: (np.abs(y - m) <= z * np.sqrt(v)).astype(np.float64)[:, None],
            lambda s: s[:, 0])
    return MomentMetric(lambda y, m, v: (2.0 * z * np.sqrt(v))[:, None], lambda s: s[:, 0])


def point_value(name: str, y: Array, mean: Array, var: Array) -> float:
    """Metric ``name`` on the full arrays (n,); NaN when it has no moment form."""
    metric = moment_metric(name)
    if metric is None:
        return float("nan")
    terms = metric.terms(y, mean, var)
    return float(metric.finish(terms.mean(axis=0, keepdims=True))[0])
