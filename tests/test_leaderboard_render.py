"""Leaderboard renderers, escaping, plots, publishing and the CLI."""

from __future__ import annotations

import io
import json
import shutil

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from regshift_bench.cli.main import app
from regshift_bench.errors import DataError
from regshift_bench.leaderboard import (build_leaderboard, publish, render_csv, render_html,
                                        render_json, render_markdown, terminal_renderables)
from regshift_bench.testing.synthetic_run import write_synthetic_run

EVIL = "<script>alert(1)</script>[bold]x|y"
SHIFTS = {"none": (0.0,), "gc_shift": (0.5, 1.0), "gc_split": (1.0,)}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return write_synthetic_run(tmp_path_factory.mktemp("lbr") / "run", seeds=2, n_test=100,
                               models=("cnn", "cnn+motif", EVIL), shifts=SHIFTS,
                               failed=[("sim", "gc_shift", 1.0, "cnn", 1)])


@pytest.fixture(scope="module")
def lb(run_dir):
    return build_leaderboard([run_dir], n_boot=100)


def _terminal_text(lb) -> str:
    console = Console(file=io.StringIO(), width=220, color_system=None)
    for item in terminal_renderables(lb):
        console.print(item)
    return console.file.getvalue()


def test_terminal_shows_five_tables_and_literal_names(lb):
    text = _terminal_text(lb)
    for title in ("Accuracy — pearson", "Calibration", "Selective prediction",
                  "Robustness summary", "Prior effect"):
        assert f"sim · {title}" in text
    assert "[bold]x" in text  # rich markup in a plugin name is shown, not interpreted
    assert "preset" in text and "quick" in text and "synthetic CPU" in text


def test_markdown_escapes_plugin_strings(lb):
    md = render_markdown(lb)
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "x\\|y" in md  # a pipe in a name does not split the table cell
    assert md.count("### ") == 5
    header = md.split("## sim")[0]
    for label in ("preset", "seeds", "device", "rsbench", "torch / numpy / python", "git commit"):
        assert f"**{label}**" in header


def test_html_escapes_and_is_self_contained(lb):
    page = render_html(lb, None)
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page
    assert "script-src" not in page and "default-src 'none'" in page
    assert page.count('<table class="lb"') == 5


def test_csv_and_json_hold_the_numbers(lb):
    csvs = render_csv(lb)
    agg = pd.read_csv(io.StringIO(csvs["aggregated"]))
    assert {"task", "shift", "severity", "split", "model", "metric", "mean", "sd", "drop_mean",
            "n_seeds", "n_expected", "status"} <= set(agg.columns)
    assert EVIL in set(agg["model"])
    ranks = pd.read_csv(io.StringIO(csvs["ranks"]))
    assert {"rank", "rank_low", "rank_high", "tie_group", "score"} <= set(ranks.columns)
    data = json.loads(json.dumps(render_json(lb)))  # strict JSON: no NaN
    task = data["tasks"][0]
    assert [t["key"] for t in task["tables"]] == ["accuracy", "calibration", "selective",
                                                  "robustness", "prior"]
    assert data["provenance"]["runs"][0]["device_name"] == "synthetic CPU"


def test_all_severities_adds_columns(run_dir):
    lb = build_leaderboard([run_dir], n_boot=20, severity="all")
    cols = lb.boards[0].tables[0].columns
    assert "gc_shift @0.5" in cols and "gc_shift @1" in cols


def test_publish_writes_everything(lb, tmp_path):
    out = tmp_path / "leaderboard"
    (out / "plots").mkdir(parents=True)
    (out / "plots" / "stale.svg").write_text("<svg/>")
    files = publish(lb, out)
    names = {p.name for p in files}
    for name in ("README.md", "index.html", "aggregated.csv", "aggregated.parquet", "ranks.csv",
                 "prior_effect.parquet", "leaderboard.json", "provenance.json"):
        assert name in names and (out / name).stat().st_size > 0
    kinds = {p.stem.split("-")[-1] for p in (out / "plots").glob("*.svg")}
    assert kinds == {"degradation", "risk_coverage", "reliability", "drop_heatmap"}
    assert not (out / "plots" / "stale.svg").exists()
    for png in (out / "plots").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "index.html").read_text()
    assert page.count("<svg") == 4 and "<script" not in page.replace("&lt;script", "")
    readme = (out / "README.md").read_text()
    assert "plots/00-sim-degradation.svg" in readme and "**preset**: quick" in readme
    assert pd.read_parquet(out / "aggregated.parquet").shape[0] == lb.aggregated().shape[0]


def test_plots_fall_back_to_predictions_without_curves(run_dir, tmp_path):
    copy = tmp_path / "nocurves"
    shutil.copytree(run_dir, copy)
    (copy / "curves.parquet").unlink()
    shutil.rmtree(copy / "curves")
    lb = build_leaderboard([copy], n_boot=20)
    from regshift_bench.leaderboard.plots import curve_points

    pts = curve_points(lb, lb.boards[0], "reliability")
    assert not pts.empty and set(pts["model"]) == {"cnn", "cnn+motif", EVIL}


def test_cli_formats(run_dir, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["leaderboard", str(run_dir), "--n-boot", "20", "-f", "md"])
    assert res.exit_code == 0, res.output
    assert "### Robustness summary" in res.output
    res = runner.invoke(app, ["leaderboard", str(run_dir), "--n-boot", "20", "-f", "json",
                              "--metric", "rmse"])
    assert res.exit_code == 0 and json.loads(res.output)["tasks"][0]["metric"] == "rmse"
    res = runner.invoke(app, ["leaderboard", str(run_dir), "--n-boot", "20", "-f", "csv",
                              "--out", str(tmp_path / "csv")])
    assert res.exit_code == 0 and (tmp_path / "csv" / "ranks.csv").exists()
    res = runner.invoke(app, ["leaderboard", str(run_dir), "--n-boot", "20", "-f", "html",
                              "--no-plots", "--out", str(tmp_path / "h")])
    assert res.exit_code == 0 and (tmp_path / "h" / "leaderboard.html").exists()
    res = runner.invoke(app, ["leaderboard", str(run_dir), "--n-boot", "20", "--task", "sim"])
    assert res.exit_code == 0 and "sim · Prior effect" in res.output


def test_cli_publish_and_errors(run_dir, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["leaderboard", "publish", str(run_dir), "--n-boot", "20",
                              "--no-plots", "--to", str(tmp_path / "pub")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "pub" / "README.md").exists()
    res = runner.invoke(app, ["leaderboard", "publish", str(run_dir)])
    assert isinstance(res.exception, DataError) and "--to" in str(res.exception)
    res = runner.invoke(app, ["leaderboard", str(tmp_path / "nowhere")])
    assert isinstance(res.exception, DataError) and "manifest.json" in str(res.exception)
