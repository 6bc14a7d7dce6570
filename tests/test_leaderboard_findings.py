"""The Findings and Anchors sections: verdicts from measured values, never invented."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from regshift_bench.cli.main import app
from regshift_bench.errors import DataError
from regshift_bench.leaderboard import (build_leaderboard, render_csv, render_html, render_json,
                                        render_markdown)
from regshift_bench.leaderboard.anchors import load_anchors
from regshift_bench.leaderboard.findings import (FAILS, HOLDS, MIN_SEEDS, UNSURE, Est, judge)
from regshift_bench.testing.synthetic_run import write_synthetic_run

KINDS = {"none": "selection", "gc_shift": "covariate", "motif_rewiring": "mechanism",
         "noise_inflation": "measurement", "gc_extremes": "selection"}
SHIFTS = {"none": (0.0,), "gc_shift": (0.25, 1.0), "motif_rewiring": (1.0,),
          "noise_inflation": (0.25, 1.0)}
METRICS = ["mse", "pearson", "coverage_90", "z2", "selective_gain", "excess_mse", "aurc"]
N_BOOT = 200


def _run(path, **kw):
    args = {"shifts": SHIFTS, "models": ("mean", "cnn", "cnn+motif"), "seeds": MIN_SEEDS,
            "n_test": 200, "shift_kinds": KINDS, "references": ("noise_ceiling",),
            "metrics": METRICS, **kw}
    return write_synthetic_run(path, **args)


BREAKS = "A shift in this run breaks"


def _findings(run) -> dict[str, object]:
    lb = build_leaderboard([run], n_boot=N_BOOT)
    return {f.claim.split(" ")[0] if not f.claim.startswith(BREAKS) else f.claim: f
            for f in lb.findings}


def _claim(found: dict[str, object], word: str):
    return next(f for k, f in found.items() if k.startswith(word))


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


def test_claims_hold_where_the_synthetic_story_makes_them(tmp_path):
    # A badly calibrated model that loses its signal under shift: the severe-shift claim
    # holds; a real-data task's gc_extremes split shows selection helping there too.
    shifts = {**SHIFTS, "gc_extremes": (1.0,)}
    run = _run(tmp_path / "run", models=("mean", "cnn"), tasks=("sim", "mpra_toy"),
               shifts=shifts, profiles={"cnn": (0.8, 0.0, 0.5)})
    found = _findings(run)
    severe = _claim(found, "motif_rewiring")
    assert severe.verdict == HOLDS, severe.evidence
    assert "coverage_90" in severe.statement and "motif_rewiring @1" in severe.statement
    selective = _claim(found, "Selective")
    assert selective.verdict == HOLDS, selective.evidence
    assert any("mpra_toy gc_extremes @1" in e for e in selective.evidence)
    breaks = found["A shift in this run breaks cnn (sim)"]
    assert breaks.verdict == HOLDS and "breaks first at severity" in breaks.statement


def test_a_claim_the_run_contradicts_does_not_hold(default_run):
    # The synthetic prior makes cnn+motif more robust under every shift, measurement too.
    prior = _claim(_findings(default_run), "Prior-augmented")
    assert prior.verdict == FAILS
    assert "measurement" in prior.statement and "a significant gain" in prior.statement


def test_missing_cells_make_a_claim_inconclusive_with_the_reason(tmp_path):
    run = _run(tmp_path / "run", shifts={"none": (0.0,), "gc_shift": (1.0,)})
    found = _findings(run)
    severe = _claim(found, "motif_rewiring")
    assert severe.verdict == UNSURE and "no motif_rewiring@1 cells" in severe.statement
    assert "no noise_inflation@0.25" in _claim(found, "The").statement
    assert "severity ≤ 0.25" in _claim(found, "Mild").statement
    assert _claim(found, "Prior-augmented").verdict in (FAILS, UNSURE)  # never invented
    assert "no real-data gc_extremes" in _claim(found, "Selective").statement


def test_smoke_like_runs_are_inconclusive(tmp_path):
    one_seed = _findings(_run(tmp_path / "one", seeds=1))
    assert all(f.verdict == UNSURE for f in one_seed.values() if not f.claim.startswith("What"))
    smoke = _findings(_run(tmp_path / "smoke", preset="smoke"))
    assert all(f.verdict == UNSURE for f in smoke.values())
    assert all(f.statement.startswith("smoke preset") for f in smoke.values())


def test_every_format_has_findings_and_anchors(default_run):
    lb = build_leaderboard([default_run], n_boot=N_BOOT)
    md = render_markdown(lb)
    assert "## Findings" in md and "## Anchors" in md and "0.829 / 0.860" in md
    html = render_html(lb)
    assert 'data-table="findings"' in html and 'data-table="anchors"' in html
    doc = render_json(lb)
    assert {f["verdict"] for f in doc["findings"]} <= {HOLDS, FAILS, UNSURE}
    assert [s["key"] for s in doc["sections"]] == ["findings", "anchors"]
    json.dumps(doc)
    assert "verdict" in render_csv(lb)["findings"].splitlines()[0]
    res = CliRunner().invoke(app, ["leaderboard", str(default_run), "--n-boot", "50"])
    assert res.exit_code == 0, res.output
    assert "Findings" in res.output and "Anchors" in res.output


def test_anchors_carry_sources_sizes_and_our_size(default_run):
    anchors = {a.name: a for a in load_anchors()}
    dream = next(a for n, a in anchors.items() if n.startswith("DREAM"))
    assert dream.value == "0.829 / 0.860" and "6.7M" in dream.train_size
    hepg2 = anchors["lentiMPRA HepG2"]
    assert "0.83" in hepg2.value and "120k" in hepg2.train_size and hepg2.our_task == "mpra_hepg2"
    lb = build_leaderboard([default_run], n_boot=20, findings=True)
    table = lb.sections[1]
    row = next(r for r in table.rows if r[0].text == "lentiMPRA HepG2")
    assert "quick: 2,000" in row[3].sub  # tasks/mpra.toml's quick train size
    assert row[4].text == "not in this run"


def test_bad_anchor_files_are_one_line_errors():
    with pytest.raises(DataError, match="lacks"):
        load_anchors('[[anchor]]\nname = "x"\n')
    with pytest.raises(DataError, match="not valid TOML"):
        load_anchors("[[anchor]\n")


def test_a_calibrated_robust_model_refutes_the_severe_shift_claim(tmp_path):
    run = _run(tmp_path / "run", models=("mean", "cnn"), profiles={"cnn": (0.95, 1.0, 1.0)})
    severe = _claim(_findings(run), "motif_rewiring")
    assert severe.verdict == FAILS
    assert "coverage_90" in severe.statement and "not < 0.750" in severe.statement
    # Nothing breaks this model, and its "breaks" line says so with a verdict that reads
    # right: the claim "a shift in this run breaks cnn" does not hold.
    breaks = _findings(run)["A shift in this run breaks cnn (sim)"]
    assert breaks.verdict in (FAILS, UNSURE)
    if breaks.verdict == FAILS:
        assert breaks.statement.startswith("nothing in the")
