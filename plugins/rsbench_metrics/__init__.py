"""Built-in plugin rsbench_metrics: accuracy, calibration, selective prediction,
shift detection and gaps to the oracle.

Every metric is a :class:`regshift_bench.api.Metric` with a pure, vectorised array
function (``batched`` over (B, n) arrays, ``compute`` for one sample) so
:mod:`regshift_bench.bootstrap` can put an interval on any of them. Notation: y
measured, μ and σ² the model's predictive mean and variance.

The metrics are registered as :func:`~regshift_bench.api.lazy` factories with what
``rsbench list metrics`` shows, so loading the plugin imports none of their modules
(scipy among them); the classes load on first use.

>>> import regshift_bench
>>> m = regshift_bench.get_plugin("metric", "coverage_90")  # doctest: +SKIP
>>> m.compute(y, mean, var)                                  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, NamedTuple

from regshift_bench import hookimpl
from regshift_bench.api.lazy_factory import LazyFactory, lazy, resolve

if TYPE_CHECKING:
    from rsbench_metrics._base import ArrayMetric, MomentMetric
    from rsbench_metrics.accuracy import MAE, MSE, R2, RMSE, Pearson, Spearman
    from rsbench_metrics.calibration import CRPS, ENCE, NLL, Z2, Coverage, MiscalibrationArea, Width90
    from rsbench_metrics.oracle import ExcessMSE, NLLGap, SignalPearson, VarRatio
    from rsbench_metrics.selective import AURC, ExcessAURC, RiskAt50, RiskAt80, SelectiveGain
    from rsbench_metrics.shift_detection import OodAUROC, OodAUROCEpistemic


class _M(NamedTuple):
    """A built-in metric as registered: its class and what the listing shows."""

    target: str  # "module:Class" in this package
    higher_is_better: bool
    needs: tuple[str, ...]
    calibrated: float | None  # the instance's ``target`` (registered as info ``target``)
    summary: str  # the first line of the class docstring


#: Registered name -> metric; the order is the order of ``rsbench list metrics``' sections.
_ARRAY: dict[str, _M] = {
    # accuracy
    "mse": _M("accuracy:MSE", False, (), None, "Mean squared error, mean (y − μ)²."),
    "rmse": _M("accuracy:RMSE", False, (), None, "Root mean squared error, sqrt(mean (y − μ)²)."),
    "mae": _M("accuracy:MAE", False, (), None, "Mean absolute error, mean |y − μ|."),
    "pearson": _M(
        "accuracy:Pearson", True, (), None, "Pearson correlation between μ and y (undefined when either is constant)."
    ),
    "spearman": _M(
        "accuracy:Spearman", True, (), None, "Spearman rank correlation between μ and y (ties get average ranks)."
    ),
    "r2": _M("accuracy:R2", True, (), None, "Coefficient of determination 1 − SSE/SST (undefined when y is constant)."),
    # calibration
    "nll": _M(
        "calibration:NLL", False, ("var",), None, "Gaussian negative log-likelihood, mean ½[log 2πσ² + (y − μ)²/σ²]."
    ),
    "z2": _M(
        "calibration:Z2",
        False,
        ("var",),
        1.0,
        "Mean squared z-score, mean (y − μ)²/σ²; 1 is calibrated, above 1 over-confident.",
    ),
    "ence": _M(
        "calibration:ENCE",
        False,
        ("var",),
        None,
        "Expected normalised calibration error over σ bins (Levi et al., 2022).",
    ),
    "miscal_area": _M(
        "calibration:MiscalibrationArea",
        False,
        ("var",),
        None,
        "Area between observed and nominal central-interval coverage.",
    ),
    "coverage_50": _M(
        "calibration:Coverage50",
        True,
        ("var",),
        0.5,
        "Fraction of y inside the central 50% interval (calibrated: 0.5).",
    ),
    "coverage_80": _M(
        "calibration:Coverage80",
        True,
        ("var",),
        0.8,
        "Fraction of y inside the central 80% interval (calibrated: 0.8).",
    ),
    "coverage_90": _M(
        "calibration:Coverage90",
        True,
        ("var",),
        0.9,
        "Fraction of y inside the central 90% interval (calibrated: 0.9).",
    ),
    "coverage_95": _M(
        "calibration:Coverage95",
        True,
        ("var",),
        0.95,
        "Fraction of y inside the central 95% interval (calibrated: 0.95).",
    ),
    "width_90": _M(
        "calibration:Width90", False, ("var",), None, "Mean width 2·z₀.₉₅·σ of the central 90% interval (sharpness)."
    ),
    "crps": _M(
        "calibration:CRPS",
        False,
        ("var",),
        None,
        "Closed-form Gaussian CRPS, mean σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ.",
    ),
    # intervals (interventions' coverage under shift)
    "coverage_gap_90": _M(
        "intervals:CoverageGap90", False, ("var",), None, "|coverage − 0.9| of the central 90% interval (0 = nominal)."
    ),
    "width_norm_90": _M(
        "intervals:WidthNorm90",
        False,
        ("var",),
        None,
        "Mean width of the central 90% interval divided by the standard deviation of y.",
    ),
    # selective prediction
    "aurc": _M(
        "selective:AURC",
        False,
        ("var",),
        None,
        "Area under the risk–coverage curve (risk = squared error, ranked by σ²).",
    ),
    "e_aurc": _M(
        "selective:ExcessAURC",
        False,
        ("var",),
        None,
        "AURC minus the AURC of the oracle ranking by true squared error (E-AURC).",
    ),
    "risk_at_50": _M(
        "selective:RiskAt50", False, ("var",), None, "MSE on the 50% most confident examples (lowest σ²)."
    ),
    "risk_at_80": _M(
        "selective:RiskAt80", False, ("var",), None, "MSE on the 80% most confident examples (lowest σ²)."
    ),
    "selective_gain": _M(
        "selective:SelectiveGain",
        True,
        ("var",),
        None,
        "Risk at full coverage over risk at 50% coverage; above 1 means σ² helps abstain.",
    ),
    # shift detection
    "ood_auroc": _M(
        "shift_detection:OodAUROC",
        True,
        ("reference", "var"),
        None,
        "AUROC of σ² separating the shifted test set (positive) from the in-distribution one.",
    ),
    # oracle gaps (simulation only)
    "excess_mse": _M(
        "oracle:ExcessMSE",
        False,
        ("noise_var",),
        None,
        "MSE minus the mean noise variance: the error a perfect model would not make.",
    ),
    "signal_pearson": _M(
        "oracle:SignalPearson", True, ("y_true",), None, "Pearson correlation of μ with the noise-free activity y_true."
    ),
    "nll_gap": _M(
        "oracle:NLLGap",
        False,
        ("noise_var", "var", "y_true"),
        None,
        "NLL minus the NLL of the oracle N(y_true, noise_var) on the same y.",
    ),
    "var_ratio": _M(
        "oracle:VarRatio",
        True,
        ("noise_var", "var", "y_true"),
        1.0,
        "Mean σ² over the mean true total error, mean[(y_true − μ)² + noise_var].",
    ),
}

#: Metrics that read per-example annotations (groups), not arrays alone: the bootstrap
#: scores their resamples through ``__call__``.
_GROUP: dict[str, _M] = {
    "worst_group_coverage_90": _M(
        "intervals:WorstGroupCoverage90",
        True,
        ("meta", "seqs", "var"),
        0.9,
        "Lowest 90%-interval coverage over declared groups (GC deciles, element class, DREAM subset).",
    ),
}

#: Metrics that read a part of the predictive variance (``Prediction.epistemic``), which
#: the bootstrap's per-example arrays do not hold: recorded by the runner, shown without
#: an interval.
_PART: dict[str, _M] = {
    "ood_auroc_epistemic": _M(
        "shift_detection:OodAUROCEpistemic",
        True,
        ("epistemic", "reference"),
        None,
        "AUROC of the epistemic variance alone separating the shifted test set from test_id.",
    ),
}

#: Metrics that also write a curve to ``curves.parquet``.
CURVE_METRICS = ("aurc", "miscal_area")

_FACTORIES: dict[str, LazyFactory] = {
    name: lazy(f"rsbench_metrics.{m.target}", higher_is_better=m.higher_is_better, needs=frozenset(m.needs))
    for name, m in {**_ARRAY, **_GROUP, **_PART}.items()
}


def create(name: str, **params: Any) -> ArrayMetric:
    """A built-in metric by name, without loading the plugin set (tests, bootstrap).

    Same result as ``regshift_bench.get_plugin("metric", name, **params)`` for the
    metrics of :data:`METRICS`, including the instance's ``name``.
    """
    if name not in _ARRAY:
        raise KeyError(name)
    metric: ArrayMetric = _FACTORIES[name](**params)
    metric.name = name  # type: ignore[misc]  # instances carry their registered name
    return metric


@hookimpl
def rsbench_register_metrics(register) -> None:  # type: ignore[no-untyped-def]
    for name, m in {**_ARRAY, **_GROUP, **_PART}.items():
        register(name, _FACTORIES[name], summary=m.summary, target=m.calibrated)


#: Exported class -> its module, imported when the name is first read.
_EXPORTS = {
    "ArrayMetric": "_base",
    "MomentMetric": "_base",
    "Coverage": "calibration",
    **{m.target.split(":")[1]: m.target.split(":")[0] for m in {**_ARRAY, **_GROUP, **_PART}.values()},
}
#: The classes by registered name, built on first read: METRICS (array metrics),
#: GROUP_METRICS and PART_METRICS as described above.
_TABLES = {"METRICS": _ARRAY, "GROUP_METRICS": _GROUP, "PART_METRICS": _PART}


def __getattr__(name: str) -> Any:
    # `from rsbench_metrics import METRICS, MSE` still works: the classes load on first use.
    if name in _TABLES:
        return {key: resolve(_FACTORIES[key]) for key in _TABLES[name]}
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"rsbench_metrics.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AURC",
    "CRPS",
    "CURVE_METRICS",
    "ENCE",
    "METRICS",
    "MAE",
    "MSE",
    "NLL",
    "R2",
    "RMSE",
    "Z2",
    "ArrayMetric",
    "Coverage",
    "create",
    "ExcessAURC",
    "ExcessMSE",
    "MiscalibrationArea",
    "MomentMetric",
    "NLLGap",
    "OodAUROC",
    "OodAUROCEpistemic",
    "PART_METRICS",
    "Pearson",
    "RiskAt50",
    "RiskAt80",
    "SelectiveGain",
    "SignalPearson",
    "Spearman",
    "VarRatio",
    "Width90",
]
