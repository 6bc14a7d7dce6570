"""The :class:`Prior` interface: biological knowledge as features."""

from __future__ import annotations

import numpy as np

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset


class Prior(Configurable):
    """A feature extractor encoding biological knowledge (motifs, GC content).

    A model that accepts ``prior=`` calls :meth:`fit` on its training data and
    :meth:`features` on every batch it sees; features enter the model's head.
    """

    def fit(self, train: SeqDataset) -> Prior:
        """Learn anything data-dependent (e.g. feature scaling); return self."""
        return self

    def features(self, data: SeqDataset) -> np.ndarray:
        """Features, float32 array of shape (len(data), k)."""
        raise NotImplementedError

    @property
    def n_features(self) -> int | None:
        """k, when known before :meth:`features` is first called."""
        return None
