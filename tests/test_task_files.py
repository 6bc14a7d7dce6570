"""Task and suite files: parsing, validation errors naming file, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from regshift_bench import plugins, tasks
from regshift_bench.errors import TaskFileError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.toml"
    path.write_text(text)
    return path


def test_missing_version_names_field_and_fix(tmp_path):
    with pytest.raises(TaskFileError, match=r"t.toml: version: missing .*add version = 1"):
        tasks.load_suite(write(tmp_path, 'name = "x"\n[[tasks]]\ntask = "toy"\n'))


def test_bad_severity_refused(tmp_path):
    text = 'version = 1\nname = "x"\n[[tasks]]\ntask = "toy"\nshifts = [{name = "a", severities = [2.0]}]\n'
    with pytest.raises(TaskFileError, match=r"tasks\[0\].shifts\[0\].severities"):
        tasks.load_suite(write(tmp_path, text))


def test_invalid_toml_is_one_line_error(tmp_path):
    with pytest.raises(TaskFileError, match="not valid TOML"):
        tasks.load_suite(write(tmp_path, "version = \n"))


def test_table_task_file_resolves_path_relative_to_file(tmp_path):
    text = (
        'version = 1\nname = "my_mpra"\nkind = "table"\npath = "data/t.tsv"\n'
        'sequence_column = "seq"\nactivity_column = "act"\n'
    )
    suite = tasks.load_suite(write(tmp_path, text))
    (spec,) = suite.tasks
    assert spec.label == "my_mpra" and spec.task == "table"
    assert dict(spec.params)["path"] == str((tmp_path / "data/t.tsv").resolve())
    assert set(suite.presets) == {"smoke", "quick", "standard", "full"}


def test_validate_reports_unknown_names_with_suggestions(tmp_path):
    plugins.configure(("plugins.toy_plugin",))
    text = (
        'version = 1\nname = "x"\n[[tasks]]\ntask = "toyy"\nshifts = ["toy_gc_shfit"]\n'
        '[presets.smoke]\nmodels = ["toy_maen"]\n'
    )
    problems = tasks.validate_suite(tasks.load_suite(write(tmp_path, text)))
    assert len(problems) == 3
    assert any("tasks[0].task" in p and "did you mean 'toy'" in p for p in problems)
    assert any("presets.smoke.models" in p and "toy_mean" in p for p in problems)


def test_shipped_suites_are_valid():
    for suite in tasks.shipped_suites():
        assert tasks.validate_suite(suite) == [], suite.path


# -- unknown keys anywhere are errors --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "where", "hint"),
    [
        (
            'shifts = ["none", { name = "gc_shift", severites = [0.5] }]',
            r"tasks\[0\]\.shifts\[1\]: unknown key\(s\) 'severites' \(did you mean 'severities'\?\)",
            "severities",
        ),
        (
            'shifts = [{ name = "gc_shift", parms = {} }]',
            r"tasks\[0\]\.shifts\[0\]: unknown key\(s\) 'parms' \(did you mean 'params'\?\)",
            "params",
        ),
        ('metric = ["pearson"]', r"tasks\[0\]: unknown key\(s\) 'metric' \(did you mean 'metrics'\?\)", "metrics"),
    ],
)
def test_unknown_key_in_any_table_is_an_error_with_did_you_mean(tmp_path, body, where, hint):
    text = f'version = 1\nname = "x"\n[[tasks]]\ntask = "sim"\n{body}\n'
    with pytest.raises(TaskFileError, match=where):
        tasks.load_suite(write(tmp_path, text))


def test_tasks_validate_reports_an_inline_table_typo(tmp_path, capsys, monkeypatch):
    from regshift_bench.cli import console
    from regshift_bench.cli.main import main

    console.err_console.width = 300
    path = write(
        tmp_path,
        'version = 1\nname = "x"\n[[tasks]]\ntask = "sim"\n'
        'shifts = ["none", { name = "gc_shift", severites = [0.5] }]\n',
    )
    monkeypatch.setattr("sys.argv", ["rsbench", "tasks", "validate", str(path)])
    with pytest.raises(SystemExit) as exit_:
        main()
    out = capsys.readouterr()
    assert exit_.value.code == 1 and "valid" not in out.out
    (line,) = out.err.strip().splitlines()
    assert "shifts[1]: unknown key(s) 'severites' (did you mean 'severities'?)" in line


def test_validate_reports_a_model_parameter_of_the_wrong_type(tmp_path):
    plugins.configure(())
    suite = tasks.load_suite(
        write(
            tmp_path,
            (
                'version = 1\nname = "x"\n[[tasks]]\ntask = "sim"\n[presets.smoke]\n'
                'models = ["mean", "cnn(channels=abc)", {name = "cnn", params = {dropout = "high"}}]\n'
            ),
        )
    )
    problems = tasks.validate_suite(suite)
    assert len(problems) == 2, problems
    assert "'channels'" in problems[0] and "expects int" in problems[0]
    assert "'dropout'" in problems[1] and "expects float" in problems[1]


# -- the smoke preset is bounded ----------------------------------------------------------------


def test_every_shipped_smoke_preset_lists_a_short_model_list():
    # Without a list the smoke preset would run every registered model (14 and rising).
    for suite in tasks.shipped_suites():
        models = suite.preset("smoke").models
        assert models is not None and 1 <= len(models) <= 4, (suite.name, models)


def test_smoke_plan_of_all_suites_without_data_is_small():
    # `rsbench run --all --preset smoke` on a machine without data runs the sim suite:
    # one severity per shift and the short model list keep it at about a minute.
    from regshift_bench import plan as planning

    plugins.configure(())
    sim = next(s for s in tasks.shipped_suites() if s.name == "sim")
    cells = planning.expand([sim], "smoke").cells
    n_shifts = len(sim.tasks[0].shifts)
    assert {c.severity for c in cells if c.shift != "none"} == {1.0}
    assert len(cells) == n_shifts * 4 <= 60
