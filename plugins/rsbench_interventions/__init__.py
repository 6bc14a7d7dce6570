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
"""

from __future__ import annotations

from typing import Any

from regshift_bench import hookimpl
from rsbench_interventions.calibration import KshotRecalibrate, Recalibrate
from rsbench_interventions.conformal import SplitConformal, WeightedConformal
from rsbench_interventions.evoaug import EvoAug
from rsbench_interventions.strands import RCAverage

INTERVENTIONS: dict[str, Any] = {
    "recalibrate": Recalibrate, "conformal": SplitConformal,
    "weighted_conformal": WeightedConformal, "kshot_recalibrate": KshotRecalibrate,
    "rc_average": RCAverage, "evoaug": EvoAug,
}


@hookimpl
def rsbench_register_interventions(register) -> None:  # type: ignore[no-untyped-def]
    for name, cls in INTERVENTIONS.items():
        register(name, cls, summary=(cls.__doc__ or "").strip().splitlines()[0],
                 stage=cls.stage)


@hookimpl
def rsbench_register_claims(register) -> None:  # type: ignore[no-untyped-def]
    from rsbench_interventions.claims import CLAIMS  # late: the leaderboard is needed only here

    for claim in CLAIMS:
        register(claim.name, claim)


__all__ = ["INTERVENTIONS", "EvoAug", "KshotRecalibrate", "RCAverage", "Recalibrate",
           "SplitConformal", "WeightedConformal"]
