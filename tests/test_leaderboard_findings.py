"""The Findings and Anchors sections: verdicts from measured values, never invented."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from regshift_bench.cli.main import app
from regshift_bench.leaderboard import build_leaderboard, render_csv, render_html, render_json, render_markdown
from regshift_bench.leaderboard.anchors import registered_anchors
from regshift_bench.leaderboard.findings import FAILS, HOLDS, MIN_SEEDS, UNSURE, Est, judge, view
from regshift_bench.leaderboard.render_text import md_escape
from regshift_bench.testing.synthetic_run import write_synthetic_run

KINDS = {
    "none": "selection",
    "gc_shift": "covariate",
    "motif_rewiring": "mechanism",
    "noise_inflation": "measurement",
    "gc_extremes": "selection",
}
SHIFTS = {"none": (0.0,), "gc_shift": (0.25, 1.0), "motif_rewiring": (1.0,), "noise_inflation": (0.25, 1.0)}
#: The simulator's label shifts: same inputs, moved labels.
LABEL = ("motif_rewiring", "noise_inflation")
METRICS = ["mse", "pearson", "coverage_90", "z2", "selective_gain", "excess_mse", "aurc"]
N_BOOT = 200
BREAKS = "A shift in this run breaks"


def _run(path, **kw):
    args = {
        "shifts": SHIFTS,
        "models": ("mean", "cnn", "cnn+motif"),
        "seeds": MIN_SEEDS,
        "n_test": 200,
        "shift_kinds": KINDS,
        "references": ("noise_ceiling", "source_oracle"),
        "metrics": METRICS,
        "label_shifts": LABEL,
        **kw,
    }
    return write_synthetic_run(path, **args)


def _findings(run) -> dict[str, object]:
    lb = build_leaderboard([run], n_boot=N_BOOT)
    return {f.name or f.claim: f for f in lb.findings}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("fd") / "run")


def test_judge_reads_the_interval_against_the_threshold():
    rng = np.random.default_rng(0)
    tight = Est(0.6, rng.normal(0.6, 0.01, 500), MIN_SEEDS)
    assert judge("c", tight, 0.95, below=0.75).verdict == HOLDS
    assert judge("c", tight, 0.95, below=0.5).verdict == FAILS
    assert judge("c", tight, 0.95, below=0.6).verdict == UNSURE  # straddles
    few = Est(0.6, tight.samples, MIN_SEEDS - 1)
    assert judge("c", few, 0.95, below=0.75).verdict == UNSURE
    assert "seed" in judge("c", few, 0.95, below=0.75).text
    assert judge("c", None, 0.95, below=0.75, missing="no x@1 cells").text == "c: no x@1 cells"


def test_a_label_shift_that_costs_the_oracle_as_much_does_not_break(tmp_path):
    # The labels move, the inputs do not: the oracle and the model lose the same.
    run = _run(
        tmp_path / "run",
        shifts={"none": (0.0,), "motif_rewiring": (1.0,)},
        models=("mean", "cnn"),
        n_test=1000,
        label_move=0.5,
    )
    found = _findings(run)
    cnn = found[f"{BREAKS} cnn (sim)"]
    assert cnn.verdict == FAILS, cnn.statement
    assert "beyond the oracle" in cnn.statement
    severe = found["sim_severe_shifts_break"]
    assert severe.verdict == FAILS, severe.evidence
    # Model, oracle and control quoted side by side.
    assert "source_oracle (oracle)" in severe.statement and "mean " in severe.statement
    assert "[label shift]" in severe.statement


def test_a_model_that_loses_clearly_more_than_the_oracle_breaks(tmp_path):
    # An input shift the oracle (the mechanism itself) is untouched by; cnn loses its signal.
    run = _run(
        tmp_path / "run",
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        models=("mean", "cnn"),
        profiles={"cnn": (0.8, 0.0, 0.5)},
    )
    cnn = _findings(run)[f"{BREAKS} cnn (sim)"]
    assert cnn.verdict == HOLDS, cnn.statement
    assert cnn.statement.startswith("breaks first at severity 1: gc_shift @1 [input shift]")
    assert "beyond the oracle's" in cnn.statement and "Holm" in cnn.statement


def test_a_task_with_excess_mse_but_no_oracle_is_not_simulated(tmp_path):
    # y_true is recorded (excess_mse is scored), but the task declares no oracle.
    run = _run(tmp_path / "run", references=("noise_ceiling",), models=("mean", "cnn"))
    lb = build_leaderboard([run], n_boot=N_BOOT)
    assert "excess_mse" in lb.agg.metrics("sim")
    v = view(lb, "sim")
    assert not v.has_oracle and v.oracle == ""
    found = {f.name or f.claim: f for f in lb.findings}
    for name in ("sim_mild_gc_shift", "sim_severe_shifts_break", "sim_selective_id"):
        assert found[name].verdict == UNSURE and "oracle" in found[name].statement
    assert "oracle" not in found[f"{BREAKS} cnn (sim)"].statement
    # Oracle rows without per-example predictions: the yardstick is used, and said to be unpaired.
    unpaired = _run(tmp_path / "unpaired", shifts={"none": (0.0,), "gc_shift": (1.0,)}, models=("mean", "cnn"))
    for sidecar in (unpaired / "predictions").glob("*.references.parquet"):
        sidecar.unlink()
    lb = build_leaderboard([unpaired], n_boot=N_BOOT)
    assert view(lb, "sim").has_oracle
    assert any("resampled over seeds only" in n for n in lb.sections[0].notes)


def test_breaks_first_names_the_largest_break_not_the_first_name(tmp_path):
    # Two input shifts at one severity; the one later in the alphabet is twice as strong.
    shifts = {"none": (0.0,), "a_shift": (1.0,), "z_shift": (1.0,)}
    run = _run(
        tmp_path / "run",
        shifts=shifts,
        models=("mean", "cnn"),
        shift_kinds={"a_shift": "covariate", "z_shift": "covariate"},
        shift_strength={"a_shift": 0.5, "z_shift": 1.0},
        profiles={"cnn": (0.8, 0.0, 0.5)},
    )
    cnn = _findings(run)[f"{BREAKS} cnn (sim)"]
    assert cnn.verdict == HOLDS, cnn.statement
    assert cnn.statement.startswith("breaks first at severity 1: z_shift @1"), cnn.statement
    assert cnn.evidence[0].startswith("z_shift @1")


def test_the_mean_control_turns_a_break_into_a_label_distribution_shift(tmp_path):
    # No oracle (a real task): a large label move hits every predictor, the mean too.
    run = _run(
        tmp_path / "run",
        tasks=("mpra_toy",),
        shifts={"none": (0.0,), "cell_type": (1.0,)},
        label_shifts=("cell_type",),
        models=("mean", "cnn"),
        label_move=2.0,
        profiles={"cnn": (0.8, 0.9, 1.0), "mean": (0.0, 1.0, 1.0)},
    )
    cnn = _findings(run)[f"{BREAKS} cnn (mpra_toy)"]
    assert cnn.verdict == FAILS, cnn.statement
    assert "a shift of the label distribution, not a model failure" in cnn.statement
    assert "control mean" in cnn.statement


def test_a_claim_the_run_contradicts_does_not_hold(default_run):
    # The synthetic prior makes cnn+motif more robust under the mechanism shift only by chance:
    # its ID gain holds, and no claim is invented where cells are missing.
    prior = _findings(default_run)["sim_prior_robustness"]
    assert prior.verdict in (FAILS, UNSURE)
    assert "measurement" in prior.statement


def test_missing_cells_make_a_claim_inconclusive_with_the_reason(tmp_path):
    run = _run(tmp_path / "run", shifts={"none": (0.0,), "gc_shift": (1.0,)})
    found = _findings(run)
    severe = found["sim_severe_shifts_break"]
    assert severe.verdict == UNSURE and "no motif_rewiring@1 cells" in severe.statement
    assert "no noise_inflation@0.25" in found["sim_selection_shrinks_with_noise"].statement
    assert "severity ≤ 0.25" in found["sim_mild_gc_shift"].statement
    assert "no real-data gc_extremes" in found["real_selective_gc_extremes"].statement


def test_smoke_like_runs_are_inconclusive(tmp_path):
    one_seed = _findings(_run(tmp_path / "one", seeds=1))
    assert all(f.verdict == UNSURE for f in one_seed.values())
    smoke = _findings(_run(tmp_path / "smoke", preset="smoke"))
    assert all(f.verdict == UNSURE for f in smoke.values())
    assert all(f.statement.startswith("smoke preset") for f in smoke.values())


#: Every task an anchor names: a run of all of them shows every anchor (the published board).
ANCHORED = ("sim", "mpra_hepg2", "mpra_wtc11", "dream_yeast", "kircher_satmut")


@pytest.fixture(scope="module")
def all_tasks_run(tmp_path_factory):
    return _run(
        tmp_path_factory.mktemp("all") / "run",
        tasks=ANCHORED,
        seeds=1,
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        models=("mean", "cnn"),
        n_test=60,
    )


def _terminal(lb) -> str:
    import io

    from rich.console import Console

    from regshift_bench.leaderboard import terminal_renderables

    console = Console(file=io.StringIO(), width=200, color_system=None)
    for item in terminal_renderables(lb):
        console.print(item)
    return console.file.getvalue()


def test_every_format_has_findings_anchors_and_the_method(all_tasks_run):
    lb = build_leaderboard([all_tasks_run], n_boot=20)
    md = render_markdown(lb)
    assert "## Findings" in md and "## Anchors" in md and "0.829 / 0.860" in md
    assert "hierarchical bootstrap" in md and "issue #" not in md.lower()
    # A run of every anchored task tabulates every registered anchor, the one of no task too.
    assert len(lb.sections[1].rows) == len(registered_anchors())
    assert not any("anchor(s) for tasks not in this run" in n for n in lb.sections[1].notes)
    html = render_html(lb)
    assert 'data-table="findings"' in html and 'data-table="anchors"' in html
    doc = render_json(lb)
    assert {f["verdict"] for f in doc["findings"]} <= {HOLDS, FAILS, UNSURE}
    assert doc["statistics"].startswith("hierarchical bootstrap")
    assert doc["controls"] == ["gc_linear", "mean"]
    assert [s["key"] for s in doc["sections"]] == ["findings", "anchors"]
    json.dumps(doc)
    assert "verdict" in render_csv(lb)["findings"].splitlines()[0]
    res = CliRunner().invoke(app, ["leaderboard", str(all_tasks_run), "--n-boot", "20"])
    assert res.exit_code == 0, res.output
    assert "Findings" in res.output and "Anchors" in res.output


def test_anchors_are_plugin_contributions_with_sources_and_our_size(all_tasks_run):
    anchors = {a.name: (owner, a) for owner, a in registered_anchors()}
    owner, dream = next(v for n, v in anchors.items() if n.startswith("DREAM"))
    assert owner == "mpra" and dream.value == "0.829 / 0.860" and "6.7M" in dream.train_size
    _, hepg2 = anchors["lentiMPRA HepG2"]
    assert "0.83" in hepg2.value and "120k" in hepg2.train_size and hepg2.our_task == "mpra_hepg2"
    lb = build_leaderboard([all_tasks_run], n_boot=20, findings=True)
    table = lb.sections[1]
    row = next(r for r in table.rows if r[0].text == "lentiMPRA HepG2")
    assert "quick: 2,000" in row[3].sub  # tasks/mpra.toml's quick train size
    assert row[4].text.startswith("cnn pearson = ")  # the learned model, not a control


def test_a_small_run_tabulates_only_the_anchors_of_its_tasks(default_run, tmp_path):
    # sim alone: no anchor names it, so no table, one line counting them.
    lb = build_leaderboard([default_run], n_boot=20)
    anchors = lb.sections[1]
    n = len(registered_anchors())
    line = f"{n} published anchor(s) for tasks not in this run (1 of them for no task of ours)"
    assert anchors.rows == [] and anchors.notes[0].startswith(line)
    assert "rsbench list anchors" in anchors.notes[0]
    md, html, text = render_markdown(lb), render_html(lb), _terminal(lb)
    assert "## Anchors" not in md and 'data-table="anchors"' not in html
    assert line in md and line in html and line in text.replace("\n", " ")
    assert "published result" not in text  # no table header
    # mpra_hepg2 alone: its two anchors, the other four counted.
    hepg2 = _run(
        tmp_path / "hepg2",
        tasks=("mpra_hepg2",),
        seeds=1,
        models=("mean", "cnn"),
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        n_test=60,
    )
    table = build_leaderboard([hepg2], n_boot=20).sections[1]
    assert {r[3].text for r in table.rows} == {"mpra_hepg2"} and len(table.rows) == 2
    assert table.notes[0].startswith(f"{n - 2} published anchor(s) for tasks not in this run")


def test_claims_a_run_does_not_read_are_one_line_not_rows(default_run):
    lb = build_leaderboard([default_run], n_boot=N_BOOT)
    unread = [
        "conformal_covers_id",
        "weighted_conformal_input_shift",
        "kshot_label_shift",
        "evoaug_ood_r",
        "real_selective_gc_extremes",
    ]
    found = {f.name: f for f in lb.findings if f.name}
    assert sorted(n for n, f in found.items() if f.unread) == sorted(unread)
    table = lb.sections[0]
    assert not {r[0].sub for r in table.rows} & set(unread)  # no row of theirs
    assert "sim_severe_shifts_break" in {r[0].sub for r in table.rows}  # read: a row
    line = "Claims not read by this run (no cells they need): " + ", ".join(unread)
    assert table.notes[0].startswith(line) and "rsbench list claims" in table.notes[0]
    assert md_escape(line) in render_markdown(lb) and line in render_html(lb)
    assert line in " ".join(_terminal(lb).split())
    # The files keep every claim with its verdict and reason.
    doc = render_json(lb)
    assert {f["name"] for f in doc["findings"]} >= set(found)
    csv = render_csv(lb)["findings"]
    assert all(name in csv for name in unread) and "no evoaug cells in this run" in csv


def test_a_run_that_reads_no_claim_shows_one_line_and_no_findings_table(tmp_path):
    # Controls alone: no learned model to judge, no cell any claim reads.
    run = _run(tmp_path / "run", models=("mean",), seeds=1, shifts={"none": (0.0,), "gc_shift": (1.0,)})
    lb = build_leaderboard([run], n_boot=20)
    assert lb.findings and all(f.unread for f in lb.findings)
    table = lb.sections[0]
    assert table.rows == [] and len(table.notes) == 1
    assert table.notes[0].startswith("Claims not read by this run (no cells they need): ")
    md, html, text = render_markdown(lb), render_html(lb), _terminal(lb)
    assert "## Findings" not in md and 'data-table="findings"' not in html
    assert "┃ claim" not in text and "Values: seed-averaged" not in text
    assert "Claims not read by this run" in md and "Claims not read by this run" in html
    assert len(render_json(lb)["findings"]) == len(lb.findings)
