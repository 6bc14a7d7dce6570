"""An out-of-tree model plugin for regshift-bench.

Registers ``example_kmer3``: ridge regression on 3-mer counts with a constant
residual variance. Install it (``pip install ./examples/rsbench-example-model``)
and it appears in ``rsbench plugins`` and ``rsbench list models``.
"""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Budget, Model, Prediction, SeqDataset

K = 3


def kmer_counts(data: SeqDataset) -> np.ndarray:
    """3-mer counts, float64 array of shape (n, 64); k-mers containing N are skipped."""
    codes = data.seqs.astype(np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(codes, K, axis=1)  # (n, L-K+1, K)
    valid = (windows < 4).all(axis=2)
    index = (windows * (4 ** np.arange(K - 1, -1, -1))).sum(axis=2)
    counts = np.zeros((len(data), 4**K))
    rows = np.repeat(np.arange(len(data)), windows.shape[1]).reshape(windows.shape[:2])
    np.add.at(counts, (rows[valid], index[valid]), 1.0)
    return counts


class KmerRidge(Model):
    """Ridge regression on 3-mer counts; variance = residual variance on validation data.

    Parameters
    ----------
    alpha : float
        L2 penalty.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, train: SeqDataset, val: SeqDataset, *, rng: np.random.Generator,
            device: str = "cpu", budget: Budget | None = None) -> KmerRidge:
        x = np.c_[kmer_counts(train), np.ones(len(train))]
        penalty = self.alpha * np.eye(x.shape[1])
        penalty[-1, -1] = 0.0  # the intercept is not shrunk
        self.coef_ = np.linalg.solve(x.T @ x + penalty, x.T @ train.y.astype(np.float64))
        resid = val.y - self._mean(val)
        self.var_ = float(np.mean(resid**2)) + 1e-6
        return self

    def _mean(self, data: SeqDataset) -> np.ndarray:
        return np.c_[kmer_counts(data), np.ones(len(data))] @ self.coef_

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        return Prediction(self._mean(data), np.full(len(data), self.var_))

    def get_state(self) -> dict:
        return {"coef": self.coef_, "var": self.var_}

    def set_state(self, state: dict) -> None:
        self.coef_, self.var_ = np.asarray(state["coef"]), float(state["var"])


@hookimpl
def rsbench_register_models(register):
    register("example_kmer3", KmerRidge, summary="3-mer ridge regression (example plugin)")
