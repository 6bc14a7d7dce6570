"""What a new user trips on (issue 14): markup, --out, names, errors, plugin checks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from regshift_bench import plugins

ROOT = Path(__file__).parent.parent
TOY_SUITE = str(ROOT / "tests" / "plugins" / "toy_suite.toml")
UX = ("--plugin", "plugins.ux_plugin", "--plugin", "plugins.toy_plugin")


@pytest.fixture
def cli(capsys):
    """Run ``rsbench ARGS`` in this process; return (exit code, stdout, stderr)."""
    from regshift_bench.cli import console as consoles
    from regshift_bench.cli.main import main

    consoles.console.width = consoles.err_console.width = 300  # no folding in assertions

    def run(*args: str) -> tuple[int, str, str]:
        old = sys.argv
        sys.argv = ["rsbench", *args]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        finally:
            sys.argv = old
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


# -- 3: brackets are text, never markup ---------------------------------------------------


def test_simulate_help_shows_brackets(cli):
    code, out, err = cli("simulate", "--help")
    assert code == 0, err
    assert "test_ood[/NAME]" in out


def test_run_help_shows_reference_forms(cli):
    code, out, _ = cli("run", "--help")
    assert code == 0 and "NAME@SEVERITY" in out and "cnn(channels=32)" in out


def test_list_models_and_metrics_print_summaries_literally(cli):
    code, out, err = cli(*UX, "list", "models")
    assert code == 0, err
    assert "[/x]" in out and "toy_mean" in out
    code, out, err = cli(*UX, "list", "metrics")
    assert code == 0, err
    assert "E[(y - mu)^2]" in out and "[bold]rows[/bold]" in out


def test_bracketed_model_reference_names_the_expected_form(cli, tmp_path):
    code, _, err = cli(*UX, "run", "--model", "x[a=1]", "--out", str(tmp_path / "r"))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "'x[a=1]'" in lines[0] and "NAME(key=value, ...)" in lines[0]
    assert "did you mean 'x'" not in lines[0]


def test_error_with_brackets_printed_verbatim(cli):
    code, _, err = cli("check", "no_such[/b]")
    assert code == 1 and "'no_such[/b]'" in err


# -- 4, 10: --out -------------------------------------------------------------------------


def test_out_pointing_at_a_file_is_one_line(cli, tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("not a run")
    code, _, err = cli(
        *UX, "run", "--task", TOY_SUITE, "--preset", "smoke", "--model", "toy_mean", "--out", str(target)
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "is a file" in lines[0] and str(target) in lines[0]
    assert target.read_text() == "not a run"


def test_out_of_another_plan_refused_without_merge(cli, tmp_path):
    out = str(tmp_path / "r")
    base = (*UX, "run", "--task", TOY_SUITE, "--preset", "smoke", "--seeds", "1", "--out", out)
    code, stdout, err = cli(*base, "--model", "toy_mean")
    assert code == 0, err
    assert "3 cells in 1 group " in stdout and "1 model;" in stdout and "1 seed [0]" in stdout
    code, _, err = cli(*base, "--model", "toy_gc")
    assert code == 1 and "--merge" in err and "another plan" in err
    code, stdout, err = cli(*base, "--model", "toy_mean")  # the same plan resumes
    assert code == 0 and "0 cells run" in stdout
    code, _, err = cli(*base, "--model", "toy_gc", "--merge")
    assert code == 0, err
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert {e["model"] for e in manifest["plan"]} == {"toy_mean", "toy_gc"}
    assert all(c["status"] == "ok" for c in manifest["cells"].values())


def test_out_extended_by_a_superset_plan_says_so(cli, tmp_path):
    out = str(tmp_path / "r")
    base = (*UX, "run", "--task", TOY_SUITE, "--preset", "smoke", "--model", "toy_mean", "--out", out)
    assert cli(*base, "--seeds", "1")[0] == 0
    code, stdout, err = cli(*base, "--seeds", "2")  # the first run is part of this one
    assert code == 0, err
    assert "adding 3 new cells to the 3 of the run already in this directory" in stdout
    code, stdout, _ = cli(*base, "--seeds", "1")  # a subset: nothing to do, nothing to say
    assert code == 0 and "adding" not in stdout and "0 cells run" in stdout


# -- 9: errors naming the right cause -----------------------------------------------------


def test_seeds_zero_says_what_is_wrong(cli, tmp_path):
    code, _, err = cli(
        *UX, "run", "--task", TOY_SUITE, "--preset", "smoke", "--seeds", "0", "--out", str(tmp_path / "r")
    )
    assert code == 1 and "--seeds 0" in err and "at least 1" in err
    assert "no shift applies" not in err


def test_task_naming_a_suite_suggests_suite(cli, tmp_path):
    # `mpra` is a shipped suite, and no suite declares a task labelled `mpra`.
    code, _, err = cli("run", "--task", "mpra", "--out", str(tmp_path / "r"))
    assert code == 1 and "--suite mpra" in err and len(err.strip().splitlines()) == 1


def test_cuda_without_cuda_refused_before_the_plan(cli, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    code, out, err = cli(
        *UX, "run", "--task", TOY_SUITE, "--preset", "smoke", "--device", "cuda", "--out", str(tmp_path / "r")
    )
    assert code == 1 and "CUDA" in err and "plan" not in out
    assert not (tmp_path / "r").exists()


def test_check_takes_a_plugin_name(cli):
    from regshift_bench.cli.cmd_check import _entries

    plugins.configure(("plugins.ux_plugin",))
    names = {e.name for e in _entries("plugins.ux_plugin", None)}
    assert names == {
        "ux_markup",
        "ux_stateless",
        "ux_ignores_seconds",
        "ux_closed_form",
        "ux_padding_mean",
        "ux_interrupting",
        "ux_formula",
    }
    assert {e.name for e in _entries("metrics", None)} == set(plugins.current().registry.names("metric")) - {
        "ux_formula"
    }
    code, _, err = cli("check", "modles")
    assert code == 1 and "did you mean 'models'" in err and "rsbench plugins" in err


# -- 12: get_state is optional ------------------------------------------------------------


def test_check_skips_save_load_for_a_stateless_model(cli):
    code, out, err = cli(*UX, "check", "ux_stateless")
    assert code == 0, out + err
    line = next(x for x in out.splitlines() if "save_load_roundtrip" in x)
    assert "SKIP" in line and "retrained for each cell group" in line
    assert "FAIL" not in out


def test_run_says_once_that_a_stateless_model_is_retrained(cli, tmp_path):
    code, out, err = cli(
        *UX,
        "run",
        "--task",
        TOY_SUITE,
        "--preset",
        "smoke",
        "--model",
        "ux_stateless",
        "--model",
        "toy_mean",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 0, err
    assert out.count("no get_state") == 1 and "ux_stateless" in out
    assert "retrained for each cell group (2 groups here)" in out


def test_simulate_out_pointing_at_a_directory_is_one_line(cli, tmp_path):
    code, _, err = cli("simulate", "--out", str(tmp_path), "--n", "10")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "is a directory" in err
