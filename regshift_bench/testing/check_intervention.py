"""Conformance check for interventions (``rsbench check NAME`` / :func:`check_intervention`).

A ``posthoc`` or ``test_time`` intervention is run on a toy split with a known
Gaussian prediction: it must calibrate on validation, return a valid prediction of
the right length for a split whose labels are hidden, and give the same answer for
the same seed. A ``train`` intervention's ``augment`` must return valid codes of the
batch's shape, deterministically for one seed, and change something.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from regshift_bench import api
from regshift_bench.api import Prediction, SeqDataset
from regshift_bench.api.intervention import STAGES, Context, Support, unlabelled
from regshift_bench.plugins import get_plugin
from regshift_bench.testing.report import CheckReport, CheckSkipped, construct_check
from regshift_bench.testing.toy import toy_dataset


class _MeanModel(api.Model):
    """A fixed model predicting y_true's scale from GC (nothing to fit)."""

    closed_form = True

    def fit(
        self, train: SeqDataset, val: SeqDataset, *, rng: np.random.Generator, device: str = "cpu", budget: Any = None
    ) -> _MeanModel:
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        mean = 2.0 * (data.gc().astype(np.float64) - 0.5)
        return Prediction(mean, np.full(len(data), 0.5))


def _toy_prediction(data: SeqDataset) -> Prediction:
    return _MeanModel().predict(data)


def check_intervention(target: str | Callable[[], Any], *, strict: bool = False, **params: Any) -> CheckReport:
    """Run an intervention on toy data and check its contract.

    Checks: construction does no work and gives an
    :class:`~regshift_bench.api.Intervention` with a valid ``stage``; then per stage
    (see the module docstring). Returns a :class:`CheckReport`; ``strict`` raises
    :class:`~regshift_bench.errors.PluginError` on a failure.
    """
    if isinstance(target, str):
        name, make = target, (lambda: get_plugin("intervention", target, **params))
    else:
        name, make = getattr(target, "name", "") or getattr(target, "__name__", "plugin"), target
    report = CheckReport("intervention", name)
    state: dict[str, Any] = {}
    construct = construct_check(make, api.Intervention, state, "iv")

    def stage() -> str:
        got = getattr(state["iv"], "stage", None)
        assert got in STAGES, f"stage {got!r} is not one of {', '.join(STAGES)}"
        return str(got)

    if not (report.run("construct", construct) and report.run("stage", stage)):
        return _finish(report, strict)
    if state["iv"].stage == "train":
        report.run("augment", lambda: _check_augment(make))
    else:
        report.run("adjust", lambda: _check_adjust(make, state))
        report.run("deterministic", lambda: _check_same(make, state))
    return _finish(report, strict)


def _run_adjust(make: Callable[[], Any]) -> tuple[Prediction, int]:
    iv = make()
    val, test = toy_dataset(200, 40, 1), toy_dataset(120, 40, 2, gc_mean=0.6)
    iv.calibrate(val, _toy_prediction(val), rng=np.random.default_rng(0))
    k = int(getattr(iv, "support_size", 0) or 0)
    support = None
    if k:
        assert 0 < k < len(test), f"support_size {k} must be below the split size {len(test)}"
        sup = test.subset(np.arange(k))
        support, test = Support(sup, _toy_prediction(sup)), test.subset(np.arange(k, len(test)))
    ctx = Context(_MeanModel(), "cpu", np.random.default_rng(1), support, "test_ood")
    out = iv.adjust(unlabelled(test), _toy_prediction(test), ctx)
    assert isinstance(out, Prediction), f"adjust returned {type(out).__name__}, not a Prediction"
    return out.check(len(test), plugin=iv.name or type(iv).__name__), k


def _check_adjust(make: Callable[[], Any], state: dict[str, Any]) -> str:
    out, k = _run_adjust(make)
    state["out"] = out
    extra = f"; {k} labelled target examples held out" if k else ""
    return f"{len(out)} predictions, mean var {out.var.mean():.3g}{extra}"


def _check_same(make: Callable[[], Any], state: dict[str, Any]) -> None:
    if "out" not in state:
        raise CheckSkipped("adjust failed; nothing to compare")
    again, _ = _run_adjust(make)
    np.testing.assert_allclose(again.mean, state["out"].mean, rtol=1e-7, err_msg="same seed, different means")
    np.testing.assert_allclose(again.var, state["out"].var, rtol=1e-7, err_msg="same seed, different variances")


def _check_augment(make: Callable[[], Any]) -> str:
    seqs = toy_dataset(32, 40, 3).seqs
    first = make().augment(seqs.copy(), np.random.default_rng(0))
    second = make().augment(seqs.copy(), np.random.default_rng(0))
    first = np.asarray(first)
    assert first.shape == seqs.shape, f"augment returned shape {first.shape}, expected {seqs.shape}"
    assert first.dtype == np.uint8 and int(first.max()) <= 4, "augment must return codes 0-4 (uint8)"
    np.testing.assert_array_equal(first, np.asarray(second), err_msg="same seed, different batch")
    changed = float((first != seqs).any(axis=1).mean())
    assert changed > 0, "augment left every sequence unchanged"
    return f"{changed:.0%} of sequences changed"


def _finish(report: CheckReport, strict: bool) -> CheckReport:
    if strict:
        report.raise_if_failed()
    return report
