"""The identity shift ``none``, registered by the core's own plugin (:mod:`regshift_bench.core_plugin`)."""

from __future__ import annotations

import numpy as np

from regshift_bench.api import Shift, Splits, SplitSizes, Task, source_splits
from regshift_bench.errors import TaskFileError


class NoShift(Shift):
    """The identity shift: ``test_ood`` is a fresh source-domain draw.

    Generative tasks draw a new test set from the source configuration; fixed
    tasks reuse ``test_id`` (there is nothing else from the source domain). Every
    model gets this in-distribution reference. Severity has no effect.
    """

    # Selection at severity 0: test_ood is a random draw (or subset) of the source.
    kind = "selection"
    changes_inputs = False  # the source distribution itself
    default_severities = (0.0,)

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        src = source_splits(task, rng, sizes)
        if task.kind == "generative":
            if sizes.test is None:  # source_splits refuses this first; kept under python -O
                raise TaskFileError(f"task {task.name!r} is generative: the preset must set sizes.test")
            ood = task.sample(task.config(), sizes.test, src.ood_rng)
        else:
            ood = src.test_id
        return src.with_ood(ood, "no shift: test_ood comes from the source domain")
