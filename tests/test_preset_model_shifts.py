"""A preset's model table may restrict a model to some shifts (``shifts = [...]``)."""

from __future__ import annotations

import pytest

from regshift_bench import plan, tasks
from regshift_bench.errors import RegshiftError, TaskFileError


def _suite(tmp_path, models: str) -> str:
    path = tmp_path / "one.toml"
    path.write_text(f"""version = 1
name = "one"
[[tasks]]
task = "sim"
shifts = ["none", "gc_shift", "noise_inflation"]
[presets.smoke]
sizes = {{ train = 64, val = 32, test = 32 }}
max_steps = 2
severities = [1.0]
models = {models}
""")
    return str(path)


def test_a_model_restricted_to_shifts_runs_there_and_under_none(tmp_path):
    suite = tasks.load_suite(_suite(tmp_path, '["mean", { name = "gc_linear", shifts = ["noise_inflation"] }]'))
    cells = plan.expand([suite], "smoke").cells
    assert {c.shift for c in cells if c.model == "mean"} == {"none", "gc_shift", "noise_inflation"}
    # `none` is kept: every shift is read against it.
    assert {c.shift for c in cells if c.model == "gc_linear"} == {"none", "noise_inflation"}
    # A model asked for with --model runs under every shift.
    asked = plan.expand([suite], "smoke", models=["gc_linear"]).cells
    assert {c.shift for c in asked} == {"none", "gc_shift", "noise_inflation"}


def test_a_model_can_skip_shifts_but_never_none(tmp_path):
    suite = tasks.load_suite(_suite(tmp_path, '["mean", { name = "gc_linear", skip_shifts = ["gc_shift"] }]'))
    cells = plan.expand([suite], "smoke").cells
    assert {c.shift for c in cells if c.model == "gc_linear"} == {"none", "noise_inflation"}


def test_a_misspelt_shift_in_a_model_table_is_refused_at_plan_time(tmp_path):
    suite = tasks.load_suite(_suite(tmp_path, '[{ name = "mean", shifts = ["gc_shfit"] }]'))
    with pytest.raises(RegshiftError, match="gc_shfit.*did you mean 'gc_shift'"):
        plan.expand([suite], "smoke")


@pytest.mark.parametrize("value", ['"gc_shift"', "[]", "[1]"])
def test_a_malformed_shift_list_is_one_line_with_an_example(tmp_path, value):
    for key in ("shifts", "skip_shifts"):
        with pytest.raises(TaskFileError, match=rf"models\[0\]\.{key}.*{key} = \["):
            tasks.load_suite(_suite(tmp_path, f'[{{ name = "mean", {key} = {value} }}]'))
