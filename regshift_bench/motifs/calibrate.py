"""Per-matrix calibration: exact score distributions, p-value thresholds, flank trimming.

A fixed margin below each matrix's best score (``max_score - 4``) means very
different things for a 6-bp degenerate motif and a 19-bp CTCF matrix: the wide,
informative matrix demands a near-perfect site while the short one fires everywhere.
A p-value threshold on background, as FIMO (Grant et al. 2011) sets it, gives every
matrix the same false-positive rate per position instead. The score distribution of
a random site is computed exactly by dynamic programming over the matrix columns
(convolving each column's score distribution under the background base
frequencies, on a fine score grid; Staden 1989, Touzet & Varré 2007).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from regshift_bench.errors import DataError
from regshift_bench.motifs.core import Motif, MotifSet, _check_background

#: Score grid (nats) of the exact distribution; the threshold is exact up to
#: ``width * RESOLUTION / 2``.
RESOLUTION = 0.01
_UNIFORM = (0.25, 0.25, 0.25, 0.25)


def score_distribution(
    motif: Motif, background: Sequence[float] = _UNIFORM, pseudocount: float = 0.01, resolution: float = RESOLUTION
) -> tuple[np.ndarray, np.ndarray]:
    """Exact distribution of a random site's log-odds score (both from ``background``).

    Parameters
    ----------
    motif : Motif, width w
    background : 4 floats
        A, C, G, T frequencies: of the log-odds and of the random site's bases.
    pseudocount : float
        As :meth:`Motif.log_odds`.
    resolution : float
        Grid step (nats).

    Returns
    -------
    scores, probs : numpy.ndarray, shape (k,) each
        Grid scores in increasing order and their probabilities (sum 1).
    """
    bg = _check_background(background)
    lo = np.rint(motif.log_odds(tuple(bg), pseudocount) / resolution).astype(np.int64)  # (w, 4)
    dist = np.ones(1)
    for row in lo:
        step = np.zeros(int(row.max() - row.min()) + 1)
        np.add.at(step, row - row.min(), bg)
        dist = np.convolve(dist, step)
    scores = (np.arange(len(dist)) + int(lo.min(axis=1).sum())) * resolution
    return scores, dist


def pvalue_threshold(
    motif: Motif, pvalue: float, background: Sequence[float] = _UNIFORM, pseudocount: float = 0.01
) -> float:
    """The smallest score whose upper tail under background is at most ``pvalue``.

    A site scoring at least this is called at p <= ``pvalue`` per position and
    strand, as FIMO's ``--thresh``. When even the best site is more likely than
    ``pvalue`` (a short, degenerate matrix), the best score is returned.

    Raises
    ------
    DataError
        ``pvalue`` outside (0, 1).
    """
    if not 0.0 < pvalue < 1.0:
        raise DataError(f"p-value threshold must be in (0, 1), got {pvalue}")
    scores, probs = score_distribution(motif, background, pseudocount)
    tail = np.cumsum(probs[::-1])[::-1]  # P(S >= scores[i])
    ok = np.flatnonzero(tail <= pvalue)
    return float(scores[ok[0]] if len(ok) else scores[-1])


def information(motif: Motif) -> np.ndarray:
    """Information content (bits) of each column against a uniform background, (w,)."""
    p = np.clip(motif.pwm, 1e-12, 1.0)
    return 2.0 + (p * np.log2(p)).sum(axis=1)


def trim_flanks(motif: Motif, min_bits: float = 0.25, min_width: int = 4) -> Motif:
    """The motif without low-information columns at either end.

    Columns are dropped from each end while their information is below
    ``min_bits`` and more than ``min_width`` columns remain; interior columns are
    kept (a spacer belongs to the site).
    """
    ic = information(motif)
    a, b = 0, motif.width
    while b - a > min_width and ic[a] < min_bits:
        a += 1
    while b - a > min_width and ic[b - 1] < min_bits:
        b -= 1
    return motif if (a, b) == (0, motif.width) else Motif(motif.name, motif.id, motif.pwm[a:b])


def trimmed(motifs: MotifSet, min_bits: float = 0.25) -> MotifSet:
    """:func:`trim_flanks` of every motif of a set."""
    return MotifSet([trim_flanks(m, min_bits) for m in motifs], source=motifs.source)
