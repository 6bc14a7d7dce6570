"""Where LegNet and the DREAM models run: shipped presets and per-task model restriction."""

from __future__ import annotations

import pytest

from regshift_bench import plan, tasks
from regshift_bench.errors import TaskFileError

LEGNET_STANDARD = "legnet(batch_size=128, epochs=10, lr=0.003, mc_dropout=0)"


def test_standard_runs_legnet_on_sim_and_hepg2_only():
    sim = tasks.find_suite("sim").preset("standard")
    assert LEGNET_STANDARD in sim.models and sim.runs_model_on(LEGNET_STANDARD, "sim")
    mpra = tasks.find_suite("mpra").preset("standard")
    assert mpra.runs_model_on(LEGNET_STANDARD, "mpra_hepg2")
    for other in ("mpra_wtc11", "sharpr_pilot", "dream_yeast"):
        assert not mpra.runs_model_on(LEGNET_STANDARD, other)
        assert mpra.runs_model_on("cnn", other)  # unrestricted models run everywhere


@pytest.mark.parametrize("suite", ["sim", "mpra", "variants"])
def test_full_runs_every_registered_model(suite):
    # `full` lists no models, so legnet, the DREAM models and their prior variants run
    # on every task of every suite.
    assert tasks.find_suite(suite).preset("full").models is None


def _suite(tmp_path, models: str) -> str:
    path = tmp_path / "two.toml"
    path.write_text(f"""version = 1
name = "two"
[[tasks]]
task = "sim"
name = "sim_a"
shifts = ["none"]
[[tasks]]
task = "sim"
name = "sim_b"
shifts = ["none"]
[presets.smoke]
sizes = {{ train = 64, val = 32, test = 32 }}
max_steps = 2
models = {models}
""")
    return str(path)


def test_a_model_restricted_to_a_task_is_planned_there_only(tmp_path):
    suite = tasks.load_suite(_suite(tmp_path, '["mean", { name = "gc_linear", tasks = ["sim_b"] }]'))
    cells = plan.expand([suite], "smoke").cells
    assert {(c.task, c.model) for c in cells} == {("sim_a", "mean"), ("sim_b", "mean"), ("sim_b", "gc_linear")}
    # A model asked for with --model runs on every task.
    asked = plan.expand([suite], "smoke", models=["gc_linear"]).cells
    assert {c.task for c in asked} == {"sim_a", "sim_b"}


def test_restriction_to_an_unknown_task_is_refused(tmp_path):
    with pytest.raises(TaskFileError, match=r"\['sim_c'\] are not tasks of this suite"):
        tasks.load_suite(_suite(tmp_path, '[{ name = "mean", tasks = ["sim_c"] }]'))
