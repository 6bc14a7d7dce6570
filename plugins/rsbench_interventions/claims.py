"""The interventions' claims, judged on the intervention cells of a run.

Each reads the paired evidence of :mod:`regshift_bench.leaderboard.interventions`
(the intervention's cells against the ``none`` cells of the same model, seed and
examples) and puts a seed-aware bootstrap interval on every value it judges.
Registered through ``rsbench_register_claims`` (see ``docs/interventions.md``). The
judges live in :mod:`rsbench_interventions.claim_judges`, loaded when a leaderboard
judges the claims (they need the leaderboard, which registering must not import).
"""

from __future__ import annotations

from regshift_bench.api import Claim, LazyFactory, Reads, Threshold, lazy

LOW = Threshold(
    "coverage_low",
    0.85,
    "0.05 below the nominal 0.9: about 2 binomial sd of a coverage measured on "
    "500 test examples with the calibration set's own spread added",
)
HIGH = Threshold(
    "coverage_high", 0.95, "0.05 above the nominal 0.9: an interval that wide is conservative, not calibrated"
)
GAP = Threshold("coverage_gap", 0.05, "|coverage − 0.9| of 0.05: the same band as above")
SAME_ID_R = Threshold(
    "same_id_r",
    0.02,
    "0.02 of Pearson r in distribution: below the seed-to-seed spread of a trained cnn's r, so 'equal ID r'",
)


def _judge(name: str) -> LazyFactory:
    """A judge of :mod:`rsbench_interventions.claim_judges`, imported when first called."""
    return lazy(f"rsbench_interventions.claim_judges:{name}")


CLAIMS = (
    Claim(
        "conformal_covers_id",
        "Split conformal holds 90% coverage in distribution (between 0.85 and 0.95)",
        _judge("conformal_in_distribution"),
        Reads(metrics=("coverage_90",)),
        (LOW, HIGH),
    ),
    Claim(
        "weighted_conformal_input_shift",
        "Under input (covariate) shifts, weighted conformal keeps coverage (above 0.85) where split conformal loses it",
        _judge("weighted_under_input_shift"),
        Reads(families=("input",), metrics=("coverage_90",)),
        (LOW,),
    ),
    Claim(
        "kshot_label_shift",
        "Under label shifts only target-labelled recalibration (kshot_recalibrate) recovers "
        "coverage: within 0.05 of 0.9, while the validation-only remedies stay outside",
        _judge("kshot_under_label_shift"),
        Reads(families=("label",), metrics=("coverage_90",)),
        (GAP,),
    ),
    Claim(
        "evoaug_ood_r",
        "EvoAug raises OOD Pearson r under input (covariate) shifts at equal ID r",
        _judge("evoaug_under_covariate_shift"),
        Reads(families=("input",), metrics=("pearson",)),
        (SAME_ID_R,),
    ),
)
