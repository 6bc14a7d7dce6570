"""An explainer plugin: occlusion (replace a window by N and measure the change).

Run by tests/test_docs.py: ``check()`` must pass the conformance kit.
"""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Explainer, Model, SeqDataset
from regshift_bench.testing import CheckReport, check_explainer


class Occlusion(Explainer):
    """|change of the predicted mean| when a window of ``width`` bases is masked with N.

    Uses ``predict`` only (``needs`` is empty), so it applies to every model.
    """

    name = "occlusion"

    def __init__(self, width: int = 5) -> None:
        self.width = width

    def explain(self, model: Model, data: SeqDataset, *, rng: np.random.Generator,
                device: str = "cpu") -> np.ndarray:
        n, length = data.seqs.shape
        base = model.predict(data, device=device).mean                     # (n,)
        out = np.zeros((n, length))
        for start in range(0, length - self.width + 1):
            seqs = np.array(data.seqs)                                     # a writable copy
            seqs[:, start:start + self.width] = 4
            masked = model.predict(data.with_values(seqs=seqs), device=device).mean
            out[:, start:start + self.width] += np.abs(base - masked)[:, None] / self.width
        lengths = data.lengths_or_full()
        out[np.arange(length)[None, :] >= lengths[:, None]] = 0.0          # padding gets 0
        return out                                                         # (n, L)


@hookimpl
def rsbench_register_explainers(register):
    register("occlusion", Occlusion, summary="occlusion with an N window")


def check() -> CheckReport:
    """Shape, finiteness, and that the planted motif sites of a known model light up."""
    return check_explainer(Occlusion)
