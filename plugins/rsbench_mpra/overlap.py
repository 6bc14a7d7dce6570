"""Shared k-mers between sequences: leakage checks and overlap groups.

Two sequences that share a long k-mer (default k = 40) overlap in the genome (Sharpr
tiles of neighbouring regions) or are one element in two orientations; if they land
in different splits a model can memorise the test label. :func:`kmer_hashes` hashes
every canonical k-mer (a k-mer and its reverse complement hash alike) and
:func:`overlap_components` merges groups that share one into a single component.
"""

from __future__ import annotations

import numpy as np

K = 40
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio): mixes halves


def _codes(seqs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(64-bit code of every forward window (n, W), valid (n, W)); W = L - k + 1.

    Windows are split into two halves of at most 32 bases (2 bits per base); the
    halves are mixed by multiply-add, so codes are a 64-bit hash of the k-mer
    (collisions ~ N^2 / 2^64, negligible at these sizes).
    """
    n, length = seqs.shape
    w = length - k + 1
    if w <= 0:
        return np.zeros((n, 0), np.uint64), np.zeros((n, 0), bool)
    s = seqs.astype(np.uint64)
    valid = np.ones((n, w), dtype=bool)
    first, second = np.zeros((n, w), np.uint64), np.zeros((n, w), np.uint64)
    half = k // 2
    for j in range(k):
        col = s[:, j : j + w]
        valid &= col < 4
        target = first if j < half else second
        target <<= np.uint64(2)
        target |= np.minimum(col, np.uint64(3))
    with np.errstate(over="ignore"):
        return first * _MULT + second, valid


def kmer_hashes(seqs: np.ndarray, k: int = K) -> tuple[np.ndarray, np.ndarray]:
    """Canonical k-mer hashes of every row.

    Parameters
    ----------
    seqs : numpy.ndarray, uint8 (n, L)
        Codes A=0 C=1 G=2 T=3 N=4; windows containing N are skipped.
    k : int

    Returns
    -------
    hashes, rows : numpy.ndarray, uint64 (m,) and int64 (m,)
        One entry per valid window: its canonical hash and the row it came from.
    """
    fwd, ok = _codes(seqs, k)
    rc_seqs = np.where(seqs < 4, 3 - seqs, 4)[:, ::-1].astype(np.uint8)
    rev, ok_rev = _codes(rc_seqs, k)
    rev = rev[:, ::-1]  # window i of the reverse complement covers forward window W-1-i
    canon = np.minimum(fwd, rev)
    rows = np.broadcast_to(np.arange(len(seqs))[:, None], canon.shape)
    keep = ok & ok_rev[:, ::-1]
    return canon[keep], rows[keep].astype(np.int64)


def shared_kmers(a: np.ndarray, b: np.ndarray, k: int = K) -> int:
    """How many distinct canonical k-mers occur in both ``a`` (n, L) and ``b`` (m, L')."""
    return int(len(np.intersect1d(kmer_hashes(a, k)[0], kmer_hashes(b, k)[0])))


def overlap_components(seqs: np.ndarray, groups: np.ndarray, k: int = K) -> np.ndarray:
    """Merge groups whose sequences share a canonical k-mer; a component id per row.

    Parameters
    ----------
    seqs : numpy.ndarray, uint8 (n, L)
    groups : numpy.ndarray, (n,)
        Existing group labels (rows of one group are already together).

    Returns
    -------
    numpy.ndarray, int64 (n,)
        Component of each row: the smallest group code in its connected component.
    """
    codes = np.unique(groups, return_inverse=True)[1].astype(np.int64)
    parent = np.arange(codes.max() + 1 if len(codes) else 0)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    hashes, rows = kmer_hashes(seqs, k)
    order = np.argsort(hashes, kind="stable")
    h, g = hashes[order], codes[rows[order]]
    # Consecutive equal hashes from different groups join those groups.
    same = (h[1:] == h[:-1]) & (g[1:] != g[:-1])
    for a, b in zip(g[:-1][same], g[1:][same]):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(int(c)) for c in codes], dtype=np.int64)


def locus_labels(seqs: np.ndarray, groups: np.ndarray, k: int = K) -> np.ndarray:
    """Group labels (n,) widened to overlap components: each row gets the smallest
    label of the groups its component joins (unchanged for groups sharing no k-mer)."""
    labels = np.asarray(groups).astype(str)
    comp = overlap_components(seqs, labels, k)
    smallest: dict[int, str] = {}
    for c, lab in zip(comp.tolist(), labels.tolist()):
        if c not in smallest or lab < smallest[c]:
            smallest[c] = lab
    return np.array([smallest[c] for c in comp.tolist()], dtype=object)
