"""A model plugin: ridge regression on 3-mer counts with a constant predictive variance.

A closed-form fit keeps the example fast; ``examples/rsbench-example-model`` is the
complete PyTorch template. Run by tests/test_docs.py: ``check()`` must pass the kit.
"""

from __future__ import annotations

import itertools

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Model, Prediction, SeqDataset
from regshift_bench.testing import CheckReport, check_model

_KMERS = {k: i for i, k in enumerate(itertools.product(range(4), repeat=3))}


def kmer_counts(data: SeqDataset) -> np.ndarray:
    """float64 (n, 64): 3-mer counts over real bases (padding and N are skipped)."""
    seqs = np.asarray(data.seqs, dtype=np.int64)
    code = seqs[:, :-2] * 16 + seqs[:, 1:-1] * 4 + seqs[:, 2:]           # (n, L-2)
    valid = (seqs[:, :-2] < 4) & (seqs[:, 1:-1] < 4) & (seqs[:, 2:] < 4)
    return np.stack([((code == k) & valid).sum(axis=1) for k in range(64)], axis=1).astype(float)


class KmerRidge3(Model):
    """Ridge on 3-mer counts; variance = validation mean squared error."""

    name = "kmer3_ridge"
    closed_form = True            # no epochs: the kit does not time the fit

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha        # stored unchanged; no work in __init__

    def fit(self, train, val, *, rng, device="cpu", budget=None) -> KmerRidge3:
        x, y = kmer_counts(train), np.asarray(train.y, dtype=np.float64)
        self.x_mu_, self.y_mu_ = x.mean(axis=0), float(y.mean())
        xc = x - self.x_mu_
        self.coef_ = np.linalg.solve(xc.T @ xc + self.alpha * np.eye(64), xc.T @ (y - self.y_mu_))
        resid = np.asarray(val.y, dtype=np.float64) - self._mean(val)
        self.var_ = float(max(np.mean(resid**2), 1e-6))
        return self

    def _mean(self, data: SeqDataset) -> np.ndarray:
        return (kmer_counts(data) - self.x_mu_) @ self.coef_ + self.y_mu_

    def predict(self, data, *, device="cpu") -> Prediction:
        mean = self._mean(data)
        return Prediction(mean=mean, var=np.full(len(mean), self.var_))

    def get_state(self) -> dict:
        return {"x_mu": self.x_mu_, "y_mu": self.y_mu_, "coef": self.coef_, "var": self.var_}

    def set_state(self, state: dict) -> None:
        self.x_mu_, self.y_mu_ = np.asarray(state["x_mu"]), float(state["y_mu"])
        self.coef_, self.var_ = np.asarray(state["coef"]), float(state["var"])


@hookimpl
def rsbench_register_models(register):
    register("kmer3_ridge", KmerRidge3, summary="ridge on 3-mer counts (docs example)")


def check() -> CheckReport:
    """Construct, fit/predict, determinism, invariances, save/load round trip."""
    return check_model(KmerRidge3)
