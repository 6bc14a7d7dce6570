"""Oracle-relative tables, input vs label shifts, seed-aware statistics, effective robustness."""

from __future__ import annotations

import numpy as np
import pytest

from regshift_bench.bootstrap import holm, seed_average, seed_draws
from regshift_bench.leaderboard import build_leaderboard, render_markdown
from regshift_bench.leaderboard.aggregate import aggregate
from regshift_bench.leaderboard.declared import declared
from regshift_bench.leaderboard.effective import fisher_z
from regshift_bench.leaderboard.load import load_runs
from regshift_bench.leaderboard.plots import task_figures
from regshift_bench.leaderboard.ranks import boot_scores, robustness
from regshift_bench.testing.synthetic_run import write_synthetic_run

SHIFTS = {"none": (0.0,), "gc_shift": (1.0,), "motif_rewiring": (1.0,)}
KINDS = {"none": "selection", "gc_shift": "covariate", "motif_rewiring": "mechanism"}


@pytest.fixture(scope="module")
def sim_lb(tmp_path_factory):
    run = write_synthetic_run(
        tmp_path_factory.mktemp("or") / "run",
        shifts=SHIFTS,
        models=("mean", "cnn", "bilstm"),
        seeds=3,
        n_test=90,
        shift_kinds=KINDS,
        references=("noise_ceiling", "source_oracle"),
        metrics=["pearson", "mse", "coverage_90", "z2", "ood_auroc", "aurc"],
        label_shifts=("motif_rewiring",),
    )
    return build_leaderboard([run], n_boot=100, findings=False)


def test_a_sim_leaderboard_shows_oracle_mse_and_n_per_split(sim_lb):
    board = sim_lb.boards[0]
    assert board.oracle == "source_oracle"
    acc = board.tables[0]
    cnn = {r[0].text: r for r in acc.rows}["cnn"]
    cell = cnn[acc.columns.index("gc_shift @1")]
    values = sim_lb.agg.values
    mse = values.loc[
        (values["model"] == "cnn") & (values["shift"] == "gc_shift") & (values["metric"] == "mse"), "mean"
    ].iloc[0]
    assert f"mse {mse:.3f}" in cell.sub and "n 90 ⚠n" in cell.sub
    refs = sim_lb.agg.references
    oracle_r = refs.loc[
        (refs["reference"] == "source_oracle")
        & (refs["shift"] == "gc_shift")
        & (refs["split"] == "test_ood")
        & (refs["metric"] == "pearson"),
        "mean",
    ]
    r = values.loc[
        (values["model"] == "cnn") & (values["shift"] == "gc_shift") & (values["metric"] == "pearson"), "mean"
    ].iloc[0]
    assert f"÷ oracle {r / oracle_r.iloc[0]:.3f}" in cell.sub
    assert "drop beyond oracle" in cell.sub
    assert any("fewer than 100 test examples" in n for n in acc.notes)
    # The robustness summary is scored against the oracle, not the noise ceiling.
    rob = next(t for t in board.tables if t.key == "robustness")
    assert any("source_oracle pearson" in n for n in rob.notes)


def test_ood_detection_is_shown_for_input_shifts_only(sim_lb):
    assert declared(sim_lb.runs).family("motif_rewiring") == "label"
    cal = next(t for t in sim_lb.boards[0].tables if t.key == "calibration")
    cnn = {r[0].text: r for r in cal.rows}["cnn"]
    label = cnn[cal.columns.index("motif_rewiring @1")]
    moved = cnn[cal.columns.index("gc_shift @1")]
    assert "OOD AUROC" not in label.text + label.sub
    assert "OOD AUROC" in moved.text + moved.sub
    assert any("shifts that change the test inputs only" in n for n in cal.notes)
    # Coverage beside the oracle's on the same examples (it collapses under the label shift).
    refs = sim_lb.agg.references
    oracle_cov = refs.loc[
        (refs["reference"] == "source_oracle")
        & (refs["split"] == "test_ood")
        & (refs["shift"] == "motif_rewiring")
        & (refs["metric"] == "coverage_90"),
        "mean",
    ].iloc[0]
    values = sim_lb.agg.values
    cov = values.loc[
        (values["model"] == "cnn") & (values["shift"] == "motif_rewiring") & (values["metric"] == "coverage_90"), "mean"
    ].iloc[0]
    assert f"cov90 − oracle {cov - oracle_cov:.3f}" in label.sub


