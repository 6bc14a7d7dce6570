"""The real-data study's claims and its published anchors.

Real tasks have no oracle: a model is judged against its own in-distribution value,
and a constant ``mean`` and a GC-only ``gc_linear`` predictor are quoted beside it as
controls. Registered through ``rsbench_register_claims`` / ``rsbench_register_anchors``.
The judge lives in :mod:`rsbench_mpra.claim_judges`, loaded when a leaderboard judges
the claim (it needs the leaderboard, which registering must not import).
"""

from __future__ import annotations

from regshift_bench.api import Claim, Reads, Threshold, lazy

#: Constant and GC-only predictors: quoted beside every model, never judged.
CONTROLS = ("mean", "gc_linear")
GC_EXTREMES = "gc_extremes"
NO_GAIN = Threshold(
    "selective_gain_floor", 1.0, "selective_gain = mse / risk at 50% coverage; 1 = abstaining at random"
)

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "real_selective_gc_extremes",
        "Selective prediction lowers risk at 50% coverage on the real GC-extremes tails",
        lazy("rsbench_mpra.claim_judges:judge_real"),
        Reads(shifts=(GC_EXTREMES,), metrics=("selective_gain",)),
        (NO_GAIN,),
        CONTROLS,
    ),
)
