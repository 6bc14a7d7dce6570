"""Conformance checks for models (``rsbench check MODEL``, :func:`check_model`)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from regshift_bench import api
from regshift_bench.api import Budget, Prediction, SeqDataset
from regshift_bench.testing.clock import ThreadCpuClock, single_torch_thread
from regshift_bench.testing.report import CheckReport, CheckSkipped, construct_check
from regshift_bench.testing.toy import toy_dataset

#: The budget of the functional checks' fits: two epochs of the toy data, and no time
#: cap. A wall-clock cap would make "same seed, same prediction" depend on the
#: machine's load (a fit cut short by a busy CPU is a different model); the time cap
#: itself is checked by ``budget_respected``.
CHECK_BUDGET = Budget(max_epochs=2)
#: The time cap the ``budget_respected`` check gives a fit without an epoch cap (virtual
#: seconds of :class:`~regshift_bench.testing.clock.ThreadCpuClock`: the fitting
#: thread's CPU time plus sleep, torch on that thread).
BUDGET_SECONDS = 1.0
#: Slack over ``BUDGET_SECONDS``: the epoch that crosses the limit plus set-up. Fixed,
#: not relative to another fit, so a model that ignores the budget everywhere still fails.
BUDGET_GRACE = 4.0


def saves_state(model: api.Model) -> bool:
    """Whether ``model`` overrides :meth:`~regshift_bench.api.Model.get_state` (can be cached)."""
    return model.saves_state()


def padded(data: SeqDataset, lengths: np.ndarray, width: int) -> SeqDataset:
    """``data`` cut to ``lengths`` (n,) and right-padded with N (code 4) to ``width``.

    Returns
    -------
    SeqDataset
        ``seqs`` (n, width) uint8 with ``lengths`` set; labels and meta unchanged.
    """
    seqs = np.full((len(data), width), 4, dtype=np.uint8)
    for i, n in enumerate(lengths):
        seqs[i, :n] = data.seqs[i, :n]
    return SeqDataset(seqs, data.y, data.y_true, data.noise_var, data.meta, np.asarray(lengths, dtype=np.int64))


def _predict_checked(model: api.Model, data: SeqDataset, name: str) -> Prediction:
    pred = model.predict(data)
    assert isinstance(pred, Prediction), f"predict returned {type(pred).__name__}, not Prediction"
    return pred.check(len(data), plugin=name)


def run_model_checks(name: str, make: Callable[[], Any], report: CheckReport) -> None:
    """Fit and predict on toy sequences; add the model contract's checks to ``report``.

    Checks: construction does no work; fit returns the model; predictions have shape
    (n,) with finite means and positive finite variances; the same seed gives the
    same prediction; predictions do not depend on batch size or order; padded,
    variable-length input (N-padded ``seqs`` with ``lengths``) is accepted and extra
    padding does not change a prediction; a fit under ``Budget(max_seconds=1)``
    stops within a few CPU-seconds; a saved state loads into a fresh instance and
    predicts identically (skipped, with the consequence, for a model without
    ``get_state``).
    """
    checks = _ModelChecks(name, make)
    construct = construct_check(make, api.Model, checks.state, "model")
    if report.run("construct", construct) and report.run("fit_predict", checks.fit_predict):
        report.run("deterministic", checks.deterministic)
        report.run("batch_and_order_invariant", checks.batch_invariant)
        report.run("variable_length_padded", checks.variable_length)
        report.run("budget_respected", checks.budget_respected)
        report.run("save_load_roundtrip", checks.save_load)


class _ModelChecks:
    """The model checks after ``construct``, sharing toy data and the first fit.

    ``state["model"]`` is the constructed instance (set by ``construct``), and
    ``state["pred"]`` its prediction on ``test`` (set by :meth:`fit_predict`).
    """

    def __init__(self, name: str, make: Callable[[], Any]) -> None:
        self.name, self.make = name, make
        self.train, self.val = toy_dataset(64, 40, 1), toy_dataset(32, 40, 2)
        self.test = toy_dataset(48, 40, 3)
        self.state: dict[str, Any] = {}

    def _fit(self, model: Any, train: SeqDataset, val: SeqDataset, budget: Budget = CHECK_BUDGET) -> Any:
        return model.fit(train, val, rng=np.random.default_rng(0), budget=budget)

    def fit_predict(self) -> str:
        model = self.state["model"]
        out = model.fit(self.train, self.val, rng=np.random.default_rng(0), device="cpu", budget=CHECK_BUDGET)
        assert out is model, "fit must return self"
        self.state["pred"] = _predict_checked(model, self.test, self.name)
        return f"mean var {self.state['pred'].var.mean():.3g}"

    def deterministic(self) -> None:
        other = self._fit(self.make(), self.train, self.val)
        again = _predict_checked(other, self.test, self.name)
        np.testing.assert_allclose(
            again.mean, self.state["pred"].mean, rtol=1e-5, atol=1e-6, err_msg="same seed gave a different mean"
        )
        np.testing.assert_allclose(
            again.var, self.state["pred"].var, rtol=1e-5, atol=1e-6, err_msg="same seed gave a different variance"
        )

    def batch_invariant(self) -> None:
        model, pred, test = self.state["model"], self.state["pred"], self.test
        perm = np.random.default_rng(5).permutation(len(test))
        shuffled = _predict_checked(model, test.subset(perm), self.name)
        np.testing.assert_allclose(
            shuffled.mean, pred.mean[perm], rtol=1e-4, atol=1e-5, err_msg="prediction depends on input order"
        )
        parts = [
            _predict_checked(model, test.subset(np.arange(i, min(i + 7, len(test)))), self.name)
            for i in range(0, len(test), 7)
        ]
        np.testing.assert_allclose(
            np.concatenate([p.mean for p in parts]),
            pred.mean,
            rtol=1e-4,
            atol=1e-5,
            err_msg="prediction depends on batch size",
        )

    def variable_length(self) -> str:
        rng = np.random.default_rng(9)
        vtrain = padded(self.train, rng.integers(24, 41, len(self.train)), 40)
        vval = padded(self.val, rng.integers(24, 41, len(self.val)), 40)
        lengths = rng.integers(24, 41, len(self.test))
        vtest = padded(self.test, lengths, 40)
        model = self._fit(self.make(), vtrain, vval)
        pred = _predict_checked(model, vtest, self.name)
        wider = _predict_checked(model, padded(vtest, lengths, 52), self.name)
        np.testing.assert_allclose(
            wider.mean,
            pred.mean,
            rtol=1e-4,
            atol=1e-4,
            err_msg="12 more columns of N padding changed the prediction; mask padded "
            "positions (data.lengths, or N = code 4 / all-zero one-hot columns)",
        )
        return f"lengths {lengths.min()}-{lengths.max()} padded to 40 and 52"

    def budget_respected(self) -> str:
        if getattr(self.state["model"], "closed_form", False):
            # The plugin guide lets a closed-form fit ignore the budget.
            raise CheckSkipped(
                "closed-form fit (closed_form = True): the budget caps "
                "iterative training only, so the time is not asserted"
            )
        big = toy_dataset(1024, 40, 4)
        budget = Budget(max_epochs=None, max_seconds=BUDGET_SECONDS)
        # Timed in CPU seconds of this thread (plus seconds slept) on a clock the model
        # reads too, with torch on this thread: neither other processes' load nor other
        # threads of this process (a test session's leftovers) count, so only the model
        # can fail this.
        with single_torch_thread(), ThreadCpuClock() as clock:
            self._fit(self.make(), big, self.val, budget)
            took = clock.elapsed
        allowed = BUDGET_SECONDS + BUDGET_GRACE
        assert took <= allowed, (
            f"fit under Budget(max_seconds={BUDGET_SECONDS:g}) took {took:.1f} CPU-seconds "
            f"(allowed {allowed:.1f}); stop training once budget.max_seconds has passed "
            "(read time.perf_counter())"
        )
        return f"{took:.2f} CPU-s under max_seconds={BUDGET_SECONDS:g}"

    def save_load(self) -> str:
        model = self.state["model"]
        if not saves_state(model):
            raise CheckSkipped(
                "no get_state/set_state: the runner cannot cache it, so it is retrained for each cell group"
            )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.pt"
            model.save(path)
            fresh = self.make().load(path)
        again = _predict_checked(fresh, self.test, self.name)
        np.testing.assert_allclose(
            again.mean, self.state["pred"].mean, rtol=1e-6, atol=1e-7, err_msg="loaded model predicts differently"
        )
        np.testing.assert_allclose(again.var, self.state["pred"].var, rtol=1e-6, atol=1e-7)
        return ""
