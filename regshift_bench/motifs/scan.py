"""Vectorised PWM scanning of both strands, and site occupancy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from regshift_bench.errors import DataError
from regshift_bench.motifs.core import Motif, MotifSet, _check_background


def _as_onehot(chunk: np.ndarray) -> np.ndarray:
    if chunk.ndim == 2:
        eye = np.vstack([np.eye(4, dtype=np.float32), np.zeros((1, 4), dtype=np.float32)])
        return eye[chunk.astype(np.intp)].transpose(0, 2, 1)
    if chunk.ndim == 3 and chunk.shape[1] == 4:
        return chunk.astype(np.float32, copy=False)
    raise DataError(f"scan: expected codes (n, L) or one-hot (n, 4, L), got shape {chunk.shape}")


def scan(
    seqs: np.ndarray,
    motifs: MotifSet | Sequence[Motif],
    background: Sequence[float] | None = None,
    *,
    pseudocount: float = 0.01,
    chunk_size: int | None = None,
) -> np.ndarray:
    """Log-odds scores of every motif at every position on both strands.

    Vectorised as one ``torch.nn.functional.conv1d`` per chunk of sequences, so
    memory is bounded by the chunk plus the returned array.

    Parameters
    ----------
    seqs : numpy.ndarray
        Codes uint8 (n, L) with A0 C1 G2 T3 N4, or one-hot float (n, 4, L).
        N (an all-zero one-hot column) contributes 0 to a score.
    motifs : MotifSet or sequence of Motif, m motifs
    background : 4 floats, optional
        A, C, G, T background frequencies for the log-odds (uniform by default).
    pseudocount : float
        See :meth:`Motif.log_odds`.
    chunk_size : int, optional
        Sequences per convolution; by default about 32 MB of work per chunk.

    Returns
    -------
    numpy.ndarray, float32, shape (n, m, P, 2)
        ``P = L - min_width + 1``; ``[..., p, 0]`` is the site starting at p on the
        forward strand, ``[..., p, 1]`` the reverse-complement site covering the same
        bases. Positions where a motif would run past the end are ``-inf``, so
        ``max``, ``exp`` and :func:`occupancy` ignore them.
    """
    import torch

    mset = motifs if isinstance(motifs, MotifSet) else MotifSet(motifs)
    if len(mset) == 0:
        raise DataError("scan: empty motif set; pass at least one motif")
    bg = tuple(_check_background(background))
    fwd, widths = mset.log_odds_stack(bg, pseudocount)
    m, wmax, wmin = len(mset), int(widths.max()), int(widths.min())
    rev = np.zeros_like(fwd)
    for j, w in enumerate(widths):
        # Reverse complement: flip positions and ACGT -> TGCA, kept left-aligned so the
        # reverse site at p covers the same bases [p, p + w) as the forward one.
        rev[j, :, :w] = fwd[j, ::-1, :w][:, ::-1]
    weight = torch.from_numpy(np.concatenate([fwd, rev]))
    seqs = np.asarray(seqs)
    n, length = seqs.shape[0], seqs.shape[-1]
    if length < wmin:
        raise DataError(f"scan: sequences of length {length} are shorter than the narrowest motif ({wmin})")
    n_pos = length - wmin + 1
    out = np.empty((n, m, n_pos, 2), dtype=np.float32)
    invalid = np.arange(n_pos)[None, :] > (length - widths)[:, None]  # (m, P)
    chunk = chunk_size or max(1, int(32e6 // (4 * (4 * length + 2 * m * n_pos))))
    with torch.no_grad():
        for start in range(0, n, chunk):
            x = torch.from_numpy(np.ascontiguousarray(_as_onehot(seqs[start : start + chunk])))
            x = torch.nn.functional.pad(x, (0, wmax - wmin))
            s = torch.nn.functional.conv1d(x, weight)  # (c, 2m, P)
            s = s.view(s.shape[0], 2, m, n_pos).permute(0, 2, 3, 1)
            out[start : start + chunk] = s.numpy()
    out[:, invalid, :] = -np.inf
    return out


def occupancy(
    scores: np.ndarray,
    threshold: float | np.ndarray = 0.0,
    scale: float = 1.0,
    reduce: str | None = "sum",
) -> np.ndarray:
    """Probability that each site is bound, ``sigmoid((score - threshold) / scale)``.

    Parameters
    ----------
    scores : numpy.ndarray, shape (n, m, P, 2)
        From :func:`scan`.
    threshold : float or numpy.ndarray of shape (m,)
        Per-TF score at which a site is half occupied (a binding free energy).
    scale : float
        Softness (nats per e-fold); smaller is closer to a hard threshold.
    reduce : {"sum", "max", None}
        ``"sum"``: expected number of bound sites per TF, (n, m); ``"max"``: the
        strongest site's occupancy, (n, m); ``None``: per site, (n, m, P, 2).

    Returns
    -------
    numpy.ndarray, float32
    """
    import torch

    if reduce not in ("sum", "max", None):
        raise DataError(f"occupancy: reduce must be 'sum', 'max' or None, got {reduce!r}")
    thr = torch.as_tensor(np.asarray(threshold, dtype=np.float32))
    if thr.ndim == 1:
        thr = thr[None, :, None, None]
    with torch.no_grad():
        occ = torch.sigmoid((torch.from_numpy(np.asarray(scores, dtype=np.float32)) - thr) / scale)
        if reduce is None:
            return occ.numpy()
        if reduce == "sum":
            return occ.sum(dim=(2, 3)).numpy()
        return occ.amax(dim=(2, 3)).numpy()
