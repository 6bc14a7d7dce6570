"""Dinucleotide-preserving shuffles: the references of DeepLIFT-SHAP for genomics.

A shuffle keeps every dinucleotide count of the sequence (and so its base
composition and first and last base) while destroying motifs, which makes it a
"nothing of interest here" reference that still looks like DNA. The walk follows
the Kundaje lab's ``dinuc_shuffle`` (used with DeepSHAP / TF-MoDISco): the
out-edges of each base are shuffled except its last one, which stays fixed; those
last edges form a tree into the final base, so the walk is an Eulerian path and
uses every dinucleotide exactly once.
"""

from __future__ import annotations

import numpy as np


def dinuc_shuffle(seq: np.ndarray, rng: np.random.Generator, n: int = 1) -> np.ndarray:
    """``n`` dinucleotide-shuffled copies of one code sequence.

    Parameters
    ----------
    seq : numpy.ndarray, uint8, shape (L,)
        Codes (A=0 C=1 G=2 T=3 N=4); N takes part like a fifth letter.
    rng : numpy.random.Generator
    n : int

    Returns
    -------
    numpy.ndarray, uint8, shape (n, L)
    """
    seq = np.asarray(seq, dtype=np.uint8)
    length = seq.shape[0]
    out = np.empty((n, length), dtype=np.uint8)
    if length < 3:
        out[:] = seq
        return out
    # For each letter: the positions that follow one of its occurrences (its out-edges).
    nexts = {int(t): np.flatnonzero(seq[:-1] == t) + 1 for t in np.unique(seq[:-1])}
    for i in range(n):
        order = {}
        for t, idx in nexts.items():
            perm = np.arange(len(idx))
            perm[:-1] = rng.permutation(len(idx) - 1)  # the last out-edge stays last
            order[t] = seq[idx[perm]]
        counters = dict.fromkeys(nexts, 0)
        row = out[i]
        row[0] = prev = int(seq[0])
        for j in range(1, length):
            nxt = int(order[prev][counters[prev]])
            counters[prev] += 1
            row[j] = prev = nxt
    return out


def dinuc_shuffle_batch(seqs: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` shuffles of every row: codes (B, L) -> (B, n, L), one child stream per row."""
    seqs = np.asarray(seqs, dtype=np.uint8)
    children = rng.spawn(len(seqs))
    return (
        np.stack([dinuc_shuffle(s, r, n) for s, r in zip(seqs, children)])
        if len(seqs)
        else np.empty((0, n, seqs.shape[1]), dtype=np.uint8)
    )


def dinuc_counts(seq: np.ndarray, alphabet: int = 5) -> np.ndarray:
    """Dinucleotide counts (alphabet, alphabet) of a code sequence (L,)."""
    seq = np.asarray(seq, dtype=np.int64)
    counts = np.zeros((alphabet, alphabet), dtype=np.int64)
    np.add.at(counts, (seq[:-1], seq[1:]), 1)
    return counts
