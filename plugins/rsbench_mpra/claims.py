"""The real-data study's claims and its published anchors.

Real tasks have no oracle: a model is judged against its own in-distribution value,
and a constant ``mean`` and a GC-only ``gc_linear`` predictor are quoted beside it as
controls. Registered through ``rsbench_register_claims`` / ``rsbench_register_anchors``.
"""

from __future__ import annotations

from regshift_bench.api import Claim, Reads, Threshold
from regshift_bench.leaderboard.findings import Check, TaskView, selective_gain_checks

#: Constant and GC-only predictors: quoted beside every model, never judged.
CONTROLS = ("mean", "gc_linear")
GC_EXTREMES = "gc_extremes"
NO_GAIN = Threshold("selective_gain_floor", 1.0,
                    "selective_gain = mse / risk at 50% coverage; 1 = abstaining at random")


def selective_gc_extremes(views: list[TaskView]) -> tuple[list[Check], str]:
    """selective_gain > 1 on each GC tail of the largest gc_extremes severity, per model."""
    checks = []
    for v in views:
        top = max((c.severity for c in v.ood() if c.shift == GC_EXTREMES), default=None)
        conds = [c for c in v.ood() if c.shift == GC_EXTREMES and c.severity == top]
        checks += selective_gain_checks(v, conds, NO_GAIN.value)
    return checks, f"no real-data {GC_EXTREMES} cells in this run"


def _real(views: list[TaskView]) -> tuple[list[Check], str]:
    return selective_gc_extremes([v for v in views if not v.has_oracle])


CLAIMS: tuple[Claim, ...] = (
    Claim("real_selective_gc_extremes",
          "Selective prediction lowers risk at 50% coverage on the real GC-extremes tails",
          _real, Reads(shifts=(GC_EXTREMES,), metrics=("selective_gain",)), (NO_GAIN,),
          CONTROLS),
)
