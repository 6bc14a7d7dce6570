"""The conformance kit catches what it claims to catch."""

from __future__ import annotations

import numpy as np
from plugins.toy_plugin import ToyMean

from regshift_bench import plugins
from regshift_bench.api import Prediction
from regshift_bench.testing import check_model, check_shift, check_task


class OrderDependent(ToyMean):
    def predict(self, data, *, device="cpu"):
        return Prediction(np.arange(len(data), dtype=float), np.ones(len(data)))


class Forgetful(ToyMean):
    def set_state(self, state):
        self.mean_, self.var_ = 0.0, 1.0


def test_good_model_passes():
    plugins.configure(("plugins.toy_plugin",))
    report = check_model("toy_gc")
    assert report.ok, report.results


def test_order_dependent_model_fails_invariance():
    report = check_model(OrderDependent)
    failed = {r.check for r in report.results if not r.passed}
    assert "batch_and_order_invariant" in failed


def test_save_load_mismatch_detected():
    report = check_model(Forgetful)
    assert not report.ok and any(r.check == "save_load_roundtrip" and not r.passed for r in report.results)


def test_nan_model_fails_with_plugin_name():
    plugins.configure(("plugins.toy_plugin",))
    report = check_model("toy_nan")
    failed = [r for r in report.results if not r.passed]
    assert failed and "toy_nan" in failed[0].detail


def test_none_shift_and_toy_task_pass():
    plugins.configure(("plugins.toy_plugin",))
    assert check_shift("none").ok
    assert check_shift("toy_gc_shift").ok
    assert check_task("toy").ok and check_task("toy_table").ok


# -- issue 14: optional state, the budget, padded input -----------------------------------


def test_stateless_model_passes_with_save_load_skipped():
    plugins.configure(("plugins.ux_plugin",))
    report = check_model("ux_stateless")
    assert report.ok
    skipped = [r for r in report.results if r.skipped]
    assert [r.check for r in skipped] == ["save_load_roundtrip"]
    assert "retrained for each cell group" in skipped[0].detail


def test_model_ignoring_max_seconds_fails_budget_check():
    plugins.configure(("plugins.ux_plugin",))
    report = check_model("ux_ignores_seconds")
    failed = {r.check: r.detail for r in report.results if not r.passed}
    assert list(failed) == ["budget_respected"]
    assert "max_seconds" in failed["budget_respected"]


def test_closed_form_model_is_not_timed_and_says_why():
    # The same fit that fails the budget check above passes when the model declares a
    # closed-form fit, which the plugin guide lets ignore the budget.
    plugins.configure(("plugins.ux_plugin",))
    report = check_model("ux_closed_form")
    assert report.ok
    timed = next(r for r in report.results if r.check == "budget_respected")
    assert timed.skipped and "closed_form = True" in timed.detail


def test_model_reading_padding_fails_variable_length_check():
    plugins.configure(("plugins.ux_plugin",))
    report = check_model("ux_padding_mean")
    failed = {r.check: r.detail for r in report.results if not r.passed}
    assert list(failed) == ["variable_length_padded"]
    assert "padding changed the prediction" in failed["variable_length_padded"]
