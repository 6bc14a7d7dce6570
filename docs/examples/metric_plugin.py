"""A metric plugin: mean absolute error scaled by the label spread.

Run by tests/test_docs.py: ``check()`` must pass the conformance kit.
"""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Metric, Prediction, SeqDataset
from regshift_bench.errors import MetricSkipped, PluginError
from regshift_bench.testing import CheckReport, check_metric


class ScaledMAE(Metric):
    """Mean |y - mean| divided by the standard deviation of y (lower is better)."""

    name = "scaled_mae"
    higher_is_better = False
    table = "accuracy"          # shown in the leaderboard's accuracy table
    label = "sMAE"

    def __call__(self, data: SeqDataset, pred: Prediction, reference=None) -> float:
        y = np.asarray(data.y, dtype=np.float64)
        mean = np.asarray(pred.mean, dtype=np.float64)
        # A NaN must never become a number in the results: refuse it with a
        # RegshiftError subclass that names the metric (the runner records the cell as
        # failed with this one line, and the conformance kit checks it).
        if not (np.isfinite(y).all() and np.isfinite(mean).all()):
            raise PluginError("prediction or label holds NaN/inf; scaled_mae needs finite "
                              "values", plugin=self.name)
        spread = float(y.std())
        if spread == 0.0:
            # Undefined, not wrong: the row is written with status `skipped` and this reason.
            raise MetricSkipped("scaled_mae is undefined when every label is equal")
        return float(np.abs(y - mean).mean() / spread)


@hookimpl
def rsbench_register_metrics(register):
    register("scaled_mae", ScaledMAE, summary="MAE over the label standard deviation")


def check() -> CheckReport:
    """Attributes, a finite value and NaN refused (what ``rsbench check scaled_mae`` runs)."""
    return check_metric(ScaledMAE)
