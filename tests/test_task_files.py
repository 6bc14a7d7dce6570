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
    text = ('version = 1\nname = "my_mpra"\nkind = "table"\npath = "data/t.tsv"\n'
            'sequence_column = "seq"\nactivity_column = "act"\n')
    suite = tasks.load_suite(write(tmp_path, text))
    (spec,) = suite.tasks
    assert spec.label == "my_mpra" and spec.task == "table"
    assert dict(spec.params)["path"] == str((tmp_path / "data/t.tsv").resolve())
    assert set(suite.presets) == {"smoke", "quick", "standard", "full"}


def test_validate_reports_unknown_names_with_suggestions(tmp_path):
    plugins.configure(("plugins.toy_plugin",))
    text = ('version = 1\nname = "x"\n[[tasks]]\ntask = "toyy"\nshifts = ["toy_gc_shfit"]\n'
            '[presets.smoke]\nmodels = ["toy_maen"]\n')
    problems = tasks.validate_suite(tasks.load_suite(write(tmp_path, text)))
    assert len(problems) == 3
    assert any("tasks[0].task" in p and "did you mean 'toy'" in p for p in problems)
    assert any("presets.smoke.models" in p and "toy_mean" in p for p in problems)


def test_shipped_suites_are_valid():
    for suite in tasks.shipped_suites():
        assert tasks.validate_suite(suite) == [], suite.path
