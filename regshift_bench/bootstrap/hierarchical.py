"""Seed-aware resampling and multiple testing for the leaderboard's statistics.

Hierarchical bootstrap
    A model trained with ``S`` seeds has ``S`` per-seed scores, each with ``B``
    example-level resamples (test examples drawn with replacement within the seed,
    :func:`~regshift_bench.bootstrap.paired_scores`). Resample ``b`` of the
    seed-averaged score draws ``S`` seeds with replacement and averages each drawn
    seed's resample ``b``: both training variance (between seeds) and test-sample
    variance (within a seed) reach the interval. The seed draws depend only on the
    generator and on which seeds are averaged, so two models (or two conditions)
    averaged over the same seeds share them and their difference stays paired.
Holm adjustment
    Counts over several shifts that share models and test inputs are one family:
    each test's bootstrap p-value is Holm-adjusted (step-down Bonferroni), which
    controls the family-wise error rate under any dependence between the tests.
"""

from __future__ import annotations

import numpy as np

#: Name of the resampling scheme, written into footnotes and ``leaderboard.json``.
METHOD = (
    "hierarchical bootstrap: seeds resampled with replacement, then test examples "
    "within each seed (paired across models)"
)


def seed_draws(rng: np.random.Generator, n_boot: int, n_seeds: int) -> np.ndarray:
    """(n_boot, n_seeds) seed positions drawn with replacement (all zeros for one seed)."""
    if n_seeds <= 1:
        return np.zeros((n_boot, max(n_seeds, 1)), dtype=np.int64)
    return rng.integers(0, n_seeds, size=(n_boot, n_seeds))


def seed_average(per_seed: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Resample ``b``: the mean over drawn seeds ``draws[b]`` of their resample ``b``.

    Parameters
    ----------
    per_seed : ndarray, shape (S, B)
        Example-level bootstrap samples of each seed.
    draws : ndarray, shape (B, S)
        Seed positions per resample (:func:`seed_draws`).

    Returns
    -------
    ndarray, shape (B,)
    """
    per_seed = np.asarray(per_seed, dtype=np.float64)
    cols = np.arange(per_seed.shape[1])[:, None]
    return per_seed.T[cols, draws].mean(axis=1)


def exceed_pvalue(samples: np.ndarray, threshold: float) -> float:
    """One-sided bootstrap p-value of "the value exceeds ``threshold``".

    ``(1 + #{samples <= threshold}) / (1 + B)`` over the finite samples (1 when none is).
    """
    finite = np.asarray(samples, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return 1.0
    return float((1 + np.sum(finite <= threshold)) / (1 + finite.size))


def two_sided_pvalue(samples: np.ndarray, null: float = 0.0) -> float:
    """Two-sided bootstrap p-value of "the value differs from ``null``" (at most 1)."""
    finite = np.asarray(samples, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return 1.0
    below = (1 + np.sum(finite <= null)) / (1 + finite.size)
    above = (1 + np.sum(finite >= null)) / (1 + finite.size)
    return float(min(1.0, 2 * min(below, above)))


def holm(pvalues: list[float] | np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (same order as given), each in [0, 1]."""
    p = np.asarray(pvalues, dtype=np.float64)
    m = p.size
    if not m:
        return p
    order = np.argsort(p, kind="stable")
    scaled = (m - np.arange(m)) * p[order]
    adjusted = np.minimum(1.0, np.maximum.accumulate(scaled))
    out = np.empty(m)
    out[order] = adjusted
    return out
