"""``rsbench run`` as a library call, and option values refused before any planning."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import regshift_bench
from regshift_bench import plugins
from regshift_bench.errors import RegshiftError
from regshift_bench.run_api import RunOptions, prepare

ROOT = Path(__file__).parent.parent
TOY_SUITE = str(ROOT / "tests" / "plugins" / "toy_suite.toml")
TOY = ("--plugin", "plugins.toy_plugin")


@pytest.fixture
def cli(capsys):
    """Run ``rsbench ARGS`` in this process; return (exit code, stdout, stderr)."""
    from regshift_bench.cli import console as consoles
    from regshift_bench.cli.main import main

    consoles.console.width = consoles.err_console.width = 300

    def run(*args: str) -> tuple[int, str, str]:
        old, sys.argv = sys.argv, ["rsbench", *args]
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


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--workers", "0", "at least 1 worker"),
        ("--workers", "-3", "at least 1 worker"),
        ("--cell-timeout", "-1", "positive number of seconds"),
        ("--cell-timeout", "0", "positive number of seconds"),
        ("--cell-timeout", "inf", "positive number of seconds"),
        ("--max-steps", "0", "at least 1 step"),
        ("--seeds", "0", "seeds run as 0..N-1"),
        ("--executor", "dask", "unknown executor"),
    ],
)
def test_invalid_numeric_option_is_one_line_before_planning(cli, tmp_path, flag, value, words):
    code, out, err = cli(
        *TOY, "run", "--task", TOY_SUITE, "--preset", "smoke", flag, value, "--out", str(tmp_path / "r")
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"{flag} {value}" in lines[0] and words in lines[0], err
    assert "plan" not in out and not (tmp_path / "r").exists()


def test_model_parameter_of_wrong_type_refused_before_any_cell(cli, tmp_path):
    code, out, err = cli(
        *TOY,
        "run",
        "--task",
        TOY_SUITE,
        "--preset",
        "smoke",
        "--model",
        "cnn(channels=abc)",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "'channels'" in lines[0] and "expects int" in lines[0] and "'abc'" in lines[0]
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("ref", "accepted"),
    [
        ("cnn(channels=32, dropout=0.2)", True),
        ("cnn(dropout=1)", True),  # an int where a float is expected is a number
        ("cnn(prior=motif)", True),  # a prior by name
        ("cnn(prior=none)", True),
        ("cnn(rc_augment=false)", True),
        ("cnn(rc_augment=1)", False),  # 1 is not a bool
        ("cnn(lr=fast)", False),
        ("cnn(channels=3.5)", False),
        ("kmer_ridge(alphas=[0.1, 1.0])", True),
        ("kmer_ridge(alphas=1)", False),
    ],
)
def test_model_parameter_types_checked_against_the_factory(ref, accepted):
    from regshift_bench.plan import check_selection

    if accepted:
        check_selection([ref])
    else:
        with pytest.raises(RegshiftError, match="expects"):
            check_selection([ref])


def test_unknown_model_parameter_gets_did_you_mean():
    from regshift_bench.plan import check_selection

    with pytest.raises(RegshiftError, match="did you mean 'channels'"):
        check_selection(["cnn(chanels=8)"])


def test_library_run_writes_the_same_run_directory_as_the_cli(tmp_path):
    plugins.configure(("plugins.toy_plugin",))
    seen = []
    summary = regshift_bench.run(
        tasks=[TOY_SUITE],
        preset="smoke",
        models=["toy_mean"],
        out=tmp_path / "r",
        device="cpu",
        on_outcome=lambda cell, outcome: seen.append(cell.cell),
    )
    assert not summary.failed and len(summary.outcomes) == summary.planned == len(seen) > 0
    assert (tmp_path / "r" / "manifest.json").is_file()
    again = regshift_bench.run(tasks=[TOY_SUITE], preset="smoke", models=["toy_mean"], out=tmp_path / "r", device="cpu")
    assert again.skipped_done == summary.planned and not again.outcomes  # resumed, nothing redone


def test_prepare_checks_everything_and_writes_nothing(tmp_path):
    plugins.configure(("plugins.toy_plugin",))
    prepared = prepare(RunOptions(tasks=[TOY_SUITE], preset="smoke", out=tmp_path / "r"))
    assert prepared.device == "cpu" or prepared.device.startswith("cuda")
    assert prepared.plan.cells and prepared.run_dir == tmp_path / "r"
    assert not (tmp_path / "r").exists()


def test_library_run_unknown_option_gets_did_you_mean():
    with pytest.raises(RegshiftError, match="did you mean 'workers'"):
        regshift_bench.run(tasks=[TOY_SUITE], wrokers=2)


def test_failed_cell_keeps_its_traceback_and_debug_prints_it(cli, tmp_path):
    import json

    code, _, err = cli(
        *TOY,
        "--debug",
        "run",
        "--task",
        TOY_SUITE,
        "--preset",
        "smoke",
        "--model",
        "toy_raises",
        "--seeds",
        "1",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 1
    assert "Traceback (most recent call last)" in err and "toy_plugin.py" in err
    cells = json.loads((tmp_path / "r" / "manifest.json").read_text())["cells"]
    failed = [c for c in cells.values() if c["status"] == "failed"]
    assert failed and all("Traceback (most recent call last)" in c["traceback"] for c in failed)
    # Without --debug the same failures are one line each.
    code, _, err = cli(
        *TOY,
        "run",
        "--task",
        TOY_SUITE,
        "--preset",
        "smoke",
        "--model",
        "toy_raises",
        "--seeds",
        "1",
        "--out",
        str(tmp_path / "r2"),
    )
    assert code == 1 and "Traceback" not in err
    assert all(line.startswith("failed ") for line in err.strip().splitlines()[-len(failed) :])
