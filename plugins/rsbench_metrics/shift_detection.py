"""Shift detection: does predicted variance (total, or its epistemic part) flag the shifted inputs?"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from regshift_bench.api import Metric, Prediction, SeqDataset
from regshift_bench.errors import DataError, MetricSkipped
from rsbench_metrics._base import Array, ArrayMetric, rankdata, validate


def auroc(pos: Array, neg: Array) -> Array:
    """Area under the ROC curve of scores separating ``pos`` from ``neg``.

    The Mann–Whitney statistic with mid-ranks, so tied scores count ½ (equal to
    ``sklearn.metrics.roc_auc_score``).

    Parameters
    ----------
    pos : numpy.ndarray, shape (B, n)
        Scores of the positives.
    neg : numpy.ndarray, shape (B, m)
        Scores of the negatives.

    Returns
    -------
    numpy.ndarray, float64, shape (B,)
    """
    n, m = pos.shape[-1], neg.shape[-1]
    ranks = rankdata(np.concatenate([pos, neg], axis=-1))
    u = ranks[..., :n].sum(axis=-1) - n * (n + 1) / 2
    return u / (n * m)


class OodAUROC(ArrayMetric):
    """AUROC of σ² separating the shifted test set (positive) from the in-distribution one.

    1 means every shifted example gets a larger variance than every
    in-distribution one; 0.5 means σ² does not see the shift. The runner passes
    the in-distribution split and its prediction as ``reference``; array
    functions take its variances as ``reference_var``.
    """

    table: ClassVar[str | None] = "calibration"
    label: ClassVar[str] = "OOD AUROC"
    table_order: ClassVar[int] = 3

    higher_is_better: ClassVar[bool] = True
    needs: ClassVar[frozenset[str]] = frozenset({"var", "reference"})

    def batched(
        self,
        y: Array,
        mean: Array,
        var: Array,
        y_true: Array | None = None,
        noise_var: Array | None = None,
        *,
        reference_var: Array | None = None,
        **extra: Array,
    ) -> Array:
        if reference_var is None:
            raise MetricSkipped(
                f"metric {self._label()!r} needs reference_var, the variances predicted on the in-distribution split"
            )
        return auroc(var, reference_var)

    def _extra_inputs(self, reference: Any) -> dict[str, Array]:
        ref_data, ref_pred = reference
        return {"reference_y": ref_data.y, "reference_mean": ref_pred.mean, "reference_var": ref_pred.var}


class OodAUROCEpistemic(Metric):
    """AUROC of the epistemic variance alone separating the shifted test set from test_id.

    ``ood_auroc`` with the model's epistemic part (``Prediction.epistemic``: MC-dropout
    or ensemble spread, a linear model's parameter variance) in place of the total σ².
    The noise a model expects (aleatoric) can rise out of distribution for reasons
    unrelated to novelty, so the two can disagree. Not scored (status ``skipped``, with
    the reason) when either split's prediction has no epistemic part, or when it is the
    same for every example (the ``mean`` baseline's zeros): such a model does not
    estimate it. The bootstrap's stored arrays hold the total variance only, so the
    leaderboard shows the recorded value without an interval.
    """

    label: ClassVar[str] = "OOD AUROC (epistemic)"
    higher_is_better: ClassVar[bool] = True
    needs: ClassVar[frozenset[str]] = frozenset({"epistemic", "reference"})

    def __call__(
        self, data: SeqDataset, pred: Prediction, reference: tuple[SeqDataset, Prediction] | None = None
    ) -> float:
        """Score ``pred`` on ``data`` against ``reference`` (test_id and its prediction).

        Raises
        ------
        MetricSkipped
            No reference, no epistemic part, or a constant one.
        DataError
            A NaN/inf or negative epistemic variance, or a length that does not match.
        """
        self.require(data, reference)
        assert reference is not None  # require() skipped otherwise
        name = self.name or "ood_auroc_epistemic"
        ood, ref = (
            self._epistemic(p, n, where)
            for p, n, where in (
                (pred, len(data), "the scored split"),
                (reference[1], len(reference[0]), "the in-distribution split"),
            )
        )
        both = np.concatenate([ood, ref])
        if both.max() == both.min():
            raise MetricSkipped(
                f"metric {name!r}: the epistemic variance is {both[0]:g} for "
                "every example, so the model does not estimate it"
            )
        return float(auroc(ood[None], ref[None])[0])

    def _epistemic(self, pred: Prediction, n: int, where: str) -> Array:
        """``pred.epistemic`` checked: float64 (n,), finite and >= 0."""
        name = self.name or "ood_auroc_epistemic"
        if pred.epistemic is None:
            raise MetricSkipped(
                f"metric {name!r} needs the epistemic variance, which the "
                f"prediction on {where} lacks (the model reports only a "
                "total variance)"
            )
        arr = validate(name, n=n, epistemic=pred.epistemic)["epistemic"]
        assert arr is not None
        if (arr < 0).any():
            bad = int(np.flatnonzero(arr < 0)[0])
            raise DataError(
                f"metric {name!r}: epistemic variance must be >= 0, got {arr[bad]} "
                f"at row {bad} of {where}; clip it at 0 in the model"
            )
        return arr