def test_effective_robustness_is_a_residual_from_the_line_on_fisher_z(sim_lb):
    table = next(t for t in sim_lb.boards[0].tables if t.key == "effective")
    data = table.data
    assert set(data["scale"]) == {"fisher_z"}
    part = data.loc[(data["shift"] == "gc_shift") & ~data["control"]]
    # Recompute the least-squares line from the per-seed values.
    per_seed = sim_lb.runs.results
    rows = per_seed.loc[
        (per_seed["metric"] == "pearson") & (per_seed["reference"] == "") & per_seed["model"].isin(["cnn", "bilstm"])
    ]
    ident = rows.loc[(rows["shift"] == "gc_shift") & (rows["split"] == "test_id")]
    ident = ident.set_index(["model", "seed"])["value"]
    ood = rows.loc[(rows["shift"] == "gc_shift") & (rows["split"] == "test_ood")]
    ood = ood.set_index(["model", "seed"])["value"].reindex(ident.index)
    slope, intercept = np.polyfit(fisher_z(ident.to_numpy()), fisher_z(ood.to_numpy()), 1)
    assert part["slope"].iloc[0] == pytest.approx(slope)
    for model in ("cnn", "bilstm"):
        keep = ident.index.get_level_values("model") == model
        resid = np.mean(fisher_z(ood[keep].to_numpy()) - (intercept + slope * fisher_z(ident[keep].to_numpy())))
        got = part.loc[part["model"] == model, "residual"].iloc[0]
        assert got == pytest.approx(resid)
    # Two learned models: residuals are opposite around the line.
    assert part["residual"].sum() == pytest.approx(0.0, abs=1e-9)
    assert "Effective robustness" in render_markdown(sim_lb)
    figures = {slug: fig for slug, _, fig in task_figures(sim_lb, sim_lb.boards[0])}
    scatter = figures["effective_robustness"]
    assert len(scatter.axes[0].lines) == 1  # the fitted line, beside the points


def test_seed_variance_larger_than_example_variance_widens_rank_intervals(tmp_path):
    # Two models of equal skill on average whose trained seeds differ a lot.
    run = write_synthetic_run(
        tmp_path / "run",
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        models=("cnn", "bilstm"),
        seeds=4,
        n_test=400,
        profiles={"cnn": (0.7, 0.5, 1.0), "bilstm": (0.7, 0.5, 1.0)},
        metrics=["pearson", "aurc"],
        seed_sd=0.15,
    )
    runs = load_runs([run])
    agg = aggregate(runs)
    conds = agg.conditions("sim")
    bs = boot_scores(runs, "sim", "pearson", True, conds, ["cnn", "bilstm"], n_boot=400)
    hier = robustness(bs, ["cnn", "bilstm"], conds)
    # The same samples averaged over the seeds as they are (no seed resampling).
    for key in list(bs._draws):
        bs._draws[key] = np.tile(np.arange(len(key)), (bs.n_boot, 1))
    flat = robustness(bs, ["cnn", "bilstm"], conds)
    width = lambda f: (f["score_high"] - f["score_low"]).to_numpy()  # noqa: E731
    assert (width(hier) > 1.5 * width(flat)).all()
    assert (hier["rank_high"] - hier["rank_low"]).sum() >= (flat["rank_high"] - flat["rank_low"]).sum()


def test_seed_average_and_draws():
    rng = np.random.default_rng(0)
    per_seed = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])  # (S=2, B=3)
    draws = np.array([[0, 0], [1, 1], [0, 1]])
    assert seed_average(per_seed, draws).tolist() == [1.0, 20.0, 16.5]
    assert seed_draws(rng, 5, 1).tolist() == [[0]] * 5


def test_holm_matches_the_step_down_rule():
    # Sorted p (0.01, 0.02, 0.03, 0.5) × (4, 3, 2, 1) = (0.04, 0.06, 0.06, 0.5), monotone.
    got = holm([0.03, 0.5, 0.01, 0.02])
    assert got.tolist() == pytest.approx([0.06, 0.5, 0.04, 0.06])
    assert holm([0.9, 0.8]).tolist() == pytest.approx([1.0, 1.0])
    assert holm([]).size == 0


def test_prior_effects_are_one_holm_family(tmp_path):
    run = write_synthetic_run(
        tmp_path / "run",
        shifts=SHIFTS,
        models=("cnn", "cnn+motif"),
        seeds=3,
        metrics=["pearson", "mse", "aurc"],
        shift_kinds=KINDS,
    )
    lb = build_leaderboard([run], n_boot=200, findings=False)
    prior = lb.boards[0].prior
    assert {"p", "p_holm"} <= set(prior.columns)
    assert (prior["p_holm"] >= prior["p"] - 1e-12).all()
    assert (prior["significant"] == (prior["p_holm"] < 0.05)).all()
    table = next(t for t in lb.boards[0].tables if t.key == "prior")
    assert any("Holm-adjusted" in n and "hierarchical bootstrap" in n for n in table.notes)
