"""Built-in plugin rsbench_interventions: remedies run on the same cells as the models.

=====================  ==========  ==================================================
name                   stage       what it does
=====================  ==========  ==================================================
``recalibrate``        posthoc     variance scale (or isotonic map) fitted on validation
``conformal``          posthoc     split-conformal 90% interval normalised by σ (crepes)
``weighted_conformal`` posthoc     likelihood-ratio weighted conformal (covariate shift)
``kshot_recalibrate``  test_time   mean offset + variance scale on k = 50 target labels
``rc_average``         test_time   average of the predictions for both strands
``evoaug``             train       EvoAug augmentations, then fine-tuning
=====================  ==========  ==================================================

They are registered as :func:`~regshift_bench.api.lazy` factories with their stage,
so loading the plugin imports neither torch nor scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from regshift_bench import hookimpl
from regshift_bench.api.lazy_factory import lazy, resolve

if TYPE_CHECKING:
    from rsbench_interventions.calibration import KshotRecalibrate, Recalibrate
    from rsbench_interventions.conformal import SplitConformal, WeightedConformal
    from rsbench_interventions.evoaug import EvoAug
    from rsbench_interventions.strands import RCAverage

_EXPORTS = {
    "KshotRecalibrate": "calibration",
    "Recalibrate": "calibration",
    "SplitConformal": "conformal",
    "WeightedConformal": "conformal",
    "EvoAug": "evoaug",
    "RCAverage": "strands",
}

#: Registered name -> (class, stage, summary: the first line of its docstring).
_TABLE: dict[str, tuple[str, str, str]] = {
    "recalibrate": (
        "calibration:Recalibrate",
        "posthoc",
        "Recalibrate the predictive variance on the validation split (posthoc).",
    ),
    "conformal": (
        "conformal:SplitConformal",
        "posthoc",
        "Split-conformal interval of nominal ``level``, calibrated on validation (posthoc).",
    ),
    "weighted_conformal": (
        "conformal:WeightedConformal",
        "posthoc",
        "Covariate-shift weighted conformal interval (posthoc; valid under covariate shift only).",
    ),
    "kshot_recalibrate": (
        "calibration:KshotRecalibrate",
        "test_time",
        "Refit a mean offset and a variance scale on k labelled target examples (test time).",
    ),
    "rc_average": ("strands:RCAverage", "test_time", "Average the model's predictions for both strands (test time)."),
    "evoaug": (
        "evoaug:EvoAug",
        "train",
        "EvoAug augmentation during training, then fine-tuning on unperturbed data (train).",
    ),
}
_FACTORIES = {name: lazy(f"rsbench_interventions.{target}", stage=stage) for name, (target, stage, _) in _TABLE.items()}


@hookimpl
def rsbench_register_interventions(register) -> None:  # type: ignore[no-untyped-def]
    for name, (_, stage, summary) in _TABLE.items():
        register(name, _FACTORIES[name], summary=summary, stage=stage)


@hookimpl
def rsbench_register_claims(register) -> None:  # type: ignore[no-untyped-def]
    from rsbench_interventions.claims import CLAIMS  # light: the judges load when first called

    for claim in CLAIMS:
        register(claim.name, claim)


def __getattr__(name: str) -> Any:
    # `from rsbench_interventions import EvoAug` and INTERVENTIONS (name -> class) still
    # work; the classes load on first use.
    if name == "INTERVENTIONS":
        return {key: resolve(factory) for key, factory in _FACTORIES.items()}
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"rsbench_interventions.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "INTERVENTIONS",
    "EvoAug",
    "KshotRecalibrate",
    "RCAverage",
    "Recalibrate",
    "SplitConformal",
    "WeightedConformal",
]
