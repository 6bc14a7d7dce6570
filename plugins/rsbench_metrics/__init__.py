"""Built-in plugin rsbench_metrics: accuracy, calibration, selective prediction,
shift detection and gaps to the oracle.

Every metric is a :class:`regshift_bench.api.Metric` with a pure, vectorised array
function (``batched`` over (B, n) arrays, ``compute`` for one sample) so
:mod:`regshift_bench.bootstrap` can put an interval on any of them. Notation: y
measured, μ and σ² the model's predictive mean and variance.

>>> import regshift_bench
>>> m = regshift_bench.get_plugin("metric", "coverage_90")  # doctest: +SKIP
>>> m.compute(y, mean, var)                                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from regshift_bench import hookimpl
from rsbench_metrics._base import ArrayMetric, MomentMetric
from rsbench_metrics.accuracy import MAE, MSE, R2, RMSE, Pearson, Spearman
from rsbench_metrics.calibration import (
    CRPS,
    ENCE,
    NLL,
    Z2,
    Coverage,
    Coverage50,
    Coverage80,
    Coverage90,
    Coverage95,
    MiscalibrationArea,
    Width90,
)
from rsbench_metrics.intervals import CoverageGap90, WidthNorm90, WorstGroupCoverage90
from rsbench_metrics.oracle import ExcessMSE, NLLGap, SignalPearson, VarRatio
from rsbench_metrics.selective import AURC, ExcessAURC, RiskAt50, RiskAt80, SelectiveGain
from rsbench_metrics.shift_detection import OodAUROC, OodAUROCEpistemic

#: Registered name -> class; the order is the order of ``rsbench list metrics``' sections.
METRICS: dict[str, type[ArrayMetric]] = {
    # accuracy
    "mse": MSE, "rmse": RMSE, "mae": MAE, "pearson": Pearson, "spearman": Spearman, "r2": R2,
    # calibration
    "nll": NLL, "z2": Z2, "ence": ENCE, "miscal_area": MiscalibrationArea,
    "coverage_50": Coverage50, "coverage_80": Coverage80, "coverage_90": Coverage90,
    "coverage_95": Coverage95, "width_90": Width90, "crps": CRPS,
    # intervals (interventions' coverage under shift)
    "coverage_gap_90": CoverageGap90, "width_norm_90": WidthNorm90,
    # selective prediction
    "aurc": AURC, "e_aurc": ExcessAURC, "risk_at_50": RiskAt50, "risk_at_80": RiskAt80,
    "selective_gain": SelectiveGain,
    # shift detection
    "ood_auroc": OodAUROC,
    # oracle gaps (simulation only)
    "excess_mse": ExcessMSE, "signal_pearson": SignalPearson, "nll_gap": NLLGap,
    "var_ratio": VarRatio,
}

#: Metrics that read per-example annotations (groups), not arrays alone: the bootstrap
#: scores their resamples through ``__call__``.
GROUP_METRICS: dict[str, type[Any]] = {"worst_group_coverage_90": WorstGroupCoverage90}

#: Metrics that read a part of the predictive variance (``Prediction.epistemic``), which
#: the bootstrap's per-example arrays do not hold: recorded by the runner, shown without
#: an interval.
PART_METRICS: dict[str, type[Any]] = {"ood_auroc_epistemic": OodAUROCEpistemic}

#: Metrics that also write a curve to ``curves.parquet``.
CURVE_METRICS = ("aurc", "miscal_area")


def create(name: str, **params: Any) -> ArrayMetric:
    """A built-in metric by name, without loading the plugin set (tests, bootstrap).

    Same result as ``regshift_bench.get_plugin("metric", name, **params)`` for the
    metrics registered here, including the instance's ``name``.
    """
    metric = METRICS[name](**params)
    metric.name = name  # type: ignore[misc]  # instances carry their registered name
    return metric


@hookimpl
def rsbench_register_metrics(register) -> None:  # type: ignore[no-untyped-def]
    for name, cls in {**METRICS, **GROUP_METRICS, **PART_METRICS}.items():
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        # Defaults only: __init__ does no work, so instantiating to read `target` is cheap.
        register(name, cls, summary=doc, target=cls().target)


__all__ = [
    "AURC", "CRPS", "CURVE_METRICS", "ENCE", "METRICS", "MAE", "MSE", "NLL", "R2", "RMSE", "Z2",
    "ArrayMetric", "Coverage", "create", "ExcessAURC", "ExcessMSE", "MiscalibrationArea", "MomentMetric",
    "NLLGap", "OodAUROC", "OodAUROCEpistemic", "PART_METRICS", "Pearson", "RiskAt50",
    "RiskAt80", "SelectiveGain", "SignalPearson", "Spearman", "VarRatio", "Width90",
]
