"""Fast bootstrap paths for rank-based metrics: resamples as example counts.

A bootstrap resample only repeats examples of the full sample, so its sorted
order is the full sample's sorted order with multiplicities. Sorting once and
describing each resample by how often it draws each example (a bincount) turns
the per-resample sort, O(n log n), into O(n) prefix sums. :class:`Presorted`
holds the one-off sort and the tie groups of the sort key; metrics use it in
``prepare`` / ``resampled`` (see :mod:`regshift_bench.bootstrap`).

Positions below are 1-based positions in a resample's sorted order; tie groups
are maximal runs of equal keys, whose values are averaged (as in
:func:`rsbench_metrics._base.sort_tie_averaged`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rsbench_metrics._base import Array


@dataclass(frozen=True)
class Presorted:
    """A stable sort of the full sample by ``key`` and its tie groups.

    Attributes
    ----------
    order : numpy.ndarray, int64, shape (n,)
        Example at each sorted position.
    inv : numpy.ndarray, int64, shape (n,)
        Sorted position of each example.
    starts : numpy.ndarray, int64, shape (G,)
        First sorted position (0-based) of each tie group.
    gid : numpy.ndarray, int64, shape (n,)
        Tie group of each sorted position.
    n : int
    """

    order: Array
    inv: Array
    starts: Array
    gid: Array
    n: int

    @classmethod
    def of(cls, key: Array) -> Presorted:
        order = np.argsort(key, kind="stable")
        ks = key[order]
        inv = np.empty_like(order)
        inv[order] = np.arange(order.shape[0])
        new = np.r_[True, ks[1:] != ks[:-1]]
        return cls(order, inv, np.flatnonzero(new), np.cumsum(new) - 1, int(key.shape[0]))

    def sort(self, values: Array) -> Array:
        """``values`` (n,) in sorted order."""
        out = np.empty_like(values)
        out[self.inv] = values
        return out

    def counts(self, idx: Array) -> Array:
        """Multiplicity of every sorted position in each resample.

        Parameters
        ----------
        idx : numpy.ndarray, int, shape (b, m)
            Resampling indices into the full sample.

        Returns
        -------
        numpy.ndarray, int64, shape (b, n)
        """
        b = idx.shape[0]
        flat = self.inv[idx]
        flat += self.n * np.arange(b)[:, None]
        return np.bincount(flat.ravel(), minlength=b * self.n).reshape(b, self.n)

    @property
    def no_ties(self) -> bool:
        """Every key distinct: groups are positions (the reductions can be skipped)."""
        return self.starts.shape[0] == self.n

    def group_counts(self, counts: Array) -> Array:
        """Resampled count of each tie group, int64 (b, G)."""
        return counts if self.no_ties else np.add.reduceat(counts, self.starts, axis=1)

    def groups(self, counts: Array, values_sorted: Array) -> tuple[Array, Array]:
        """Per tie group: count and sum of ``values`` over each resample.

        Returns
        -------
        count : numpy.ndarray, int64, shape (b, G)
        total : numpy.ndarray, float64, shape (b, G)
        """
        total = counts * values_sorted
        if self.no_ties:
            return counts, total
        return self.group_counts(counts), np.add.reduceat(total, self.starts, axis=1)


@dataclass(frozen=True)
class GroupCurve:
    """Prefix sums of tie-averaged values along a resample's sorted order.

    Attributes
    ----------
    k_end : numpy.ndarray, shape (b, G)
        Cumulative count at the end of each group (K_g).
    s_end : numpy.ndarray, shape (b, G)
        Cumulative sum of values at the end of each group (S_g).
    mean : numpy.ndarray, shape (b, G)
        Tie-averaged value of each group (0 for groups the resample misses).
    count, total : numpy.ndarray, shape (b, G)
        Count and value sum of each group.
    """

    k_end: Array
    s_end: Array
    mean: Array

    count: Array
    total: Array

    @classmethod
    def of(cls, count: Array, total: Array) -> GroupCurve:
        mean = np.divide(total, count, out=np.zeros(total.shape), where=count > 0)
        return cls(np.cumsum(count, axis=1), np.cumsum(total, axis=1), mean, count, total)

    def prefix(self, t: int) -> Array:
        """Sum of the first ``t`` values of each resample, shape (b,)."""
        if t <= 0:
            return np.zeros(self.k_end.shape[0])
        # The group holding position t is the first whose cumulative count reaches t
        # (non-empty by construction); the t positions end part-way into it.
        g = (self.k_end < t).sum(axis=1)
        rows = np.arange(self.k_end.shape[0])
        k_prev = self.k_end[rows, g] - self.count[rows, g]
        s_prev = self.s_end[rows, g] - self.total[rows, g]
        return s_prev + (t - k_prev) * self.mean[rows, g]

    def mean_of_running_means(self, n: int) -> Array:
        """(1/n) Σ_{k=1..n} prefix(k)/k, the area under the running-mean curve, (b,)."""
        harmonic = np.r_[0.0, np.cumsum(1.0 / np.arange(1, n + 1))]
        k_prev = self.k_end - self.count
        # Within a group prefix(k) = S_prev + (k − K_prev)·ē, so the sum of prefix(k)/k
        # over its positions is (S_prev − K_prev·ē)(H(K_g) − H(K_prev)) + ē·count,
        # and ē·count is the group's total.
        dh = harmonic[self.k_end] - harmonic[k_prev]
        dh *= (self.s_end - self.total) - k_prev * self.mean
        return (dh.sum(axis=1) + self.total.sum(axis=1)) / n


def group_ranks(count: Array) -> Array:
    """Average 1-based rank of each tie group in each resample, (b, G) from counts (b, G)."""
    return np.cumsum(count, axis=1) - (count - 1) / 2
