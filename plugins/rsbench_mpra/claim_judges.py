"""The judge of the real-data study's claim (:mod:`rsbench_mpra.claims`)."""

from __future__ import annotations

from regshift_bench.leaderboard.findings import Check, TaskView, selective_gain_checks
from rsbench_mpra.claims import GC_EXTREMES, NO_GAIN


def selective_gc_extremes(views: list[TaskView]) -> tuple[list[Check], str]:
    """selective_gain > 1 on each GC tail of the largest gc_extremes severity, per model."""
    checks = []
    for v in views:
        top = max((c.severity for c in v.ood() if c.shift == GC_EXTREMES), default=None)
        conds = [c for c in v.ood() if c.shift == GC_EXTREMES and c.severity == top]
        checks += selective_gain_checks(v, conds, NO_GAIN.value)
    return checks, f"no real-data {GC_EXTREMES} cells in this run"


def judge_real(views: list[TaskView]) -> tuple[list[Check], str]:
    """The claim's judge: :func:`selective_gc_extremes` on the tasks without an oracle."""
    return selective_gc_extremes([v for v in views if not v.has_oracle])
