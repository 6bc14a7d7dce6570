"""Several cell groups on one or more GPUs: process-pool GPU assignment, Ray shares."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from regshift_bench import plugins, results, tasks
from regshift_bench.errors import RegshiftError
from regshift_bench.execute import ray_resources, run_plan, worker_gpu
from regshift_bench.plan import expand

SUITE = Path(__file__).parent / "plugins" / "toy_suite.toml"
DEVICE = os.environ.get("RSBENCH_GPU_TEST_DEVICE", "cuda")


def _plan():
    plugins.configure(("plugins.toy_plugin",))
    return expand([tasks.load_suite(SUITE)], "smoke", seeds=1)


def test_pool_workers_take_the_visible_gpus_in_turn():
    assert [worker_gpu(i, 2) for i in range(5)] == [0, 1, 0, 1, 0]
    assert [worker_gpu(i, 1) for i in range(3)] == [0, 0, 0]  # several workers share it
    assert worker_gpu(0, 0) is None


def test_ray_asks_for_a_gpu_share_only_on_cuda():
    assert ray_resources("cuda", 0.25) == {"num_cpus": 1, "num_gpus": 0.25}
    assert ray_resources("cuda") == {"num_cpus": 1, "num_gpus": 1.0}
    assert ray_resources("cpu", 0.25)["num_gpus"] == 0


@pytest.mark.parametrize("share", [0.0, -1.0, 1.5])
def test_bad_gpu_share_is_refused_before_running(tmp_path, share):
    with pytest.raises(RegshiftError, match="gpus_per_group"):
        run_plan(_plan(), tmp_path / "r", device="cpu", gpus_per_group=share)
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_ray_executor_runs_the_plan_like_the_local_one(tmp_path):
    ray = pytest.importorskip("ray")
    # Built-in plugins only: a Ray worker does not see the test folder's toy plugin.
    plan = expand([tasks.find_suite("sim")], "smoke", models=["mean", "gc_linear"], shifts=["gc_shift"], seeds=1)
    ray.init(num_cpus=2, num_gpus=0, include_dashboard=False, log_to_driver=False)
    try:
        summary = run_plan(plan, tmp_path / "ray", device="cpu", executor="ray", gpus_per_group=0.5)
    finally:
        ray.shutdown()
    local = run_plan(plan, tmp_path / "local", device="cpu")
    assert not summary.failed and len(summary.outcomes) == len(local.outcomes)
    a = results.read_results(tmp_path / "ray").sort_values(["cell", "metric", "split"])
    b = results.read_results(tmp_path / "local").sort_values(["cell", "metric", "split"])
    assert list(a["cell"]) == list(b["cell"])
    np.testing.assert_allclose(a["value"].to_numpy(float), b["value"].to_numpy(float), rtol=1e-9, equal_nan=True)


@pytest.mark.gpu
def test_several_workers_share_the_gpu(tmp_path):
    suite = tasks.find_suite("sim")
    plan = expand([suite], "smoke", models=["mean", "cnn"], shifts=["gc_shift"], seeds=2)
    summary = run_plan(plan, tmp_path / "run", device=DEVICE, workers=3)
    assert len(summary.outcomes) == len(plan.cells) and not summary.failed
    assert set(results.read_results(tmp_path / "run")["device"]) == {DEVICE}
