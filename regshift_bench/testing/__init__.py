"""Conformance kit for plugin authors: ``check_model``, ``check_shift``, ...

>>> from regshift_bench.testing import check_model
>>> check_model("cnn").raise_if_failed()
"""

from __future__ import annotations

from regshift_bench.testing.check_claim import check_anchor, check_claim
from regshift_bench.testing.check_explainer import check_explainer
from regshift_bench.testing.check_intervention import check_intervention
from regshift_bench.testing.checks import (
    CHECKS,
    check_dataset,
    check_metric,
    check_model,
    check_prior,
    check_shift,
    check_task,
)
from regshift_bench.testing.report import CheckReport, CheckResult, CheckSkipped
from regshift_bench.testing.toy import ToyConfig, ToyTableTask, ToyTask, toy_dataset

__all__ = [
    "CHECKS",
    "CheckReport",
    "CheckResult",
    "CheckSkipped",
    "ToyConfig",
    "ToyTableTask",
    "ToyTask",
    "check_anchor",
    "check_claim",
    "check_dataset",
    "check_explainer",
    "check_intervention",
    "check_metric",
    "check_model",
    "check_prior",
    "check_shift",
    "check_task",
    "toy_dataset",
]
