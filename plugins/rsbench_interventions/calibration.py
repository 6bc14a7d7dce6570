"""Recalibration of a Gaussian prediction: on validation (posthoc) or on k target labels.

Both fit a variance scale ``s²`` so that the standardised residuals
``(y − μ) / (s·σ)`` have unit mean square (the Gaussian maximum-likelihood scale);
``kshot_recalibrate`` first refits a mean offset. ``recalibrate(method="isotonic")``
instead learns the map from predicted to observed CDF levels (Kuleshov et al.
2018, "Accurate uncertainties for deep learning using calibrated regression").
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy.special import ndtr, ndtri

from regshift_bench.api import Context, Intervention, Prediction, SeqDataset
from regshift_bench.api.intervention import interval_var
from regshift_bench.errors import PluginError


def variance_scale(y: np.ndarray, mean: np.ndarray, var: np.ndarray) -> float:
    """The maximum-likelihood scale ``s²`` of ``var``: mean of ``(y − μ)² / σ²``.

    Parameters
    ----------
    y, mean, var : numpy.ndarray, shape (n,)

    Returns
    -------
    float
        ``s²`` > 0 (floored at 1e-6 so a perfect fit keeps a positive variance).
    """
    z2 = (np.asarray(y, np.float64) - mean) ** 2 / var
    return max(float(np.mean(z2)), 1e-6)


def _scaled(pred: Prediction, scale: float, offset: float = 0.0) -> Prediction:
    """``pred`` with mean shifted by ``offset`` and every variance part times ``scale``."""
    part = lambda a: None if a is None else a * scale  # noqa: E731
    return Prediction(pred.mean + offset, pred.var * scale, part(pred.aleatoric), part(pred.epistemic))


class Recalibrate(Intervention):
    """Recalibrate the predictive variance on the validation split (posthoc).

    Parameters
    ----------
    method : {"scale", "isotonic"}
        ``scale``: one variance factor, the maximum-likelihood ``s²``.
        ``isotonic``: Kuleshov et al. (2018) isotonic recalibration of the predicted
        CDF levels; the output's central ``level`` interval is the recalibrated one
        (the mean is kept, the interval made symmetric by its average half-width).
    level : float
        Nominal level whose interval the isotonic map reproduces.
    """

    stage: ClassVar[str] = "posthoc"

    def __init__(self, method: str = "scale", level: float = 0.9) -> None:
        self.method = method
        self.level = level

    def calibrate(self, val: SeqDataset, pred: Prediction, *, rng: np.random.Generator) -> None:
        if self.method not in ("scale", "isotonic"):
            raise PluginError(f"method {self.method!r} is not 'scale' or 'isotonic'", plugin=self.name or "recalibrate")
        y = val.y.astype(np.float64)
        self.scale_ = variance_scale(y, pred.mean, pred.var)
        if self.method == "isotonic":
            from sklearn.isotonic import IsotonicRegression  # ~0.8 s: only when used

            levels = ndtr((y - pred.mean) / np.sqrt(pred.var))
            observed = np.searchsorted(np.sort(levels), levels, side="right") / len(levels)
            self.iso_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True).fit(
                levels, observed
            )
            grid = np.linspace(1e-4, 1 - 1e-4, 2001)
            mapped = self.iso_.predict(grid)
            lo = grid[min(np.searchsorted(mapped, (1 - self.level) / 2), len(grid) - 1)]
            hi = grid[min(np.searchsorted(mapped, (1 + self.level) / 2), len(grid) - 1)]
            # Half-width of the recalibrated interval in units of sigma.
            self.half_ = max(float(ndtri(hi) - ndtri(lo)) / 2, 1e-6)

    def adjust(self, data: SeqDataset, pred: Prediction, context: Context) -> Prediction:
        if self.method == "scale":
            return _scaled(pred, self.scale_)
        var = interval_var(self.half_ * np.sqrt(pred.var), self.level)
        return Prediction(pred.mean, var)


class KshotRecalibrate(Intervention):
    """Refit a mean offset and a variance scale on k labelled target examples (test time).

    The remedy a lab has for a label shift: measure ``k`` sequences in the new
    condition. The runner draws them from each evaluated split, hands them over as
    ``context.support`` and scores only the rest.

    Parameters
    ----------
    k : int
        Labelled target examples per split (>= 2).
    """

    stage: ClassVar[str] = "test_time"

    def __init__(self, k: int = 50) -> None:
        self.k = k

    @property
    def support_size(self) -> int:  # type: ignore[override]
        return int(self.k)

    def adjust(self, data: SeqDataset, pred: Prediction, context: Context) -> Prediction:
        if context.support is None or len(context.support.data) < 2:
            raise PluginError(
                "needs at least 2 labelled target examples (context.support)", plugin=self.name or "kshot_recalibrate"
            )
        sup = context.support
        y = sup.data.y.astype(np.float64)
        offset = float(np.mean(y - sup.pred.mean))
        scale = variance_scale(y, sup.pred.mean + offset, sup.pred.var)
        return _scaled(pred, scale, offset)
