"""The GPU benchmark script runs end to end on CPU (``--device cpu --tiny``)."""

from __future__ import annotations

import importlib.util
import json
import signal
from pathlib import Path

import numpy as np
import pytest

from regshift_bench import tasks
from regshift_bench.plan import expand

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "gpu_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("gpu_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_model_rows_on_cpu(bench, tmp_path, capsys, one_torch_thread):
    report = bench.main(
        [
            "--device",
            "cpu",
            "--tiny",
            "--no-grid",
            "--models",
            "cnn",
            "--n-train",
            "128",
            "--n-test",
            "64",
            "--out",
            str(tmp_path),
        ]
    )
    (row,) = report["models"]
    for key in (
        "fit_seqs_s",
        "bare_fit_seqs_s",
        "fit_ratio",
        "predict_seqs_s",
        "bare_predict_seqs_s",
        "predict_mean_seqs_s",
    ):
        assert np.isfinite(row[key]) and row[key] > 0, key
    assert row["train_steps"] == 128 // row["batch"]  # one epoch of near-equal batches
    assert row["peak_mem_mib"] is None and row["util_samples"] == 0  # no GPU here
    assert json.loads((tmp_path / "bench.json").read_text())["models"][0]["model"] == "cnn"
    assert "harness/bare" in capsys.readouterr().out


def test_projection_costs_each_full_cell_by_its_task_model_shift(bench):
    full = expand([tasks.find_suite("sim")], "smoke", models=["mean", "cnn"], seeds=2)
    cells = [c for c in full.cells if c.model == "cnn"]
    costs = {(c.task, c.model, f"{c.shift}@{c.severity:g}"): 2.0 for c in cells}
    # The slice ran the cnn cells of one seed (half of them) in 10 s of summed cell
    # time and 5 s of wall time (two workers): the full plan's cnn cells cost twice that.
    out = bench.project(full, costs, slice_wall=5.0, slice_cost=len(cells) / 2 * 2.0)
    assert out["projected_seconds_covered"] == pytest.approx(10.0)
    assert out["full_cells_covered"] == len(cells)
    assert out["uncovered_task_models"] == ["sim/mean"]


def test_sampler_summary_without_samples(bench):
    sampler = bench.UtilSampler()
    sampler.samples = [(1.0, 50.0, 10.0), (2.0, 90.0, 10.0), (3.0, 95.0, 10.0)]
    got = sampler.summary(1.5, 3.5)
    assert got == {"util_mean": 92.5, "util_busy_frac": 1.0, "util_samples": 2}
    assert sampler.summary(5, 6)["util_mean"] is None


def test_grid_slice_stops_at_its_budget(bench, tmp_path, capsys, one_torch_thread):
    # The budget interrupts like Ctrl-C (_thread.interrupt_main), which does nothing when
    # SIGINT is ignored, as it is for a job a non-interactive shell starts in the background.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        report = bench.main(
            [
                "--device",
                "cpu",
                "--tiny",
                "--models",
                "",
                "--slice-models",
                "cnn",
                "--slice-budget",
                "0.01",
                "--out",
                str(tmp_path),
            ]
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    grid = report["grid"]
    # The budget's timer fires at once; on a loaded machine a tiny cell may still finish
    # before it is served, so what is asserted is the stop and its consequence, not a count.
    assert "stopped by --slice-budget" in capsys.readouterr().out
    assert grid["slice_cells_done"] < grid["slice_cells"]
    if grid["slice_cells_done"] == 0:
        assert grid["projected_seconds_covered"] is None  # nothing measured, nothing projected
        assert grid["full_cells_covered"] == 0
