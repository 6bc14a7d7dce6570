"""Mechanism 3, motif planting: Poisson-many sites per TF, bases drawn from a PWM."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rsbench_sim.config import SimConfig


class Site(NamedTuple):
    """One planted site, as recorded in ``meta["sites"]``."""

    tf: str
    start: int
    strand: str  # "+" or "-"


def plant(config: SimConfig, seqs: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list[list[Site]]]:
    """Plant TF sites into background sequences (a copy is returned).

    Each TF j gets ``Poisson(site_rate[j])`` sites per sequence at uniform start
    positions and strands; bases are sampled position by position from the
    planting PWM (``config.planted_motifs``) and reverse-complemented on ``-``.
    TFs are planted in motif order, so a later site may overwrite part of an
    earlier one; binding is scored on the final sequence, so the record stays
    honest about where sites were *placed* while occupancy reflects what is there.

    Parameters
    ----------
    seqs : numpy.ndarray, uint8, shape (n, L)

    Returns
    -------
    seqs : numpy.ndarray, uint8, shape (n, L)
    sites : list of list of Site, length n
    """
    out = seqs.copy()
    n, length = seqs.shape
    motifs = config.planted_motifs
    counts = rng.poisson(np.asarray(config.site_rate)[None, :], size=(n, len(motifs)))
    records: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
    for j, motif in enumerate(motifs):
        k = int(counts[:, j].sum())
        if k == 0:
            continue
        w = motif.width
        row = np.repeat(np.arange(n), counts[:, j])
        start = rng.integers(0, length - w + 1, size=k)
        minus = rng.random(k) < 0.5
        cum = np.cumsum(motif.pwm, axis=1)[:, :3]  # (w, 3)
        bases = (rng.random((k, w, 1)) > cum[None]).sum(axis=2).astype(np.uint8)
        bases[minus] = 3 - bases[minus, ::-1]
        out[row[:, None], start[:, None] + np.arange(w)[None, :]] = bases
        records.append((row, start, minus, j))
    sites: list[list[Site]] = [[] for _ in range(n)]
    names = motifs.names
    for row, start, minus, j in records:
        for r, s, mi in zip(row.tolist(), start.tolist(), minus.tolist()):
            sites[r].append(Site(names[j], s, "-" if mi else "+"))
    return out, sites
