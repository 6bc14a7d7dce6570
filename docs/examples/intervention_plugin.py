"""An intervention plugin: remove the validation split's mean residual (posthoc).

Run by tests/test_docs.py and tests/test_interventions_guide.py: ``check()`` must
pass the conformance kit, and the intervention must run in a grid.
"""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Context, Intervention, Prediction, SeqDataset
from regshift_bench.testing import CheckReport, check_intervention


class BiasCorrect(Intervention):
    """Shift every prediction by the mean residual y − μ of the validation split."""

    stage = "posthoc"   # "train" | "posthoc" | "test_time"

    def __init__(self, shrink: float = 1.0) -> None:
        self.shrink = shrink  # explicit parameters, stored unchanged; no work here

    def calibrate(self, val: SeqDataset, pred: Prediction, *, rng: np.random.Generator) -> None:
        # Validation labels are the only labels a posthoc intervention may read.
        self.offset_ = self.shrink * float(np.mean(val.y - pred.mean))

    def adjust(self, data: SeqDataset, pred: Prediction, context: Context) -> Prediction:
        # `data.y` is NaN here: inputs only. Return a new Gaussian per example.
        return Prediction(pred.mean + self.offset_, pred.var)


@hookimpl
def rsbench_register_interventions(register):
    register("bias_correct", BiasCorrect, summary="remove the validation mean residual")


def check() -> CheckReport:
    """Construction, stage, adjust and determinism (what ``rsbench check bias_correct`` runs)."""
    return check_intervention(BiasCorrect)
