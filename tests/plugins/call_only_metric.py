"""A third-party metric written to the documented contract only: ``__call__(data, pred)``.

No ``compute``/``batched``/``stats``, no ``reference`` argument: the runner must score
it on every cell and the leaderboard must be able to bootstrap and rank by it.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Metric


class MeanAbsLogRatio(Metric):
    """Mean |log(σ² / (y − μ)²)| clipped at 5: how far each variance is from its error."""

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def __call__(self, data, pred):  # the contract, nothing more
        err2 = np.maximum((np.asarray(data.y, np.float64) - pred.mean) ** 2, 1e-12)
        return float(np.clip(np.abs(np.log(pred.var / err2)), 0, 5).mean())


@hookimpl
def rsbench_register_metrics(register) -> None:  # type: ignore[no-untyped-def]
    register("abs_log_ratio", MeanAbsLogRatio, summary="mean |log(var / err²)|")
