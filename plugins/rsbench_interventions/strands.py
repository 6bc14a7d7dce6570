"""Reverse-complement averaging at prediction time."""

from __future__ import annotations

from typing import ClassVar

from regshift_bench.api import Context, Intervention, Prediction, SeqDataset


def average_strands(fwd: Prediction, rev: Prediction) -> Prediction:
    """The equal mixture of two Gaussian predictions, moment-matched.

    mean = (μ₁ + μ₂)/2; var = (σ₁² + σ₂²)/2 + (μ₁ − μ₂)²/4, the strand disagreement
    entering as epistemic variance.
    """
    mean = (fwd.mean + rev.mean) / 2
    spread = (fwd.mean - rev.mean) ** 2 / 4
    var = (fwd.var + rev.var) / 2 + spread
    alea = None if fwd.aleatoric is None or rev.aleatoric is None else (fwd.aleatoric + rev.aleatoric) / 2
    return Prediction(mean, var, alea, None if alea is None else var - alea)


class RCAverage(Intervention):
    """Average the model's predictions for both strands (test time).

    Built-in neural models already average strands inside ``predict``; this helps a
    model that reads one strand only (k-mer and GC baselines, third-party models).
    """

    stage: ClassVar[str] = "test_time"

    def adjust(self, data: SeqDataset, pred: Prediction, context: Context) -> Prediction:
        rev = context.model.predict(data.revcomp(), device=context.device)
        return average_strands(pred, rev.check(len(data), plugin=self.name or "rc_average"))
