"""Interpretation rows from the runner, suite/CLI options, the leaderboard table, a
third-party explainer through --plugin and through an entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from regshift_bench import results, tasks
from regshift_bench.errors import TaskFileError, UnknownNameError
from regshift_bench.execute import run_plan
from regshift_bench.plan import expand

ROOT = Path(__file__).parent.parent
SUITE = """
version = 1
name = "tinysim"
[[tasks]]
task = "sim"
params = {{ seq_len = 60, n_motifs = 4 }}
shifts = ["none", {{ name = "pwm_perturbation", severities = [1.0] }}]
metrics = ["pearson"]
{explainers}
[presets.smoke]
sizes = {{ train = 96, val = 32, test = 48 }}
seeds = 1
max_epochs = 1
explain_n = 6
models = ["kmer_ridge", "cnn"]
"""


def _suite(tmp_path, explainers="", name="tiny.toml"):
    path = tmp_path / name
    path.write_text(SUITE.format(explainers=explainers))
    return path


def test_suite_explainers_and_explain_n_parsed_and_validated(tmp_path):
    suite = tasks.load_suite(_suite(tmp_path, 'explainers = ["ism"]'))
    assert suite.tasks[0].explainers == ("ism",) and suite.preset("smoke").explain_n == 6
    bad = _suite(tmp_path, 'explainers = "ism"', "bad.toml")
    with pytest.raises(TaskFileError, match="explainers"):
        tasks.load_suite(bad)
    bad_n = tmp_path / "bad_n.toml"
    bad_n.write_text(SUITE.format(explainers="").replace("explain_n = 6", "explain_n = 0"))
    with pytest.raises(TaskFileError, match="explain_n"):
        tasks.load_suite(bad_n)
    typo = tasks.load_suite(_suite(tmp_path, 'explainers = ["ims"]', "typo.toml"))
    assert any("did you mean 'ism'" in p for p in tasks.validate_suite(typo))
    with pytest.raises(UnknownNameError, match="did you mean 'ism'"):
        expand([typo], "smoke")


def test_cells_without_explainers_keep_their_hash(tmp_path):
    suite = tasks.load_suite(_suite(tmp_path))
    plain = expand([suite], "smoke")
    assert all("explainers" not in c.identity() for c in plain.cells)
    explained = expand([suite], "smoke", explainers=["ism"])
    assert all(c.explainers == ("ism",) and c.explain_n == 6 for c in explained.cells)
    assert not {c.cell for c in plain.cells} & {c.cell for c in explained.cells}


def test_run_writes_interpretation_rows_and_leaderboard_table(tmp_path, one_torch_thread):
    from regshift_bench.leaderboard.build import build_leaderboard
    from regshift_bench.leaderboard.render_text import render_markdown

    suite = tasks.load_suite(_suite(tmp_path))
    plan = expand([suite], "smoke", explainers=["ism", "deeplift_shap"])
    summary = run_plan(plan, tmp_path / "run", device="cpu")
    assert not summary.failed
    frame = pd.read_parquet(tmp_path / "run" / "results.parquet")
    assert (frame.loc[frame["metric"] == "pearson", "explainer"] == "").all()
    rows = frame.loc[frame["explainer"] != ""]
    by = rows.groupby(["model", "explainer"])["status"].agg(set).to_dict()
    assert by == {
        ("cnn", "ism"): {"ok"},
        ("cnn", "deeplift_shap"): {"ok"},
        ("kmer_ridge", "ism"): {"ok"},
        ("kmer_ridge", "deeplift_shap"): {"skipped"},
    }
    skipped = rows.loc[rows["status"] == "skipped"]
    assert skipped["error"].str.contains("not applicable").all()
    ok = rows.loc[(rows["status"] == "ok") & rows["metric"].str.startswith("site_")]
    assert {"site_auroc", "site_auprc", "site_topk", "site_sign_agreement"} <= set(ok["metric"])
    assert set(ok["metric"]) <= {"site_auroc", "site_auprc", "site_topk", "site_sign_agreement", "site_sign_auroc"}
    assert set(ok["split"]) == {"test_id", "test_ood"} and "val" not in set(rows["split"])
    assert ok["value"].between(0, 1).all() and (ok["n"] <= 6).all() and (ok["n"] > 0).all()
    # test_id is explained once per model and reused by the shift's cell (same numbers).
    tid = ok.loc[ok["split"] == "test_id"].groupby(["model", "explainer", "metric"])["value"]
    assert (tid.nunique() == 1).all()
    lb = build_leaderboard([tmp_path / "run"], n_boot=50)
    table = [t for t in lb.boards[0].tables if t.key == "interpretation"][0]
    assert table.columns[:3] == ["model", "explainer", "ID"]
    assert any(c.startswith("pwm_perturbation@1") for c in table.columns)
    flags = {(r[0].text, r[1].text): r[2].flag for r in table.rows}
    assert flags[("kmer_ridge", "ism")] == "" and flags[("cnn", "ism")] == ""
    # a pair where the explainer applies nowhere is left out, and said so
    assert ("kmer_ridge", "deeplift_shap") not in flags
    assert any("kmer_ridge: deeplift_shap" in note for note in table.notes)
    md = render_markdown(lb)
    assert "Interpretation" in md
    from regshift_bench.leaderboard.interpretation import interpretation_figure

    assert interpretation_figure(table) is not None
    # The ordinary accuracy table still shows only models (and reference rows) x shifts.
    names = [r[0].text for r in lb.boards[0].tables[0].rows]
    assert [n for n in names if n not in ("noise_ceiling", "source_oracle")] == ["cnn", "kmer_ridge"]


def _cli(*args, env=None, cwd=ROOT):
    full = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "COLUMNS": "200", "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "regshift_bench.cli", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=600,
        cwd=cwd,
    )


def test_third_party_explainer_via_plugin_is_listed_checked_and_run(tmp_path):
    plug = ("--plugin", "plugins.toy_explainer")
    listing = _cli(*plug, "list", "explainers", "--json")
    assert listing.returncode == 0, listing.stderr
    assert "toy_occlusion" in {r["name"] for r in json.loads(listing.stdout)}
    check = _cli(*plug, "check", "toy_occlusion")
    assert check.returncode == 0 and "FAIL" not in check.stdout, check.stdout
    run = _cli(
        *plug,
        "run",
        "--task",
        str(_suite(tmp_path)),
        "--model",
        "kmer_ridge",
        "--explainer",
        "toy_occlusion",
        "--preset",
        "smoke",
        "--out",
        str(tmp_path / "r"),
    )
    assert run.returncode == 0, run.stderr
    frame = results.read_results(tmp_path / "r")
    mine = frame.loc[frame["explainer"] == "toy_occlusion"]
    assert len(mine) and (mine["status"] == "ok").all()
    bad = _cli(
        "run",
        "--task",
        str(_suite(tmp_path)),
        "--explainer",
        "toy_occlusion",
        "--preset",
        "smoke",
        "--out",
        str(tmp_path / "r2"),
    )
    assert bad.returncode == 1 and "unknown explainer 'toy_occlusion'" in bad.stderr


def test_third_party_explainer_via_entry_point(tmp_path):
    dist = tmp_path / "toy_explain_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-explain-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[rsbench]\ntoy_explain = plugins.toy_explainer\n")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "tests")]), "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "0"}
    out = _cli("plugins", "--json", env=env)
    assert out.returncode == 0, out.stderr
    records = {r["name"]: r for r in json.loads(out.stdout)}
    assert records["toy_explain"]["status"] == "ok"
    assert records["toy_explain"]["registered"] == {"explainer": ["toy_occlusion"]}
    check = _cli("check", "toy_occlusion", "--kind", "explainer", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
