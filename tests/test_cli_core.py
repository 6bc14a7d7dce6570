"""The thin CLI: version, plugins, list --json, check, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def rsbench(*args, plugin=True, **env):
    cmd = [sys.executable, "-m", "regshift_bench.cli"]
    if plugin:
        cmd += ["--plugin", "plugins.toy_plugin"]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "COLUMNS": "200", **env}
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=full_env, timeout=120)


def test_version():
    out = rsbench("--version", plugin=False)
    assert out.returncode == 0 and out.stdout.startswith("rsbench 0.")


def test_list_models_json_is_valid():
    out = rsbench("list", "models", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {"toy_mean", "toy_gc"} <= {r["name"] for r in rows}
    assert all({"name", "plugin", "summary"} <= set(r) for r in rows)


def test_list_metrics_json_shows_direction():
    rows = json.loads(rsbench("list", "metrics", "--json").stdout)
    toy = {r["name"]: r for r in rows}["toy_mse"]
    assert toy["higher_is_better"] is False


def test_check_unknown_name_exits_1_with_one_line_suggestion():
    out = rsbench("check", "toy_maen")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'toy_mean'" in lines[0]


def test_check_passes_and_fails_with_exit_codes():
    good = rsbench("check", "toy_gc")
    assert good.returncode == 0 and "FAIL" not in good.stdout and "PASS" in good.stdout
    bad = rsbench("check", "toy_nan")
    assert bad.returncode == 1 and "FAIL" in bad.stdout


def test_broken_plugin_listed_then_exit_1():
    out = rsbench("--plugin", "plugins.broken_import", "plugins", "--json")
    assert out.returncode == 1 and "plugins.broken_import' failed to load" in out.stderr
    records = {r["name"]: r for r in json.loads(out.stdout)}
    assert records["plugins.broken_import"]["status"] == "failed"
    assert "deliberately broken" in records["plugins.broken_import"]["error"]
    assert records["plugins.toy_plugin"]["status"] == "ok"


def test_run_unknown_model_exits_1_before_work(tmp_path):
    out = rsbench(
        "run",
        "--task",
        str(ROOT / "tests/plugins/toy_suite.toml"),
        "--preset",
        "smoke",
        "--model",
        "no_such",
        "--out",
        str(tmp_path / "r"),
    )
    assert out.returncode == 1
    assert "unknown model 'no_such'" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_run_misspelt_model_gets_did_you_mean_without_a_task_selection(tmp_path):
    # The issue's own command: no --all/--task; the name is still checked first.
    out = rsbench("run", "--model", "toy_maen", "--out", str(tmp_path / "r"))
    assert out.returncode == 1
    assert "did you mean 'toy_mean'" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_debug_shows_traceback():
    out = rsbench("--debug", "check", "toy_maen")
    assert out.returncode != 0 and "Traceback" in out.stderr


def test_malformed_table_is_one_error_before_any_work(tmp_path):
    (tmp_path / "t.tsv").write_text("seq\tact\nACGTACGT\t1.0\nACGXACGT\t2.0\n")
    (tmp_path / "task.toml").write_text(
        'version = 1\nname = "bad"\nkind = "table"\npath = "t.tsv"\nsequence_column = "seq"\nactivity_column = "act"\n'
    )
    out = rsbench(
        "run",
        "--task",
        str(tmp_path / "task.toml"),
        "--preset",
        "smoke",
        "--model",
        "toy_mean",
        "--out",
        str(tmp_path / "run"),
    )
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "t.tsv: row 2: invalid character 'X'" in lines[0]
    assert not (tmp_path / "run").exists()


# -- datasets: `rsbench data`, `rsbench list datasets`, `rsbench check DATASET` ---------------


def test_data_fetch_unknown_name_exits_1_with_did_you_mean():
    close = rsbench("data", "fetch", "lentimpr", plugin=False)
    assert close.returncode == 1
    lines = close.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown dataset 'lentimpr'; did you mean 'lentimpra'" in lines[0]
    far = rsbench("data", "fetch", "nosuch", plugin=False)
    assert far.returncode == 1
    lines = far.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown dataset 'nosuch'" in lines[0]
    assert "rsbench list datasets" in lines[0]


def test_list_datasets_json_lists_the_builtins():
    out = rsbench("list", "datasets", "--json", plugin=False)
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    shipped = {"lentimpra", "sharpr_pilot", "dream_yeast", "kircher_satmut", "motifs"}
    assert shipped <= set(rows) and all(n.endswith("_full") for n in set(rows) - shipped)
    assert {r["plugin"] for r in rows.values()} == {"mpra"}
    assert rows["lentimpra"]["folder"] == "mpra/agarwal2025_lentimpra"
    assert rows["lentimpra"]["tasks"] == ["mpra_hepg2", "mpra_wtc11"]
    # six GEO count files and the two tables derived from them
    assert rows["sharpr_pilot"]["files"] == 8 and rows["sharpr_pilot"]["summary"]


def test_third_party_dataset_is_listed_fetched_and_checked(tmp_path):
    from plugins.toy_dataset import CONTENT

    mirror = tmp_path / "mirror.tsv"
    mirror.write_bytes(CONTENT)
    data = tmp_path / "data"
    env = {"RSBENCH_DATA_DIR": str(data)}
    third = ("--plugin", "plugins.toy_dataset")
    listed = json.loads(rsbench(*third, "data", "list", "--json", plugin=False, **env).stdout)
    row = {r["dataset"]: r for r in listed["files"]}["toy_counts"]
    assert row["file"] == "toy/counts/counts.tsv" and row["present"] is False
    before = rsbench(*third, "check", "toy_counts", plugin=False, **env)
    assert before.returncode == 1 and "FAIL" in before.stdout and "present" in before.stdout
    got = rsbench(*third, "data", "fetch", "toy_counts", "--url", mirror.as_uri(), plugin=False, **env)
    assert got.returncode == 0, got.stderr
    assert "downloaded" in got.stdout
    assert (data / "toy/counts/counts.tsv").read_bytes() == CONTENT
    after = rsbench(*third, "check", "toy_counts", plugin=False, **env)
    assert after.returncode == 0 and "FAIL" not in after.stdout, after.stdout
    (data / "toy/counts/counts.tsv").write_bytes(CONTENT + b"x")
    modified = rsbench(*third, "check", "toy_counts", plugin=False, **env)
    assert modified.returncode == 1 and "differ from the pinned sha256" in modified.stdout
