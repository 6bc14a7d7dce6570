"""``ism``: in-silico mutagenesis, batched, model-agnostic (``predict_mean`` only)."""

from __future__ import annotations

import numpy as np

from regshift_bench.api import Explainer, Model, SeqDataset
from regshift_bench.errors import PluginError

_REDUCE = ("meanabs", "maxabs", "mean")


class ISM(Explainer):
    """In-silico mutagenesis: every single-base substitution, scored by ``predict_mean``.

    Each position's importance summarises the change in predicted mean over its
    three substitutions: ``meanabs`` (default) the mean absolute change, ``maxabs``
    the largest, ``mean`` the signed mean (a loss of activity when the base is
    mutated away reads negative). N / padding positions are not mutated (0).

    Parameters
    ----------
    batch_size : int, default 8192
        Mutant sequences per ``predict_mean`` call (3 L mutants per sequence).
    reduce : {"meanabs", "maxabs", "mean"}

    Notes
    -----
    Cost: 3 L + 1 point predictions per sequence, from the model's deterministic
    :meth:`~regshift_bench.api.Model.predict_mean` (a neural model: one eval-mode
    pass per strand, not its MC-dropout samples, which only its variance needs). Mutants carry no ``meta`` (their
    measured values would be the wild type's), but keep ``info`` and ``lengths``.
    """

    def __init__(self, batch_size: int = 8192, reduce: str = "meanabs") -> None:
        self.batch_size, self.reduce = batch_size, reduce

    def explain(self, model: Model, data: SeqDataset, *, rng: np.random.Generator, device: str = "cpu") -> np.ndarray:
        if self.reduce not in _REDUCE:
            raise PluginError(f"reduce={self.reduce!r} is not one of {_REDUCE}", plugin=self.name)
        n, length = data.seqs.shape
        out = np.zeros((n, length), dtype=np.float64)
        if n == 0:
            return out
        wild = self._point(model, data, device)
        per = max(1, int(self.batch_size) // (3 * length))
        shift = np.arange(1, 4, dtype=np.uint8)  # the three other bases: (b + k) mod 4
        pos = np.arange(length)
        for start in range(0, n, per):
            rows = np.arange(start, min(n, start + per))
            seqs = data.seqs[rows]  # (b, L)
            mut = np.repeat(seqs[:, None, None, :], 3, axis=2)  # (b, 1, 3, L)
            mut = np.repeat(mut, length, axis=1)  # (b, L, 3, L)
            alt = (seqs[:, :, None] + shift[None, None, :]) % 4  # (b, L, 3)
            mut[:, pos, :, pos] = alt.transpose(1, 0, 2)  # diagonal p == p'
            lengths = None if data.lengths is None else np.repeat(data.lengths[rows], 3 * length)
            mutants = SeqDataset(
                mut.reshape(-1, length), np.zeros(len(rows) * 3 * length, np.float32), lengths=lengths, info=data.info
            )
            pred = self._point(model, mutants, device)
            delta = pred.reshape(len(rows), length, 3) - wild[rows, None, None]
            if self.reduce == "meanabs":
                out[rows] = np.abs(delta).mean(axis=2)
            elif self.reduce == "maxabs":
                out[rows] = np.abs(delta).max(axis=2)
            else:
                out[rows] = delta.mean(axis=2)
        out[data.seqs >= 4] = 0.0  # N / padding: not a base to explain
        return out

    def _point(self, model: Model, data: SeqDataset, device: str) -> np.ndarray:
        """The model's deterministic means (len(data),), checked for shape."""
        pred = np.asarray(model.predict_mean(data, device=device), dtype=np.float64)
        if pred.shape != (len(data),):
            raise PluginError(
                f"{type(model).__name__}.predict_mean returned shape "
                f"{pred.shape}, expected ({len(data)},); fix the model's "
                "predict_mean",
                plugin=self.name,
            )
        return pred
