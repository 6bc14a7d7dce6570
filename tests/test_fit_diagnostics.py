"""Budgets in steps, FitReport, the diagnostics columns, presets that trim the grid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import plugins, results, tasks
from regshift_bench.api import Budget, FitReport, fit_report
from regshift_bench.errors import PluginError, RegshiftError, TaskFileError
from regshift_bench.execute import run_plan
from regshift_bench.plan import expand, trim_severities
from regshift_bench.testing import toy_dataset
from rsbench_models import CNN, Ensemble

ROOT = Path(__file__).parent.parent
SUITE = ROOT / "tests" / "plugins" / "toy_suite.toml"
FIT_COLS = ["epochs_run", "train_steps", "best_epoch", "stopped_by", "best_val_loss", "undertrained"]
SMALL_CNN = {"channels": 8, "n_blocks": 2, "batch_size": 16, "mc_dropout": 2}


# -- Budget ----------------------------------------------------------------------------
def test_budget_schedule_precedence() -> None:
    assert Budget().schedule(10, 5) == (5, 50)
    assert Budget(max_epochs=2).schedule(10, 5) == (2, 20)
    # min_steps raises the epochs (over max_epochs): a small set still gets its updates.
    assert Budget(min_steps=95).schedule(10, 5) == (10, 100)
    assert Budget(max_epochs=2, min_steps=95).schedule(10, 5) == (10, 100)
    # max_steps cuts the plan, mid-epoch if need be, and beats min_steps.
    assert Budget(max_steps=25).schedule(10, 5) == (3, 25)
    assert Budget(min_steps=95, max_steps=25).schedule(10, 5) == (3, 25)


@pytest.mark.parametrize(
    "bad", [{"max_steps": 0}, {"min_steps": -1}, {"patience": 1.5}, {"max_seconds": 0.0}, {"max_epochs": True}]
)
def test_budget_refuses_bad_limits(bad) -> None:
    with pytest.raises(RegshiftError, match="Budget"):
        Budget(**bad)


# -- FitReport ---------------------------------------------------------------------------
def test_undertrained_rule_and_round_trip() -> None:
    assert FitReport(4, 40, 4, "max_steps", 0.5).undertrained
    assert FitReport(4, 40, 4, "max_seconds", 0.5).undertrained
    assert not FitReport(4, 40, 2, "max_steps", 0.5).undertrained  # it had stopped improving
    assert not FitReport(4, 40, 4, "epochs", 0.5).undertrained
    report = FitReport(6, 60, 3, "early_stopping", 0.25, 1.5)
    assert FitReport.from_dict(json.loads(json.dumps(report.to_dict()))) == report
    assert report.columns() == {
        "epochs_run": 6,
        "train_steps": 60,
        "best_epoch": 3,
        "stopped_by": "early_stopping",
        "best_val_loss": 0.25,
        "undertrained": False,
    }
    with pytest.raises(PluginError, match="stopped_by"):
        FitReport(1, 1, 1, "tired")
    with pytest.raises(PluginError, match="best_epoch"):
        FitReport(1, 1, 2, "epochs")


def test_fit_report_accepts_dicts_and_names_bad_ones() -> None:
    class M:
        name = "m"

    m = M()
    assert fit_report(m) is None
    m.fit_report_ = {"epochs_run": 2, "train_steps": 8, "best_epoch": 2, "stopped_by": "epochs"}
    assert fit_report(m) == FitReport(2, 8, 2, "epochs")
    m.fit_report_ = {"epochs_run": 2}
    with pytest.raises(PluginError, match="plugin 'm'.*lacks"):
        fit_report(m)
    m.fit_report_ = "fine"
    with pytest.raises(PluginError, match="FitReport"):
        fit_report(m)


def test_combine_marks_an_ensemble_undertrained_when_any_member_is() -> None:
    ok, starved = FitReport(5, 50, 3, "early_stopping", 1.0), FitReport(2, 20, 2, "max_steps", 3.0)
    both = FitReport.combine([ok, starved])
    assert both.undertrained and both.train_steps == 70 and both.best_val_loss == 2.0
    assert not FitReport.combine([ok, ok]).undertrained


# -- the trainer under a budget --------------------------------------------------------------
@pytest.fixture(scope="module")
def data():
    return toy_dataset(64, 40, 1), toy_dataset(32, 40, 2)


def test_min_steps_forces_epochs_and_max_steps_starves(data, one_torch_thread) -> None:
    train, val = data  # 64 sequences at batch 16: 4 steps an epoch
    model = CNN(**SMALL_CNN, epochs=2, patience=100)
    model.fit(train, val, rng=np.random.default_rng(0), budget=Budget(min_steps=20))
    r = model.fit_report_
    assert (r.epochs_run, r.train_steps, r.stopped_by) == (5, 20, "epochs")
    model.fit(train, val, rng=np.random.default_rng(0), budget=Budget(max_steps=6))
    r = model.fit_report_
    assert (r.epochs_run, r.train_steps, r.stopped_by) == (2, 6, "max_steps")
    assert r.best_val_loss is not None and np.isfinite(r.best_val_loss)


def test_budget_patience_overrides_the_models(data, one_torch_thread) -> None:
    rng = np.random.default_rng(0)
    train = data[0].with_values(y=rng.normal(size=64).astype(np.float32))  # pure noise
    val = data[1].with_values(y=rng.normal(size=32).astype(np.float32))
    model = CNN(**SMALL_CNN, epochs=30, lr=2e-2, patience=100)
    model.fit(train, val, rng=np.random.default_rng(0), budget=Budget(patience=1))
    assert model.fit_report_.stopped_by == "early_stopping"
    assert model.fit_report_.epochs_run < 30


def test_ensemble_members_each_get_the_full_budget(data, one_torch_thread) -> None:
    train, val = data
    budget = Budget(min_steps=12, max_seconds=60.0)
    ens = Ensemble(base="cnn", members=2, base_params={**SMALL_CNN, "epochs": 1})
    ens.fit(train, val, rng=np.random.default_rng(0), budget=budget)
    single = CNN(**SMALL_CNN, epochs=1).fit(train, val, rng=np.random.default_rng(0), budget=budget)
    assert [m.fit_report_.train_steps for m in ens.models_] == [12, 12]
    assert single.fit_report_.train_steps == 12
    assert ens.fit_report_.train_steps == 24


# -- presets ---------------------------------------------------------------------------
def _suite(tmp_path: Path, preset: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(f'version = 1\nname = "s"\n[[tasks]]\ntask = "toy"\n[presets.quick]\n{preset}\n')
    return path


def test_preset_budget_keys_parse(tmp_path) -> None:
    suite = tasks.load_suite(
        _suite(tmp_path, "min_steps = 250\nmax_steps = 900\npatience = 3\nmax_seconds = 60\nseverities = [1.0]")
    )
    preset = suite.preset("quick")
    assert preset.budget == Budget(max_seconds=60, min_steps=250, max_steps=900, patience=3)
    assert preset.severities == (1.0,)


@pytest.mark.parametrize(
    "text,match",
    [
        ("min_step = 250", "unknown key.*'min_step'.*did you mean 'min_steps'"),
        ("max_steps = 0", "presets.quick.*max_steps"),
        ("severities = [2.0]", "presets.quick.severities"),
    ],
)
def test_bad_preset_is_one_line_error(tmp_path, text, match) -> None:
    with pytest.raises(TaskFileError, match=match) as err:
        tasks.load_suite(_suite(tmp_path, text))
    assert "\n" not in str(err.value)


def test_severity_trim_keeps_declared_or_the_highest() -> None:
    assert trim_severities((0.25, 0.5, 1.0), (1.0,)) == (1.0,)
    assert trim_severities((0.25, 0.5, 1.0), (0.5, 1.0)) == (0.5, 1.0)
    assert trim_severities((0.0,), (1.0,)) == (0.0,)  # e.g. `random`: keeps its one setting
    assert trim_severities((0.25, 0.5), None) == (0.25, 0.5)


def test_shipped_presets_state_budgets_in_steps() -> None:
    plugins.configure(())
    for suite in tasks.shipped_suites():
        assert {"smoke", "quick", "standard", "full"} <= set(suite.presets)
        quick, standard = suite.preset("quick"), suite.preset("standard")
        for p in (quick, standard):
            assert p.budget.min_steps and p.budget.max_steps
            assert p.budget.max_epochs is None  # steps, not epochs
        assert standard.seeds >= 3 and quick.seeds == 1
        if suite.name != "sim":
            continue  # real-data suites need the data directory to plan
        plan = expand([suite], "quick", models=["mean"])
        sev = {(c.task, c.shift): set() for c in plan.cells}
        for c in plan.cells:
            sev[(c.task, c.shift)].add(c.severity)
        assert all(len(v) == 1 for v in sev.values())  # quick: one severity per shift


# -- the runner and the CLI ------------------------------------------------------------------
def _rsbench(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "COLUMNS": "200", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "regshift_bench.cli", "--plugin", "plugins.toy_plugin", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_runner_writes_diagnostics_and_reused_models_keep_them(tmp_path) -> None:
    plugins.configure(("plugins.toy_plugin",))
    suite = tasks.load_suite(SUITE)
    plan = expand([suite], "smoke", models=["cnn", "toy_mean"], seeds=1)
    assert not run_plan(plan, tmp_path / "run", device="cpu").failed
    frame = results.read_results(tmp_path / "run")
    cnn = frame[frame["model"] == "cnn"]
    assert cnn[FIT_COLS].notna().all().all()
    assert set(cnn["stopped_by"]) <= {"epochs", "early_stopping", "max_steps", "max_seconds"}
    # every shift of the group reports the one training, including the reused ones
    assert cnn.groupby("cell")["train_steps"].first().nunique() == 1
    assert frame.loc[frame["model"] == "toy_mean", FIT_COLS].isna().all().all()
    # A fresh process loading the cached model from disk reports the same diagnostics.
    first = cnn.drop_duplicates("cell")[["shift", "severity", *FIT_COLS]]
    for f in (tmp_path / "run" / "cells").glob("*.parquet"):
        f.unlink()
    summary = run_plan(plan, tmp_path / "run", device="cpu")
    assert all(o.reused_model for o in summary.outcomes if o.fit_seconds == 0.0)
    again = results.read_results(tmp_path / "run")
    again = again[again["model"] == "cnn"].drop_duplicates("cell")[["shift", "severity", *FIT_COLS]]
    key = ["shift", "severity"]
    pd.testing.assert_frame_equal(
        first.sort_values(key).reset_index(drop=True), again.sort_values(key).reset_index(drop=True)
    )


def test_cli_max_steps_starves_and_runs_show_counts_it(tmp_path) -> None:
    out = _rsbench(
        "run",
        "--task",
        "sim",
        "--preset",
        "smoke",
        "--model",
        "cnn",
        "--shift",
        "none",
        "--max-steps",
        "2",
        "--out",
        str(tmp_path / "r"),
    )
    assert out.returncode == 0, out.stderr
    frame = pd.read_parquet(tmp_path / "r" / "results.parquet")
    assert (frame["train_steps"] == 2).all() and (frame["stopped_by"] == "max_steps").all()
    assert frame["undertrained"].all()
    shown = _rsbench("runs", "show", str(tmp_path / "r"), "--json")
    assert len(json.loads(shown.stdout)["undertrained"]) == frame["cell"].nunique()
