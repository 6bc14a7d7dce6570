"""Canonical k-mer counting (a k-mer and its reverse complement share one column)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def canonical_map(k: int) -> tuple[np.ndarray, int]:
    """Map each of the 4**k k-mer indices to a canonical column; return (map, n_columns)."""
    idx = np.arange(4**k)
    digits = (idx[:, None] // 4 ** np.arange(k - 1, -1, -1)) % 4  # (4**k, k), A0 C1 G2 T3
    rc = ((3 - digits[:, ::-1]) * 4 ** np.arange(k - 1, -1, -1)).sum(1)
    canon = np.minimum(idx, rc)
    _, cols = np.unique(canon, return_inverse=True)
    return cols.astype(np.int64), int(cols.max()) + 1


def kmer_counts(codes: np.ndarray, ks: tuple[int, ...]) -> np.ndarray:
    """Canonical k-mer counts of each sequence.

    Parameters
    ----------
    codes : numpy.ndarray, uint8, (n, L)
        A0 C1 G2 T3 N4; windows containing N (padding included) are not counted.
    ks : tuple of int

    Returns
    -------
    numpy.ndarray, float32, (n, sum of canonical columns per k)
        For k = 1..6: 2 + 10 + 32 + 136 + 512 + 2080 = 2772 columns.
    """
    n, length = codes.shape
    codes = codes.astype(np.int64)
    blocks = []
    for k in ks:
        cols, width = canonical_map(k)
        out = np.zeros((n, width), dtype=np.float32)
        if length >= k:
            windows = length - k + 1
            idx = np.zeros((n, windows), dtype=np.int64)
            valid = np.ones((n, windows), dtype=bool)
            for j in range(k):
                part = codes[:, j : j + windows]
                idx = idx * 4 + np.minimum(part, 3)
                valid &= part < 4
            rows = np.broadcast_to(np.arange(n)[:, None], idx.shape)[valid]
            flat = rows * width + cols[idx[valid]]
            out = np.bincount(flat, minlength=n * width).reshape(n, width).astype(np.float32)
        blocks.append(out)
    return np.concatenate(blocks, axis=1)
