"""benchmarks/compare_runs.py: shared cells compared value by value, context ignored."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from regshift_bench.testing.synthetic_run import write_synthetic_run

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "compare_runs.py"


@pytest.fixture(scope="module")
def compare_runs():
    spec = importlib.util.spec_from_file_location("compare_runs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def two_runs(tmp_path):
    first = write_synthetic_run(
        tmp_path / "a",
        tasks=("sim",),
        seeds=1,
        n_test=20,
        models=("mean", "cnn"),
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        metrics=("mse", "pearson"),
    )
    second = tmp_path / "b"
    shutil.copytree(first, second)
    return first, second


def _edit(path: Path, column: str, change) -> None:
    frame = pd.read_parquet(path)
    frame[column] = change(frame[column])
    frame.to_parquet(path, index=False)


def test_same_cells_match_whatever_their_timing(compare_runs, two_runs):
    first, second = two_runs
    cell = sorted((second / "cells").glob("*.parquet"))[0]
    _edit(cell, "fit_seconds", lambda c: c + 100.0)  # when and how fast it ran: not compared
    out = compare_runs.compare(first, second)
    assert out["cells"] == len(list((first / "cells").glob("*.parquet"))) > 0
    assert out["mismatches"] == [] and out["max_abs_diff"] == 0
    assert compare_runs.main([str(first), str(second)]) == 0


@pytest.mark.parametrize("folder,column", [("cells", "value"), ("predictions", "mean")])
def test_one_changed_value_is_named(compare_runs, two_runs, folder, column):
    first, second = two_runs
    path = sorted((second / folder).glob("*.parquet"))[0]
    _edit(path, column, lambda c: c.where(c.index != 0, c + 1e-6))
    out = compare_runs.compare(first, second)
    assert [m.split(":")[0] for m in out["mismatches"]] == [f"{folder}/{path.stem}"]
    assert column in out["mismatches"][0] and out["max_abs_diff"] == pytest.approx(1e-6)
    assert compare_runs.main([str(first), str(second)]) == 1
    assert compare_runs.compare(first, second, atol=1e-5)["mismatches"] == []


def test_not_a_run_directory_is_one_line(compare_runs, tmp_path, capsys):
    assert compare_runs.main([str(tmp_path), str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err
