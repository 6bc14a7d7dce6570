"""A third-party explainer, as an out-of-tree package would write it (tests only)."""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Explainer, SeqDataset


class ToyOcclusion(Explainer):
    """Occlusion: |change in predicted mean| when a window is masked with N, spread over it."""

    def __init__(self, window: int = 5) -> None:
        self.window = window

    def explain(self, model, data: SeqDataset, *, rng: np.random.Generator, device: str = "cpu") -> np.ndarray:
        n, length = data.seqs.shape
        w = int(self.window)
        starts = np.arange(0, length - w + 1)
        wild = model.predict(data, device=device).mean
        seqs = np.repeat(data.seqs[:, None, :], len(starts), axis=1).copy()  # (n, S, L)
        for j, s in enumerate(starts):
            seqs[:, j, s : s + w] = 4
        occluded = SeqDataset(seqs.reshape(-1, length), np.zeros(n * len(starts)), info=data.info)
        delta = np.abs(model.predict(occluded, device=device).mean.reshape(n, -1) - wild[:, None])
        out = np.zeros((n, length))
        cover = np.zeros(length)
        for j, s in enumerate(starts):
            out[:, s : s + w] += delta[:, j : j + 1]
            cover[s : s + w] += 1
        return out / cover


@hookimpl
def rsbench_register_explainers(register):
    register("toy_occlusion", ToyOcclusion, summary="occlusion with N windows (test plugin)")
