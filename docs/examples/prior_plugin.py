"""A prior plugin: dinucleotide frequencies as features for a ``base+prior`` model.

Run by tests/test_docs.py: ``check()`` must pass the conformance kit.
"""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Prior, SeqDataset
from regshift_bench.testing import CheckReport, check_prior


class Dinucleotides(Prior):
    """The 16 dinucleotide frequencies of each sequence, centred on the training mean."""

    name = "dinuc"

    def __init__(self) -> None:
        pass

    def _raw(self, data: SeqDataset) -> np.ndarray:
        seqs = np.asarray(data.seqs, dtype=np.int64)               # (n, L), N = 4
        pair = seqs[:, :-1] * 4 + seqs[:, 1:]                      # (n, L-1)
        valid = (seqs[:, :-1] < 4) & (seqs[:, 1:] < 4)
        counts = np.stack([((pair == k) & valid).sum(axis=1) for k in range(16)], axis=1)
        return (counts / np.maximum(valid.sum(axis=1, keepdims=True), 1)).astype(np.float32)

    def fit(self, train: SeqDataset) -> Dinucleotides:
        self.center_ = self._raw(train).mean(axis=0)               # (16,)
        return self

    def features(self, data: SeqDataset) -> np.ndarray:
        """float32 (n, 16); each row depends only on its own sequence."""
        return self._raw(data) - self.center_

    @property
    def n_features(self) -> int:
        return 16


@hookimpl
def rsbench_register_priors(register):
    register("dinuc", Dinucleotides, summary="dinucleotide frequencies")


def check() -> CheckReport:
    """Features are float (n, k), finite and computed row by row."""
    return check_prior(Dinucleotides)
