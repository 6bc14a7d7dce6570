"""Grid references (issue 14): NAME@SEVERITY, model parameters, table digests, key typos."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

from regshift_bench import plan as planning
from regshift_bench import plugins, tasks
from regshift_bench.errors import RegshiftError, TaskFileError
from regshift_bench.execute import run_plan

ROOT = Path(__file__).parent.parent
TOY_SUITE = ROOT / "tests" / "plugins" / "toy_suite.toml"


@pytest.fixture(autouse=True)
def _toy():
    plugins.configure(("plugins.toy_plugin",))


def toy_plan(**kw):
    return planning.expand([tasks.load_suite(TOY_SUITE)], "smoke", **kw)


def test_shift_at_severity_runs_only_that_severity():
    cells = toy_plan(models=["toy_mean"], shifts=["toy_gc_shift@0.5"], seeds=1).cells
    assert sorted((c.shift, c.severity) for c in cells) == [("none", 0.0), ("toy_gc_shift", 0.5)]
    two = toy_plan(models=["toy_mean"], shifts=["toy_gc_shift@0.25,0.75"], seeds=1).cells
    assert {c.severity for c in two if c.shift == "toy_gc_shift"} == {0.25, 0.75}
    with pytest.raises(TaskFileError, match=r"NAME@SEVERITY.*\[0, 1\]"):
        toy_plan(shifts=["toy_gc_shift@1.5"])
    with pytest.raises(RegshiftError, match="did you mean 'toy_gc_shift'"):
        toy_plan(shifts=["toy_gc_shfit@0.5"])


def test_asked_severity_beats_the_presets_severity_trim(tmp_path):
    suite = tmp_path / "trim.toml"
    suite.write_text(TOY_SUITE.read_text().replace("max_epochs = 1", "max_epochs = 1\nseverities = [1.0]"))
    loaded = tasks.load_suite(suite)
    trimmed = planning.expand([loaded], "smoke", models=["toy_mean"], seeds=1).cells
    assert {c.severity for c in trimmed if c.shift == "toy_gc_shift"} == {1.0}
    asked = planning.expand([loaded], "smoke", models=["toy_mean"], seeds=1, shifts=["toy_gc_shift@0.25,0.5"]).cells
    assert {c.severity for c in asked if c.shift == "toy_gc_shift"} == {0.25, 0.5}


def test_shift_severities_replace_the_presets_trim_for_the_shifts_they_name(tmp_path):
    suite = tmp_path / "trim.toml"
    text = TOY_SUITE.read_text().replace("severities = [0.5, 1.0]", "severities = [0.25, 0.5, 1.0]")
    suite.write_text(
        text.replace(
            "max_epochs = 1", "max_epochs = 1\nseverities = [1.0]\nshift_severities = { toy_gc_shift = [0.25, 1.0] }"
        )
    )
    cells = planning.expand([tasks.load_suite(suite)], "smoke", models=["toy_mean"], seeds=1).cells
    assert sorted(c.severity for c in cells if c.shift == "toy_gc_shift") == [0.25, 1.0]
    # A misspelt shift would silently trim nothing: it is refused when planning.
    suite.write_text(text.replace("max_epochs = 1", "max_epochs = 1\nshift_severities = { toy_gc_shfit = [0.25] }"))
    with pytest.raises(RegshiftError, match="did you mean 'toy_gc_shift'"):
        planning.expand([tasks.load_suite(suite)], "smoke", models=["toy_mean"], seeds=1)
    suite.write_text(text.replace("max_epochs = 1", "max_epochs = 1\nshift_severities = { toy_gc_shift = [2.0] }"))
    with pytest.raises(TaskFileError, match=r"presets.smoke.shift_severities.*\[0, 1\]"):
        tasks.load_suite(suite)


def test_skip_shifts_leaves_a_shift_out_unless_it_is_asked_for(tmp_path):
    suite = tmp_path / "skip.toml"
    text = TOY_SUITE.read_text()
    suite.write_text(text.replace("max_epochs = 1", 'max_epochs = 1\nskip_shifts = ["toy_gc_shift"]'))
    loaded = tasks.load_suite(suite)
    cells = planning.expand([loaded], "smoke", models=["toy_mean"], seeds=1).cells
    assert "toy_gc_shift" not in {c.shift for c in cells} and "none" in {c.shift for c in cells}
    asked = planning.expand([loaded], "smoke", models=["toy_mean"], seeds=1, shifts=["toy_gc_shift"]).cells
    assert "toy_gc_shift" in {c.shift for c in asked}
    # The kept cells are the same cells (same keys) as in the untrimmed grid.
    full = planning.expand([tasks.load_suite(TOY_SUITE)], "smoke", models=["toy_mean"], seeds=1)
    assert {c.cell for c in cells} < {c.cell for c in full.cells}
    suite.write_text(text.replace("max_epochs = 1", 'max_epochs = 1\nskip_shifts = ["toy_gc_shfit"]'))
    with pytest.raises(RegshiftError, match="did you mean 'toy_gc_shift'"):
        planning.expand([tasks.load_suite(suite)], "smoke", models=["toy_mean"], seeds=1)
    suite.write_text(text.replace("max_epochs = 1", 'max_epochs = 1\nskip_shifts = ["none"]'))
    with pytest.raises(TaskFileError, match="skip_shifts.*in-distribution reference"):
        tasks.load_suite(suite)
    suite.write_text(text.replace("max_epochs = 1", 'max_epochs = 1\nskip_shifts = "toy_gc_shift"'))
    with pytest.raises(TaskFileError, match="skip_shifts.*list of shift names"):
        tasks.load_suite(suite)


def test_standard_runs_every_shipped_shift():
    # The published grid is the whole grid at severity 1: no shipped task loses a shift.
    # Checked on the task files alone, so it needs no data (the planner's shift list).
    plugins.configure(())
    registry = plugins.current().registry
    for suite in tasks.shipped_suites():
        preset = suite.preset("standard")
        assert preset.skip_shifts == (), suite.name
        for spec in suite.tasks:
            declared = {s.name for s in spec.shifts} if spec.shifts is not None else set(registry.names("shift"))
            planned = {s.name for s in planning._shift_specs(spec, (), preset.skip_shifts)}
            assert planned == declared | {"none"}, (suite.name, spec.label)


def test_standard_plans_every_shipped_shift_of_the_runnable_suites():
    # The same through the planner (each declared shift applies to its task), for the
    # suites whose data is here: the simulator's always, the MPRA suites with data.
    from regshift_bench.availability import runnable_suites

    plugins.configure(())
    try:
        suites, _ = runnable_suites(tasks.shipped_suites())
    except RegshiftError as exc:
        pytest.skip(f"no shipped suite can run here: {exc}")
    assert "sim" in {s.name for s in suites}  # the simulator needs no data
    for suite in suites:
        cells = planning.expand([suite], "standard", models=["mean"], seeds=1).cells
        declared = {s.name for t in suite.tasks for s in (t.shifts or ())}
        assert {c.shift for c in cells} == declared | {"none"}, suite.name


def test_standard_sim_preset_keeps_the_mild_severity_only_where_findings_read_it():
    from rsbench_sim.claims import MILD_SEVERITY, NOISE_LOW, NOISE_SHIFT
    from rsbench_sim.claims import MILD_SHIFT as MILD_GC_SHIFT

    plugins.configure(())
    sim = next(s for s in tasks.shipped_suites() if s.name == "sim")
    cells = planning.expand([sim], "standard", models=["mean"], seeds=1).cells
    mild = {c.shift for c in cells if 0 < c.severity < 1}
    # The shifts the Findings read run at two severities; the severe ones also at 0.5.
    assert mild == {MILD_GC_SHIFT, NOISE_SHIFT, "motif_rewiring"}
    assert MILD_SEVERITY == NOISE_LOW == 0.25
    assert {c.severity for c in cells if c.shift == MILD_GC_SHIFT} == {0.25, 1.0}
    assert {c.severity for c in cells if c.shift == "motif_rewiring"} == {0.5, 1.0}


def test_model_parameters_on_the_command_line_enter_the_cell_key(tmp_path):
    plain = toy_plan(models=["toy_mean"], seeds=1).cells
    shifted = toy_plan(models=["toy_mean(offset=5.0)"], seeds=1).cells
    assert {c.model for c in shifted} == {"toy_mean(offset=5.0)"}
    assert json.loads(shifted[0].model_params) == {"offset": 5.0}
    assert not {c.cell for c in plain} & {c.cell for c in shifted}
    # Without parameters a cell hashes exactly as it did before parameters existed.
    old = asdict(plain[0])
    for key in (
        "cell",
        "preset",
        "model_name",
        "model_args",
        "task_files",
        "task_data",
        "explainers",
        "explain_n",
        "intervention",
        "intervention_args",
    ):
        old.pop(key)
    assert planning.stable_hash(old) == plain[0].cell
    run_plan(planning.Plan(plain + shifted, "smoke", {"toy": 1}), tmp_path / "r")
    frame = pd.read_parquet(tmp_path / "r" / "results.parquet")
    pred = {
        m: pd.read_parquet(tmp_path / "r" / "predictions" / f"{c}.parquet")["mean"].mean()
        for m, c in frame.groupby("model")["cell"].first().items()
    }
    assert pred["toy_mean(offset=5.0)"] - pred["toy_mean"] == pytest.approx(5.0, abs=0.01)


def test_unknown_model_parameter_gets_did_you_mean():
    with pytest.raises(RegshiftError, match="no parameter 'ofset'; did you mean 'offset'"):
        toy_plan(models=["toy_mean(ofset=1)"])


def test_suite_file_models_take_parameters(tmp_path):
    text = TOY_SUITE.read_text().replace(
        'models = ["toy_mean", "toy_gc"]', 'models = ["toy_gc", {name = "toy_mean", params = {offset = 2.0}}]'
    )
    path = tmp_path / "suite.toml"
    path.write_text(text)
    cells = planning.expand([tasks.load_suite(path)], "smoke").cells
    assert {c.model for c in cells} == {"toy_gc", "toy_mean(offset=2.0)"}
    assert tasks.validate_suite(tasks.load_suite(path)) == []
    path.write_text(text.replace("params = {offset", "parms = {offset"))
    with pytest.raises(TaskFileError, match="'parms' \\(did you mean 'params'\\?\\)"):
        tasks.load_suite(path)


# -- table tasks: keyed on the data, not the path ------------------------------------------


def _table_task(folder: Path, rows: int = 80, seed: int = 0) -> Path:
    from regshift_bench.testing import toy_dataset

    folder.mkdir(parents=True, exist_ok=True)
    data = toy_dataset(rows, 30, seed)
    pd.DataFrame({"seq": data.strings(), "act": data.y}).to_csv(folder / "t.tsv", sep="\t", index=False)
    (folder / "task.toml").write_text(
        'version = 1\nname = "mine"\nkind = "table"\npath = "t.tsv"\n'
        'sequence_column = "seq"\nactivity_column = "act"\nshifts = ["none", "random"]\n'
    )
    return folder / "task.toml"


def _plan(task_file: Path):
    return planning.expand([tasks.load_suite(task_file)], "smoke", models=["toy_gc"], seeds=1)


def test_same_table_in_two_folders_is_the_same_cell_with_the_same_numbers(tmp_path):
    a, b = _table_task(tmp_path / "a"), _table_task(tmp_path / "b")
    plan_a, plan_b = _plan(a), _plan(b)
    assert [c.cell for c in plan_a.cells] == [c.cell for c in plan_b.cells]
    run_plan(plan_a, tmp_path / "ra")
    run_plan(plan_b, tmp_path / "rb")
    ra = pd.read_parquet(tmp_path / "ra" / "results.parquet").sort_values(["cell", "split", "metric"])
    rb = pd.read_parquet(tmp_path / "rb" / "results.parquet").sort_values(["cell", "split", "metric"])
    assert ra["value"].tolist() == pytest.approx(rb["value"].tolist(), nan_ok=True)
    params = json.loads(ra["task_params"].iloc[0])
    assert params["path"] == "t.tsv" and str(tmp_path) not in ra["task_params"].iloc[0]


def test_changed_table_reruns_and_replaces_the_old_cells(tmp_path):
    from regshift_bench import results
    from regshift_bench.execute import extension_note

    task = _table_task(tmp_path / "a")
    first = run_plan(_plan(task), tmp_path / "r")
    assert first.skipped_done == 0
    _table_task(tmp_path / "a", seed=1)  # same path, new contents: the same command again
    second = _plan(task)
    note = extension_note(results.read_manifest(tmp_path / "r"), second)
    assert "the data of task(s) mine changed" in note and "old cells are replaced" in note
    again = run_plan(second, tmp_path / "r")
    assert again.skipped_done == 0 and len(again.outcomes) == len(first.outcomes)
    frame = pd.read_parquet(tmp_path / "r" / "results.parquet")
    assert set(frame["cell"]) == {c.cell for c in second.cells}  # no stale rows left
    assert len(list((tmp_path / "r" / "cells").glob("*.parquet"))) == len(second.cells)


def test_empty_table_is_one_plan_time_error(tmp_path):
    task = _table_task(tmp_path)
    (tmp_path / "t.tsv").write_text("seq\tact\n")
    with pytest.raises(RegshiftError, match=r"t\.tsv: the table has no rows"):
        _plan(task)


def test_task_file_key_typo_suggests_the_key(tmp_path):
    task = _table_task(tmp_path)
    task.write_text(task.read_text().replace("sequence_column", "sequence_colum"))
    with pytest.raises(TaskFileError) as info:
        _plan(task)
    message = str(info.value)
    assert str(task) in message and "'sequence_colum' (did you mean 'sequence_column'?)" in message
    assert len(tasks.validate_suite(tasks.load_suite(task))) == 1


def test_suite_key_typo_suggests_the_key(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(TOY_SUITE.read_text().replace("metrics =", "metircs ="))
    with pytest.raises(TaskFileError, match="'metircs' \\(did you mean 'metrics'\\?\\)"):
        tasks.load_suite(path)
