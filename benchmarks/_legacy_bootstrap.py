"""Frozen copy of the leaderboard's bootstrap before metric plugins scored the bootstrap.

``regshift_bench/leaderboard/moments.py`` and ``resample.py`` re-implemented ten
metrics as weighted means for speed. They were deleted: the leaderboard now scores
through the metric plugins. This copy exists only so ``bench_leaderboard.py`` can
print the speed ratio of the plugin path against it on the same run; nothing in
``regshift_bench`` imports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special, stats

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]
BLOCK_ELEMENTS = 4_000_000

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
        lambda y, m, v: (0.5 * np.log(2.0 * np.pi * v) + 0.5 * (y - m) ** 2 / v)[:, None], lambda s: s[:, 0]
    ),
    "z2": MomentMetric(lambda y, m, v: ((y - m) ** 2 / v)[:, None], lambda s: s[:, 0]),
    "crps": MomentMetric(_crps_terms, lambda s: s[:, 0]),
    "pearson": MomentMetric(lambda y, m, v: np.stack([y, m, y * y, m * m, y * m], axis=1), _pearson_finish),
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
            lambda y, m, v: (np.abs(y - m) <= z * np.sqrt(v)).astype(np.float64)[:, None], lambda s: s[:, 0]
        )
    return MomentMetric(lambda y, m, v: (2.0 * z * np.sqrt(v))[:, None], lambda s: s[:, 0])


def paired_bootstrap(
    data: Mapping[str, Arrays], metric: str, *, n_boot: int, rng: np.random.Generator
) -> dict[str, tuple[float, np.ndarray]]:
    """Point value and ``n_boot`` paired bootstrap values of ``metric`` per model.

    Parameters
    ----------
    data : mapping model -> (y, mean, var)
        Aligned arrays, each of shape (n,); row i is the same example for every model.
    metric : str
        Metric name.
    n_boot : int
        Number of resamples B.
    rng : numpy.random.Generator
        Source of the resampled indices (shared by all models).

    Returns
    -------
    dict model -> (point, samples of shape (B,))
    """
    models = list(data)
    n = len(next(iter(data.values()))[0])
    moment = moment_metric(metric)
    block = max(1, min(n_boot, BLOCK_ELEMENTS // max(n, 1)))
    if moment is not None:
        terms = [moment.terms(*data[m]) for m in models]
        widths = [t.shape[1] for t in terms]
        stacked = np.hstack(terms)  # (n, sum k): one product serves every model
        edges = np.cumsum([0, *widths])
        points = stacked.mean(axis=0, keepdims=True)
        out_point = {m: float(moment.finish(points[:, edges[i] : edges[i + 1]])[0]) for i, m in enumerate(models)}
        parts: dict[str, list[np.ndarray]] = {m: [] for m in models}
        for start in range(0, n_boot, block):
            b = min(block, n_boot - start)
            idx = rng.integers(0, n, size=(b, n))
            counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n)
            means = (counts.reshape(b, n).astype(np.float64) @ stacked) / n
            for i, m in enumerate(models):
                parts[m].append(moment.finish(means[:, edges[i] : edges[i + 1]]))
        return {m: (out_point[m], np.concatenate(parts[m])) for m in models}
    import regshift_bench

    batched = regshift_bench.get_plugin("metric", metric).batched
    result: dict[str, tuple[float, list[np.ndarray]]] = {
        m: (float(np.asarray(batched(*(a[None, :] for a in data[m])))[0]), []) for m in models
    }
    for start in range(0, n_boot, block):
        idx = rng.integers(0, n, size=(min(block, n_boot - start), n))
        for m in models:
            y, mean, var = data[m]
            result[m][1].append(np.asarray(batched(y[idx], mean[idx], var[idx]), dtype=np.float64))
    return {m: (p, np.concatenate(s)) for m, (p, s) in result.items()}
