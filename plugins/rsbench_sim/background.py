"""Mechanism 1, background sequence: per-sequence GC and a 0- or 1st-order Markov chain."""

from __future__ import annotations

import numpy as np

from rsbench_sim.config import SimConfig


def draw_gc(config: SimConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    """Per-sequence GC fraction (n,) ~ Beta with mean ``gc_mean`` and sd ``gc_sd``.

    Models the regional GC variation of genomic fragments (isochores): each
    sequence has its own base composition around the domain's mean.
    """
    mean, sd = config.gc_mean, config.gc_sd
    if sd <= 0:
        return np.full(n, mean)
    # Method of moments; cap the variance so both Beta parameters stay positive.
    var = min(sd * sd, 0.9 * mean * (1 - mean))
    nu = mean * (1 - mean) / var - 1
    return rng.beta(mean * nu, (1 - mean) * nu, size=n)


def transition_matrices(gc: np.ndarray, cpg_ratio: float, order: int) -> np.ndarray:
    """Base probabilities (n, 4, 4): row ``prev`` gives P(next | prev) for each sequence.

    Order 0 repeats the composition ``(1-gc)/2, gc/2, gc/2, (1-gc)/2`` in every row.
    Order 1 scales P(G | C) by ``cpg_ratio``, the CpG depletion of vertebrate DNA
    (methylated C deaminates to T), which makes dinucleotide statistics differ
    from the base composition. The removed mass goes to C after C, so every row
    keeps P(G or C) = gc and the stationary GC content stays ``gc``.
    """
    comp = np.stack([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2], axis=1)  # (n, 4)
    trans = np.repeat(comp[:, None, :], 4, axis=1)
    if order == 1:
        removed = trans[:, 1, 2] * (1.0 - cpg_ratio)
        trans[:, 1, 2] -= removed
        trans[:, 1, 1] += removed
    return trans


def background(config: SimConfig, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw n background sequences.

    Returns
    -------
    seqs : numpy.ndarray, uint8, shape (n, L)
    gc_target : numpy.ndarray, float64, shape (n,)
        The composition parameter each sequence was drawn with.
    """
    gc = draw_gc(config, n, rng)
    cum = np.cumsum(transition_matrices(gc, config.cpg_ratio, config.markov_order), axis=2)
    cum[..., -1] = 1.0  # guard against rounding leaving a gap above the last base
    u = rng.random((n, config.seq_len))
    rows = np.arange(n)
    seqs = np.empty((n, config.seq_len), dtype=np.uint8)
    # The first base uses the composition (row A of order 0 equals every row).
    first = np.cumsum(transition_matrices(gc, 1.0, 0)[:, 0], axis=1)
    seqs[:, 0] = (u[:, :1] > first[:, :3]).sum(axis=1)
    for t in range(1, config.seq_len):
        c = cum[rows, seqs[:, t - 1], :3]
        seqs[:, t] = (u[:, t : t + 1] > c).sum(axis=1)
    return seqs, gc
