"""``rsbench run --all`` without data: run what can run, name each skipped suite once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regshift_bench import paths, plugins, tasks
from regshift_bench.availability import runnable_suites
from regshift_bench.errors import DataMissingError

TOY_SUITE = Path(__file__).parent / "plugins" / "toy_suite.toml"
NEEDS_DATA = """version = 1
name = "needs_data"
description = "a suite whose task reads toy_counts from the data directory"

[[tasks]]
task = "toy_counts_task"

[[tasks]]
task = "toy"
name = "toy_again"
shifts = ["none"]
metrics = ["toy_mse"]

[presets.smoke]
sizes = { train = 16, val = 8, test = 8 }
seeds = 1
max_epochs = 1
models = ["toy_mean"]
"""


@pytest.fixture
def suites(tmp_path, monkeypatch):
    monkeypatch.setenv("RSBENCH_DATA_DIR", str(tmp_path / "data"))
    plugins.configure(("plugins.toy_plugin", "plugins.toy_dataset"))
    (tmp_path / "needs_data.toml").write_text(NEEDS_DATA)
    return [tasks.load_suite(TOY_SUITE), tasks.load_suite(tmp_path / "needs_data.toml")]


def test_tasks_without_data_are_skipped_with_the_command_that_gets_it(suites, tmp_path):
    runnable, skipped = runnable_suites(suites)
    assert [s.name for s in runnable] == ["toy", "needs_data"]
    assert [t.label for t in runnable[1].tasks] == ["toy_again"]  # the task with data stays
    assert len(skipped) == 1
    gone = skipped[0]
    assert gone.suite == "needs_data" and gone.tasks == ("toy_counts_task",)
    assert not gone.whole_suite
    assert gone.fixes == ("rsbench data fetch toy_counts --url <mirror of toy/counts/>",)
    line = gone.line()
    assert "toy_counts_task of suite needs_data" in line and str(tmp_path / "data") in line
    assert "\n" not in line
    # Once the data is there, nothing is skipped.
    from plugins.toy_dataset import CONTENT

    target = tmp_path / "data" / "toy" / "counts" / "counts.tsv"
    target.parent.mkdir(parents=True)
    target.write_bytes(CONTENT)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == plugins.get_dataset("toy_counts").files[0].sha256
    runnable, skipped = runnable_suites(suites)
    assert skipped == [] and runnable == suites


def test_nothing_runnable_is_one_error(suites):
    only = [s for s in suites if s.name == "needs_data"][0]
    from dataclasses import replace

    bare = replace(only, tasks=only.tasks[:1])
    with pytest.raises(DataMissingError, match="nothing can run.*rsbench data fetch toy_counts"):
        runnable_suites([bare])


def test_shipped_suites_without_data_keep_the_simulator(tmp_path, monkeypatch):
    monkeypatch.setenv("RSBENCH_DATA_DIR", str(tmp_path))
    runnable, skipped = runnable_suites(tasks.shipped_suites())
    assert "sim" in {s.name for s in runnable} and "mpra" not in {s.name for s in runnable}
    mpra = {s.suite: s for s in skipped}["mpra"]
    assert mpra.whole_suite and "rsbench data fetch sharpr_pilot" in mpra.fixes


def test_run_all_names_each_skipped_suite_once_and_exits_0(suites, tmp_path, monkeypatch):
    from regshift_bench.cli.main import app

    tasks_dir = tmp_path / "tasks"
    tasks_dir.mkdir()
    (tasks_dir / "toy.toml").write_text(TOY_SUITE.read_text())
    (tasks_dir / "needs_data.toml").write_text(NEEDS_DATA)
    monkeypatch.setattr(paths, "tasks_dirs", lambda: [tasks_dir])
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "--plugin",
            "plugins.toy_plugin",
            "--plugin",
            "plugins.toy_dataset",
            "run",
            "--all",
            "--preset",
            "smoke",
            "--out",
            str(out),
            "--device",
            "cpu",
        ],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert text.count("skipped") == 1 and text.count("toy_counts_task") == 1
    assert "rsbench data fetch toy_counts" in text
    assert "tasks toy, toy_again" in text  # the plan kept every runnable task
    assert (out / "results.parquet").is_file()
