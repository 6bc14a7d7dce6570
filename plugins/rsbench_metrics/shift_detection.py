"""Shift detection: does predicted variance flag the shifted inputs?"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from rsbench_metrics._base import Array, ArrayMetric, rankdata


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

    def batched(self, y: Array, mean: Array, var: Array, y_true: Array | None = None,
                noise_var: Array | None = None, *, reference_var: Array | None = None,
                **extra: Array) -> Array:
        if reference_var is None:
            from regshift_bench.errors import MetricSkipped

            raise MetricSkipped(f"metric {self._label()!r} needs reference_var, the variances "
                                "predicted on the in-distribution split")
        return auroc(var, reference_var)

    def _extra_inputs(self, reference: Any) -> dict[str, Array]:
        ref_data, ref_pred = reference
        return {"reference_y": ref_data.y, "reference_mean": ref_pred.mean,
                "reference_var": ref_pred.var}
