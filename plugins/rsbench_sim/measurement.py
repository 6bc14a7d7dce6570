"""Mechanism 8, measurement: MPRA DNA and RNA counts with negative-binomial noise.

Each element has a library abundance (log-normal, mean 1) and is measured in one
batch. Expected counts are ``dna_mean = depth * abundance`` and
``rna_mean = rna_depth * abundance * 2**y_true``, where the noise-free measured
activity ``y_true = activity + batch_offset[b] + batch_gc_bias[b] * (gc - gc_ref)``
includes the batch's systematic bias (so ``y - y_true`` is pure sampling noise).
Counts are negative binomial (Poisson sampling of a Gamma-distributed molecule
count: the technical overdispersion of PCR and transfection); the measured activity
is ``y = log2((R + a) / (D + a)) - log2(rna_depth / depth)``.

The noise is heteroscedastic by construction: weak or rare elements have few reads.
``noise_var`` is the exact variance of y given the expected counts, from the exact
variance of ``log(X + a)`` for a negative-binomial X (tabulated per dispersion by
summing the pmf; at very high counts the Gamma limit ``trigamma(k) + 1/mu``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special, stats

from rsbench_sim.config import SimConfig

_LN2SQ = np.log(2.0) ** 2
_MU_GRID = np.logspace(-3, 4, 141)


@lru_cache(maxsize=64)
def _log_var_table(k: float, a: float) -> np.ndarray:
    """Var[log(X + a)] for X ~ NB(mean mu, size k) at each mu of ``_MU_GRID``."""
    out = np.empty(len(_MU_GRID))
    for i, mu in enumerate(_MU_GRID):
        p = k / (k + mu)
        hi = int(stats.nbinom.ppf(1 - 1e-12, k, p)) + 2
        x = np.arange(hi)
        w = stats.nbinom.pmf(x, k, p)
        w /= w.sum()
        lx = np.log(x + a)
        m1 = (w * lx).sum()
        out[i] = (w * (lx - m1) ** 2).sum()
    return out


def log_count_var(mu: np.ndarray, k: float, a: float) -> np.ndarray:
    """Var[log(X + a)] (nats^2) for X ~ NB(mu, k), elementwise over mu (any shape)."""
    mu = np.asarray(mu, dtype=np.float64)
    table = _log_var_table(float(k), float(a))
    inside = np.interp(np.log(np.clip(mu, _MU_GRID[0], _MU_GRID[-1])), np.log(_MU_GRID), table)
    # Beyond the grid the count is effectively Gamma(k) plus Poisson sampling noise.
    beyond = special.polygamma(1, k) + 1.0 / np.maximum(mu, 1.0)
    return np.where(mu > _MU_GRID[-1], beyond, inside)


def design(config: SimConfig, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per-element measurement design: batch index (n,) and library abundance (n,)."""
    batch = rng.integers(0, len(config.batches), size=n)
    sd = config.abundance_sd
    abundance = rng.lognormal(-sd * sd / 2, sd, size=n)
    return batch, abundance


def expected(
    config: SimConfig, activity: np.ndarray, gc: np.ndarray, batch: np.ndarray, abundance: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noise-free measured activity and expected counts.

    Returns
    -------
    y_true, dna_mean, rna_mean : numpy.ndarray, shape (n,) each
    """
    offset = np.asarray(config.batch_offset)[batch]
    gc_bias = np.asarray(config.batch_gc_bias)[batch] * (gc - config.gc_ref)
    y_true = activity + offset + gc_bias
    dna_mean = config.depth * abundance
    rna_mean = config.rna_depth * abundance * np.exp2(y_true)
    return y_true, dna_mean, rna_mean


def noise_variance(
    dna_mean: np.ndarray, rna_mean: np.ndarray, dna_k: float, rna_k: float, pseudocount: float
) -> np.ndarray:
    """Exact Var[y] (log2 units squared) given expected counts; shape like the inputs."""
    v = log_count_var(dna_mean, dna_k, pseudocount) + log_count_var(rna_mean, rna_k, pseudocount)
    return v / _LN2SQ


def draw_counts(mean: np.ndarray, k: float, rng: np.random.Generator) -> np.ndarray:
    """Negative-binomial counts as a Gamma-Poisson mixture (n,) int64."""
    return rng.poisson(rng.gamma(k, np.asarray(mean) / k))


def measure(
    dna_mean: np.ndarray,
    rna_mean: np.ndarray,
    dna_k: float,
    rna_k: float,
    pseudocount: float,
    depth_ratio: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One MPRA measurement of every element.

    Parameters
    ----------
    dna_mean, rna_mean : numpy.ndarray, shape (n,)
    depth_ratio : float
        ``rna_depth / depth``, divided out so activity 0 measures as y = 0.

    Returns
    -------
    y : numpy.ndarray, float64, shape (n,)
    dna, rna : numpy.ndarray, int64, shape (n,)
    """
    r_dna, r_rna = rng.spawn(2)
    dna = draw_counts(dna_mean, dna_k, r_dna)
    rna = draw_counts(rna_mean, rna_k, r_rna)
    y = np.log2((rna + pseudocount) / (dna + pseudocount)) - np.log2(depth_ratio)
    return y, dna, rna
