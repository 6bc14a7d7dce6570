"""A shift plugin: the test set keeps only the longest-GC-run half of a held-out pool.

Run by tests/test_docs.py: ``check()`` must pass the conformance kit.
"""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Shift, Splits, SplitSizes, Task, source_splits
from regshift_bench.testing import CheckReport, check_shift


class HighGCTest(Shift):
    """Selection shift: ``test_ood`` is the highest-GC part of a second source draw.

    Severity s keeps the top ``50 - 40 s`` % by GC: severity 0 keeps the upper half,
    severity 1 the top 10 %.
    """

    name = "high_gc_test"
    kind = "selection"            # covariate | mechanism | measurement | selection
    changes_inputs = True         # the test sequences differ from the training ones
    changes_train = False         # train/val/test_id are exactly the `none` shift's
    default_severities = (0.5, 1.0)

    def __init__(self, severity: float = 0.0) -> None:
        self.severity = severity

    def applies_to(self, task: Task) -> bool:
        return task.kind == "generative"

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        # Source parts first, from the same rng as every other shift: the runner then
        # reuses one trained model for this shift and `none`.
        src = source_splits(task, rng, sizes)
        pool = task.pool(src.ood_rng, 4 * sizes.test)   # OOD draws from the reserved child rng
        keep = 0.5 - 0.4 * float(self.severity)
        order = np.argsort(-pool.gc(), kind="stable")
        chosen = np.sort(order[: max(1, int(round(keep * len(pool))))][: sizes.test])
        return src.with_ood(pool.subset(chosen), f"top {keep:.0%} of sequences by GC")


@hookimpl
def rsbench_register_shifts(register):
    register("high_gc_test", HighGCTest, summary="test on the high-GC end of the source pool")


def check() -> CheckReport:
    """Construct, split, determinism, and reuse of the `none` training data."""
    return check_shift(lambda: HighGCTest(severity=1.0))
