"""The runner: results files, reuse, isolation, determinism, resume after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import plugins, results, tasks
from regshift_bench.errors import UnknownNameError
from regshift_bench.execute import run_plan
from regshift_bench.plan import expand

SUITE = Path(__file__).parent / "plugins" / "toy_suite.toml"
ROOT = Path(__file__).parent.parent


def _plan(models=(), shifts=(), seeds=None):
    plugins.configure(("plugins.toy_plugin",))
    return expand([tasks.load_suite(SUITE)], "smoke", models=models, shifts=shifts, seeds=seeds)


def test_plan_expands_grid_and_puts_reference_first():
    plan = _plan()
    # none@0 + toy_gc_shift@{0.5,1} = 3 settings x 2 models x 2 seeds
    assert len(plan.cells) == 12 and len(plan.groups()) == 4
    for group in plan.groups():
        assert group[0].shift == "none"
    assert len({c.cell for c in plan.cells}) == 12


def test_unknown_model_fails_before_any_work():
    with pytest.raises(UnknownNameError, match="did you mean 'toy_mean'"):
        _plan(models=["toy_maen"])


def test_run_writes_schema_and_reuses_trained_models(tmp_path):
    summary = run_plan(_plan(), tmp_path / "run", device="cpu")
    assert not summary.failed
    # One training per (model, seed); the two gc shifts reuse it.
    assert sum(o.reused_model for o in summary.outcomes) == 8
    frame = pd.read_parquet(tmp_path / "run" / "results.parquet")
    assert list(frame.columns) == results.RESULTS_SCHEMA.names
    assert set(frame["split"]) == {"val", "test_id", "test_ood"}
    assert set(frame["metric"]) == {"toy_mse", "toy_z2"}
    assert (frame["status"] == "ok").all()
    manifest = results.read_manifest(tmp_path / "run")
    assert manifest["provenance"]["torch"] and manifest["finished"]
    assert results.read_metadata(tmp_path / "run" / "results.parquet")["manifest"]["preset"] == "smoke"
    preds = results.read_predictions(tmp_path / "run", frame["cell"].iloc[0])
    assert {"y", "mean", "var", "y_true", "noise_var"} <= set(preds.columns)
    # The OOD split under a GC shift really has higher GC than the reference: the
    # noise-free activity written with the predictions is sites + 2 (GC - 0.5), so
    # +0.3 GC lifts its mean by 0.6 (sites add noise of about 0.2 to a mean of 32).
    shifted = frame.query("shift == 'toy_gc_shift' and severity == 1.0 and model == 'toy_gc'")
    assert sorted(set(shifted["seed"])) == [0, 1]
    for cell in shifted["cell"].unique():
        preds = results.read_predictions(tmp_path / "run", cell)
        by_split = preds.groupby("split")
        truth_rise = by_split["y_true"].mean()["test_ood"] - by_split["y_true"].mean()["test_id"]
        assert truth_rise > 0.3, truth_rise


def test_same_plan_same_values(tmp_path):
    a = run_plan(_plan(), tmp_path / "a", device="cpu")
    b = run_plan(_plan(), tmp_path / "b", device="cpu")
    assert not a.failed and not b.failed
    cols = ["cell", "split", "metric", "value"]
    fa = results.read_results(tmp_path / "a")[cols].sort_values(cols[:3]).reset_index(drop=True)
    fb = results.read_results(tmp_path / "b")[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(fa, fb)


def test_bad_models_fail_only_their_cells(tmp_path):
    plan = _plan(models=["toy_mean", "toy_nan", "toy_raises"], seeds=1)
    summary = run_plan(plan, tmp_path / "run", device="cpu")
    frame = results.read_results(tmp_path / "run")
    failed = frame[frame["status"] == "failed"]
    assert set(failed["model"]) == {"toy_nan", "toy_raises"}
    assert failed.query("model == 'toy_nan'")["error"].str.contains("not finite").all()
    assert failed.query("model == 'toy_raises'")["error"].str.contains("boom in fit").all()
    assert (frame.query("model == 'toy_mean'")["status"] == "ok").all()
    assert len(summary.failed) == 6
    # A re-run recomputes the failed cells only.
    again = run_plan(plan, tmp_path / "run", device="cpu")
    assert again.skipped_done == 3 and len(again.outcomes) == 6
    sessions = results.read_manifest(tmp_path / "run")["sessions"]
    assert len(sessions) == 2 and sessions[1]["cells_run"] == 6


def test_timeout_fails_the_cell(tmp_path):
    plan = _plan(models=["toy_slow"], seeds=1)
    summary = run_plan(plan, tmp_path / "run", device="cpu", timeout=0.2)
    # Every planned cell ran and failed by timeout (an empty run must not pass).
    assert len(plan.cells) == 3 and len(summary.outcomes) == 3 and len(summary.failed) == 3
    assert all(o.status == "failed" and o.error.startswith("CellTimeout: cell ran past its") for o in summary.outcomes)
    frame = results.read_results(tmp_path / "run")
    assert (frame["status"] == "failed").all() and frame["error"].str.contains("CellTimeout").all()


def test_corrupt_cached_model_is_retrained_and_recorded(tmp_path):
    plan = _plan(models=["toy_mean"], seeds=1)
    assert not run_plan(plan, tmp_path / "run", device="cpu").failed
    (cached,) = (tmp_path / "run" / "models").glob("*.pt")
    cached.write_bytes(b"not a state dict")
    for cell in (tmp_path / "run" / "cells").glob("*.parquet"):
        cell.unlink()  # the cells run again and meet the corrupt cache entry
    again = run_plan(plan, tmp_path / "run", device="cpu")
    assert not again.failed and len(again.outcomes) == 3
    warned = [o for o in again.outcomes if o.warning]
    assert len(warned) == 1 and not warned[0].reused_model
    assert f"cached model {cached.name} failed to load" in warned[0].warning
    assert "retrained" in warned[0].warning
    manifest = results.read_manifest(tmp_path / "run")
    assert manifest["cells"][warned[0].cell]["warning"] == warned[0].warning
    assert cached.read_bytes() != b"not a state dict"  # the retrained model replaced it


def _cli(*args, env_extra=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1", **(env_extra or {})}
    return [sys.executable, "-m", "regshift_bench.cli", "--plugin", "plugins.toy_plugin", *args], env


def test_killed_run_resumes_without_recomputing(tmp_path):
    out = tmp_path / "run"
    cmd, env = _cli(
        "run", "--task", str(SUITE), "--preset", "smoke", "--model", "toy_slow", "--out", str(out), "--device", "cpu"
    )
    # toy_slow blocks in predict once two cell files exist, so the kill lands after
    # exactly two finished cells however loaded the machine is (no race on timing).
    hang = {"TOY_SLOW_HANG_AFTER": f"{out / 'cells'}:2"}
    proc = subprocess.Popen(cmd, env={**env, **hang}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and not (out / "cells" / ".hanging").exists():
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = {p.name: p.stat().st_mtime_ns for p in (out / "cells").glob("*.parquet")}
    assert len(done) == 2, "the kill lands with two cells finished"
    for name in done:  # every finished cell is intact and readable
        assert len(pd.read_parquet(out / "cells" / name)) > 0
    finished = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert "2 already finished" in finished.stdout.replace("\n", " ")
    for name, mtime in done.items():
        assert (out / "cells" / name).stat().st_mtime_ns == mtime, "a finished cell was recomputed"
    assert len(list((out / "cells").glob("*.parquet"))) == 6


def test_local_process_pool_matches_sequential(tmp_path):
    seq = run_plan(_plan(seeds=1), tmp_path / "seq", device="cpu")
    par = run_plan(_plan(seeds=1), tmp_path / "par", device="cpu", workers=2)
    assert not seq.failed and not par.failed
    cols = ["cell", "split", "metric", "value"]
    a = results.read_results(tmp_path / "seq")[cols].sort_values(cols[:3]).reset_index(drop=True)
    b = results.read_results(tmp_path / "par")[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_ray_executor_matches_local(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests"))  # Ray workers import the toy plugin
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        local = run_plan(_plan(seeds=1), tmp_path / "local", device="cpu")
        remote = run_plan(_plan(seeds=1), tmp_path / "ray", device="cpu", executor="ray")
    finally:
        ray.shutdown()
    assert not local.failed and not remote.failed
    cols = ["cell", "split", "metric", "value"]
    a = results.read_results(tmp_path / "local")[cols].sort_values(cols[:3]).reset_index(drop=True)
    b = results.read_results(tmp_path / "ray")[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert np.isfinite(b["value"]).all()
