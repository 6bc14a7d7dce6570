"""Paired bootstrap of one metric for several models on the same test examples.

All models of a group see the same resampled indices (a paired bootstrap), so
differences between models keep their correlation and tie decisions are sharp.
Moment metrics (:mod:`~regshift_bench.leaderboard.moments`) use resampling
weights and one matrix product; any other metric is resampled by gathering and
evaluated with its plugin's vectorised ``batched(y, mean, var)`` over (B, n).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

from regshift_bench.errors import RegshiftError
from regshift_bench.leaderboard.moments import moment_metric

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]
#: Elements of one (resamples x examples) block; bounds memory for large test sets.
BLOCK_ELEMENTS = 4_000_000


class BootstrapUnavailable(RegshiftError):
    """The metric has neither a moment form nor a plugin with ``batched``."""


def group_rng(random_state: int, *parts: object) -> np.random.Generator:
    """A generator for one resampling group, independent of which other groups exist."""
    words = [zlib.crc32(repr(p).encode()) for p in parts]
    return np.random.default_rng(np.random.SeedSequence([int(random_state), *words]))


def _batched(metric: str):  # type: ignore[no-untyped-def]
    """``f(y, mean, var) -> (B,)`` on (B, n) arrays, from the metric's plugin."""
    try:
        from regshift_bench.bootstrap import batched_function

        return batched_function(metric)
    except ImportError:  # an rsbench without the bootstrap module: use the plugin directly
        pass
    except RegshiftError as exc:
        raise BootstrapUnavailable(f"metric {metric!r} cannot be bootstrapped: {exc}") from exc
    try:
        import regshift_bench

        plugin = regshift_bench.get_plugin("metric", metric)
    except RegshiftError as exc:
        raise BootstrapUnavailable(f"metric {metric!r} cannot be bootstrapped: {exc}") from exc
    batched = getattr(plugin, "batched", None)
    if batched is None:
        raise BootstrapUnavailable(f"metric {metric!r} has no vectorised `batched` method; "
                                   "choose a moment metric (mse, rmse, mae, pearson, r2, nll, ...)")
    return batched


def paired_bootstrap(data: Mapping[str, Arrays], metric: str, *, n_boot: int,
                     rng: np.random.Generator) -> dict[str, tuple[float, np.ndarray]]:
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
        out_point = {m: float(moment.finish(points[:, edges[i]:edges[i + 1]])[0])
                     for i, m in enumerate(models)}
        parts: dict[str, list[np.ndarray]] = {m: [] for m in models}
        for start in range(0, n_boot, block):
            b = min(block, n_boot - start)
            idx = rng.integers(0, n, size=(b, n))
            counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n)
            means = (counts.reshape(b, n).astype(np.float64) @ stacked) / n
            for i, m in enumerate(models):
                parts[m].append(moment.finish(means[:, edges[i]:edges[i + 1]]))
        return {m: (out_point[m], np.concatenate(parts[m])) for m in models}
    batched = _batched(metric)
    result: dict[str, tuple[float, list[np.ndarray]]] = {
        m: (float(np.asarray(batched(*(a[None, :] for a in data[m])))[0]), []) for m in models}
    for start in range(0, n_boot, block):
        idx = rng.integers(0, n, size=(min(block, n_boot - start), n))
        for m in models:
            y, mean, var = data[m]
            result[m][1].append(np.asarray(batched(y[idx], mean[idx], var[idx]), dtype=np.float64))
    return {m: (p, np.concatenate(s)) for m, (p, s) in result.items()}
