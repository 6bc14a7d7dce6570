"""Leaderboard renderers, escaping, plots, publishing and the CLI."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from regshift_bench.cli.main import app
from regshift_bench.errors import DataError
from regshift_bench.leaderboard import (
    build_leaderboard,
    publish,
    render_csv,
    render_html,
    render_json,
    render_markdown,
    terminal_renderables,
)
from regshift_bench.testing.synthetic_run import write_synthetic_run

EVIL = "<script>alert(1)</script>[bold]x|y"
SHIFTS = {"none": (0.0,), "gc_shift": (0.5, 1.0), "gc_split": (1.0,)}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return write_synthetic_run(
        tmp_path_factory.mktemp("lbr") / "run",
        seeds=2,
        n_test=100,
        models=("cnn", "cnn+motif", EVIL),
        shifts=SHIFTS,
        failed=[("sim", "gc_shift", 1.0, "cnn", 1)],
    )


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
    for title in ("Accuracy — pearson", "Calibration", "Selective prediction", "Robustness summary", "Prior effect"):
        assert f"sim · {title}" in text
    assert "[bold]x" in text  # rich markup in a plugin name is shown, not interpreted
    assert "preset" in text and "quick" in text and "synthetic CPU" in text


def test_markdown_escapes_plugin_strings(lb):
    md = render_markdown(lb)
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "x\\|y" in md  # a pipe in a name does not split the table cell
    assert md.count("### ") == 6  # five tables and effective robustness
    header = md.split("## sim")[0]
    for label in ("preset", "seeds", "device", "rsbench", "torch / numpy / python", "git commit"):
        assert f"**{label}**" in header


def test_html_escapes_and_is_self_contained(lb):
    page = render_html(lb, None)
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page
    assert "script-src" not in page and "default-src 'none'" in page
    # Six per task, then Findings; no anchor names sim, so Anchors is one line, no table.
    assert page.count('<table class="lb"') == 6 + 1
    assert 'data-table="anchors"' not in page and "anchor(s) for tasks not in this run" in page


def test_csv_and_json_hold_the_numbers(lb):
    csvs = render_csv(lb)
    agg = pd.read_csv(io.StringIO(csvs["aggregated"]))
    assert {
        "task",
        "shift",
        "severity",
        "split",
        "model",
        "metric",
        "mean",
        "sd",
        "drop_mean",
        "n_seeds",
        "n_expected",
        "status",
    } <= set(agg.columns)
    assert EVIL in set(agg["model"])
    ranks = pd.read_csv(io.StringIO(csvs["ranks"]))
    assert {"rank", "rank_low", "rank_high", "tie_group", "score"} <= set(ranks.columns)
    data = json.loads(json.dumps(render_json(lb)))  # strict JSON: no NaN
    task = data["tasks"][0]
    assert [t["key"] for t in task["tables"]] == [
        "accuracy",
        "calibration",
        "selective",
        "robustness",
        "prior",
        "effective",
    ]
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
    for name in (
        "README.md",
        "index.html",
        "aggregated.csv",
        "aggregated.parquet",
        "ranks.csv",
        "prior_effect.parquet",
        "leaderboard.json",
        "provenance.json",
    ):
        assert name in names and (out / name).stat().st_size > 0
    kinds = {p.stem.split("-")[-1] for p in (out / "plots").glob("*.svg")}
    assert kinds == {"degradation", "risk_coverage", "reliability", "drop_heatmap", "effective_robustness"}
    assert not (out / "plots" / "stale.svg").exists()
    for png in (out / "plots").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "index.html").read_text()
    assert page.count("<svg") == 5 and "<script" not in page.replace("&lt;script", "")
    readme = (out / "README.md").read_text()
    assert "plots/00-sim-degradation.svg" in readme and "**preset**: quick" in readme
    assert pd.read_parquet(out / "aggregated.parquet").shape[0] == lb.aggregated().shape[0]
    # The runs' commits say where the numbers come from; rendered_by, what drew the tables.
    from regshift_bench import provenance

    meta = json.loads((out / "provenance.json").read_text())
    assert meta["rendered_by"]["git_commit"] == provenance.git_commit()
    assert "**drawn by**: rsbench" in readme


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
    res = runner.invoke(app, ["leaderboard", str(run_dir), "--n-boot", "20", "-f", "json", "--metric", "rmse"])
    assert res.exit_code == 0 and json.loads(res.output)["tasks"][0]["metric"] == "rmse"
    res = runner.invoke(
        app, ["leaderboard", str(run_dir), "--n-boot", "20", "-f", "csv", "--out", str(tmp_path / "csv")]
    )
    assert res.exit_code == 0 and (tmp_path / "csv" / "ranks.csv").exists()
    res = runner.invoke(
        app, ["leaderboard", str(run_dir), "--n-boot", "20", "-f", "html", "--no-plots", "--out", str(tmp_path / "h")]
    )
    assert res.exit_code == 0 and (tmp_path / "h" / "index.html").exists()  # as publish names it
    assert sorted(p.name for p in (tmp_path / "h").iterdir()) == ["index.html"]
    res = runner.invoke(app, ["leaderboard", str(run_dir), "--n-boot", "20", "--task", "sim"])
    assert res.exit_code == 0 and "sim · Prior effect" in res.output


def test_cli_publish_and_errors(run_dir, tmp_path):
    runner = CliRunner()
    res = runner.invoke(
        app, ["leaderboard", "publish", str(run_dir), "--n-boot", "20", "--no-plots", "--to", str(tmp_path / "pub")]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "pub" / "README.md").exists()
    res = runner.invoke(app, ["leaderboard", "publish", str(run_dir)])
    assert isinstance(res.exception, DataError) and "--out" in str(res.exception)
    res = runner.invoke(app, ["leaderboard", str(tmp_path / "nowhere")])
    assert isinstance(res.exception, DataError) and "manifest.json" in str(res.exception)


# ------------------------------------------------ contract columns other sessions add
KINDS = {"gc_shift": "covariate", "motif_loss": "mechanism", "gc_split": "selection"}


@pytest.fixture(scope="module")
def contract_run(tmp_path_factory):
    """A smoke-preset run with reference rows, shift kinds, an undertrained cell and
    interpretation rows (the columns of CONTRACTS.md)."""
    return write_synthetic_run(
        tmp_path_factory.mktemp("contract") / "run",
        seeds=2,
        n_test=80,
        preset="smoke",
        models=("cnn", "cnn+motif", "mean"),
        references=("noise_ceiling",),
        shift_kinds=KINDS,
        shifts={"none": (0.0,), "gc_shift": (1.0,), "motif_loss": (1.0,), "gc_split": (1.0,)},
        undertrained=[("sim", "gc_shift", 1.0, "cnn", 0)],
        explainer_rows=True,
    )


@pytest.fixture(scope="module")
def contract_lb(contract_run):
    return build_leaderboard([contract_run], n_boot=60)


def _rows(table):
    return {r[0].text: r for r in table.rows}


def test_reference_rows_in_every_table_never_ranked(contract_lb):
    board = contract_lb.boards[0]
    for table in board.tables[:4]:
        col = 1 if table.key == "robustness" else 0  # robustness starts with the rank
        rows = {r[col].text: r for r in table.rows}
        assert rows["noise_ceiling"][col].flag == "reference", table.key
        if table.key == "robustness":
            assert rows["noise_ceiling"][0].text == "—"  # never ranked
    acc = board.tables[0]
    cell = _rows(acc)["noise_ceiling"][acc.columns.index("gc_shift @1")]
    assert cell.flag == "reference" and float(cell.text.split()[0]) > 0.95
    assert "noise_ceiling" not in set(board.ranks["model"])
    md = render_markdown(contract_lb)
    assert "*noise\\_ceiling*" in md and "reference · not ranked" in md


def test_robustness_is_ceiling_relative_and_says_so(contract_lb):
    board = contract_lb.boards[0]
    rob = board.tables[3]
    assert any("/ noise_ceiling pearson" in n for n in rob.notes)
    ref = contract_lb.agg.references.query("metric == 'pearson' and reference == 'noise_ceiling'")
    ood = [c for c in board.conditions if not c.is_reference]
    # score = mean over conditions of (seed-mean pearson / ceiling pearson), by hand
    vals = contract_lb.agg.values.query("model == 'cnn+motif' and metric == 'pearson'")
    want = np.mean(
        [
            float(vals.query(f"shift == '{c.shift}' and split == '{c.split}'")["mean"].iloc[0])
            / float(ref.query(f"shift == '{c.shift}' and split == '{c.split}'")["mean"].iloc[0])
            for c in ood
        ]
    )
    got = board.ranks.set_index("model").loc["cnn+motif", "score"]
    assert got == pytest.approx(want)
    assert {r[1].text: r for r in rob.rows}["noise_ceiling"][2].text == "1.000"


def test_shift_columns_grouped_by_kind(contract_lb):
    acc = contract_lb.boards[0].tables[0]
    kinds = acc.groups[2:]  # after model and the ID column
    order = ["covariate", "mechanism", "selection"]
    assert [k for k in order if k in kinds] == sorted(set(kinds), key=order.index)
    assert kinds == sorted(kinds, key=order.index)  # contiguous, in kind order
    page = render_html(contract_lb, None)
    assert '<th colspan="2" class="grp">selection</th>' in page


def test_ood_auroc_in_calibration_table(contract_lb):
    cal = contract_lb.boards[0].tables[1]
    cell = _rows(cal)["cnn"][cal.columns.index("gc_shift @1")]
    assert "OOD AUROC" in cell.sub
    assert any("OOD AUROC = AUROC of σ²" in n for n in cal.notes)


def test_undertrained_marker_and_footnote_in_every_format(contract_lb):
    acc = contract_lb.boards[0].tables[0]
    assert _rows(acc)["cnn"][0].mark == "†" and _rows(acc)["cnn+motif"][0].mark == ""
    assert "†1/2" in _rows(acc)["cnn"][acc.columns.index("gc_shift @1")].shown()
    footnote = "undertrained: a step or time budget stopped training"
    term = _terminal_text(contract_lb)
    md = render_markdown(contract_lb)
    page = render_html(contract_lb, None)
    for text in (term, md, page):
        assert "cnn †" in text and footnote in text


def test_explainer_rows_are_ignored_by_ordinary_tables(contract_lb):
    assert "synthetic_site_score" not in set(contract_lb.agg.values["metric"])
    assert "synthetic_site_score" in set(contract_lb.runs.results["metric"])  # kept for their table


def test_smoke_preset_header_says_tests_only(contract_lb, lb):
    for text in (_terminal_text(contract_lb), render_markdown(contract_lb), render_html(contract_lb, None)):
        assert "smoke preset: for tests only" in text
    assert "for tests only" not in render_markdown(lb)


def test_calibration_legend_names_the_mark_shown(contract_lb):
    cal = contract_lb.boards[0].tables[1]
    flagged = [c for row in cal.rows for c in row if c.flag == "collapse"]
    assert flagged and all("⚠" in c.shown() for c in flagged)
    assert any(n.startswith("⚠ marks cov90") for n in cal.notes)
    assert not any("'collapse'" in n for n in cal.notes)


def test_cli_out_file_publish_alias_and_single_format(run_dir, tmp_path):
    runner = CliRunner()
    existing = tmp_path / "a_file"
    existing.write_text("x")
    for args in (
        ["leaderboard", str(run_dir), "-f", "md", "--out", str(existing)],
        ["leaderboard", "publish", str(run_dir), "--to", str(existing)],
    ):
        res = runner.invoke(app, [*args, "--n-boot", "10"])
        assert isinstance(res.exception, DataError) and "existing file" in str(res.exception)
    res = runner.invoke(
        app,
        [
            "leaderboard",
            "publish",
            str(run_dir),
            "--n-boot",
            "10",
            "--format",
            "md",
            "--no-plots",
            "--out",
            str(tmp_path / "md"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "md").iterdir()) == ["README.md"]
    assert "wrote 1 file to" in res.output


def test_cli_prints_markup_literally(tmp_path):
    run = write_synthetic_run(
        tmp_path / "[bold]run[red]", seeds=1, n_test=30, models=("cnn", "x[/y]"), shifts={"none": (0.0,)}
    )
    out = tmp_path / "out[red]"
    res = CliRunner().invoke(app, ["leaderboard", str(run), "--n-boot", "10", "--out", str(out), "-f", "md"])
    assert res.exit_code == 0, res.output
    assert f"to {out}" in res.output.replace("\n", "")
    res = CliRunner().invoke(app, ["runs", "show", str(run)])
    assert res.exit_code == 0, res.output
    assert "[bold]run[red]" in res.output


def test_runs_show_counts_undertrained_and_names_cells(contract_run, tmp_path):
    run = write_synthetic_run(
        tmp_path / "r",
        seeds=1,
        n_test=30,
        models=("cnn",),
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        failed=[("sim", "gc_shift", 1.0, "cnn", 0)],
        undertrained=[("sim", "none", 0.0, "cnn", 0)],
    )
    res = CliRunner().invoke(app, ["runs", "show", str(run)])
    assert res.exit_code == 0, res.output
    text = res.output
    assert "undertrained cells" in text and "undertrained sim/none@0/cnn seed 0" in text
    assert "failed sim/gc_shift@1/cnn seed 0: RuntimeError: synthetic failure" in text
    assert "1 ok, 1 failed" in text and "{" not in text
    res = CliRunner().invoke(app, ["runs", "show", str(run), "--json"])
    data = json.loads(res.output)
    assert data["undertrained"] == ["sim/none@0/cnn seed 0"]


def test_heatmap_annotation_colour_follows_background():
    from regshift_bench.leaderboard.plots import text_color

    assert text_color((0.40, 0.0, 0.12, 1.0)) == "white"  # dark red of RdBu_r
    assert text_color((0.02, 0.19, 0.38, 1.0)) == "white"  # dark blue
    assert text_color((0.97, 0.97, 0.97, 1.0)) == "black"  # the white middle
    assert text_color((0.87, 0.87, 0.87, 1.0)) == "black"  # missing-value grey


def test_degradation_plot_draws_the_id_its_drop_is_from(tmp_path):
    from regshift_bench.leaderboard.plots import degradation_figure

    shifts = {"none": (0.0,), "gc_shift": (0.5, 1.0), "gc_split": (1.0,)}
    run = write_synthetic_run(
        tmp_path / "run", seeds=2, n_test=60, models=("cnn", "mean"), shifts=shifts, metrics=("mse", "pearson")
    )
    lb = build_leaderboard([run], n_boot=10, findings=False)
    vals = lb.agg.values
    none = vals.loc[vals["shift"] == "none"].set_index(["model", "metric"])["mean"]
    shared = vals["shift"] == "gc_shift"  # as a runner's covariate shift: the none cells' ID
    vals.loc[shared, "id_mean"] = [none[(m, k)] for m, k in zip(vals.loc[shared, "model"], vals.loc[shared, "metric"])]
    fig = degradation_figure(lb, lb.boards[0])
    assert "0: none (ID)" in fig._suptitle.get_text()
    panels = {ax.get_title(): ax for ax in fig.axes}
    own, kept = panels["gc_split / low_gc"], panels["gc_shift"]
    assert "dotted: own ID" in [t.get_text() for t in fig.legends[0].get_texts()]
    dotted = [ln for ln in own.get_lines() if ln.get_linestyle() == ":"]
    cnn = vals.loc[
        (vals["model"] == "cnn") & (vals["metric"] == "pearson") & (vals["shift"] == "gc_split"), "id_mean"
    ].iloc[0]
    assert any(np.isclose(ln.get_ydata()[0], cnn) for ln in dotted)  # cnn's own ID, drawn
    assert not any(0.0 in ln.get_xdata() for ln in own.get_lines())  # no none point there
    assert not [ln for ln in kept.get_lines() if ln.get_linestyle() == ":"]
    assert any(0.0 in ln.get_xdata() for ln in kept.get_lines())  # starts at none (ID)
    oracle = write_synthetic_run(
        tmp_path / "oracle",
        seeds=2,
        n_test=60,
        models=("cnn",),
        shifts=shifts,
        references=("source_oracle",),
        metrics=("mse", "pearson"),
    )
    lbo = build_leaderboard([oracle], n_boot=10, findings=False)
    title = degradation_figure(lbo, lbo.boards[0])._suptitle.get_text()
    assert "drop from cells' ID" in title and "source_oracle" in title


def test_wall_time_counts_sessions_killed_before_any_cell(tmp_path):
    from regshift_bench.leaderboard.render_text import provenance_lines

    run = write_synthetic_run(
        tmp_path / "run", seeds=1, n_test=40, models=("cnn",), shifts={"none": (0.0,)}, metrics=("mse", "pearson")
    )
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    t0 = "2026-01-01T00:00:00+00:00"
    manifest["sessions"] = [
        {"started": t0, "finished": t0, "seconds": 3600.0, "cells_run": 3},
        {
            "started": t0,
            "finished": None,
            "seconds": None,
            "cells_run": 2,
            "last_cell": "2026-01-01T00:30:00+00:00",
        },  # killed after a cell: counted to it
        {"started": t0, "finished": None, "seconds": None, "cells_run": 0},
    ]  # kept nothing
    path.write_text(json.dumps(manifest))
    wall = dict(provenance_lines(build_leaderboard([run], n_boot=10, findings=False)))
    assert wall["wall time"].startswith(
        "run: 1.50 h over 3 session(s) (1 killed before any cell finished, not counted)"
    )
    del manifest["sessions"]  # a run from before session records
    path.write_text(json.dumps(manifest))
    wall = dict(provenance_lines(build_leaderboard([run], n_boot=10, findings=False)))
    assert wall["wall time"].startswith("run: not recorded")
