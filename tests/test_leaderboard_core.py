"""Leaderboard: loading, merging, seed aggregation, bootstrap ranks, tie groups, prior effect."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from regshift_bench import results as rs
from regshift_bench.errors import DataError
from regshift_bench.leaderboard import build_leaderboard, load_runs
from regshift_bench.leaderboard.aggregate import Condition, aggregate
from regshift_bench.leaderboard.ranks import BootScores, robustness, tie_groups
from regshift_bench.leaderboard.render_text import render_markdown
from regshift_bench.testing.synthetic_run import write_synthetic_run

FAILED = ("sim", "motif_loss", 1.0, "bilstm", 1)
MISSING = ("sim", "gc_shift", 1.0, "mean", 0)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return write_synthetic_run(
        tmp_path_factory.mktemp("lb") / "run", seeds=2, n_test=120, failed=[FAILED], missing=[MISSING]
    )


@pytest.fixture(scope="module")
def board(run_dir):
    return build_leaderboard([run_dir], n_boot=200)


def test_seed_aggregation_matches_hand_computation(run_dir, board):
    res = rs.read_results(run_dir)
    ok = res[(res["status"] == "ok") & (res["metric"] == "pearson")]
    key = dict(task="sim", shift="gc_shift", severity=1.0, model="cnn")
    part = ok.loc[(ok[list(key)] == pd.Series(key)).all(axis=1)]
    ood = part.loc[part["split"] == "test_ood"].set_index("seed")["value"]
    ident = part.loc[part["split"] == "test_id"].set_index("seed")["value"]
    row = board.agg.values.query(
        "model == 'cnn' and shift == 'gc_shift' and severity == 1.0 and metric == 'pearson'"
    ).iloc[0]
    assert row["mean"] == pytest.approx(ood.mean())
    assert row["sd"] == pytest.approx(ood.std(ddof=1))
    assert row["id_mean"] == pytest.approx(ident.mean())
    # pearson is higher-is-better: drop = ID - OOD, positive when the shift hurts
    assert row["drop_mean"] == pytest.approx((ident - ood).mean())
    assert row["status"] == "ok" and row["n_seeds"] == 2


def test_lower_is_better_drop_is_oriented(board):
    row = board.agg.values.query("model == 'cnn' and shift == 'motif_loss' and metric == 'mse'").iloc[0]
    assert row["drop_mean"] == pytest.approx(row["mean"] - row["id_mean"])
    assert row["drop_mean"] > 0  # the synthetic shift hurts cnn


def test_failed_and_missing_cells_are_shown_not_averaged_away(board):
    acc = next(t for t in board.boards[0].tables if t.key == "accuracy")
    rows = {r[0].text: r for r in acc.rows}
    col = acc.columns.index("motif_loss @1")
    assert rows["bilstm"][col].flag == "partial" and "1/2 seeds" in rows["bilstm"][col].sub
    assert rows["bilstm"][0].flag == "incomplete"
    col = acc.columns.index("gc_shift @1")
    assert rows["mean"][col].flag == "partial" and rows["mean"][0].flag == "incomplete"
    assert rows["cnn"][0].flag == ""
    cells = board.agg.cells.set_index(["model", "shift", "severity"])
    assert cells.loc[("bilstm", "motif_loss", 1.0), "n_failed"] == 1
    assert cells.loc[("mean", "gc_shift", 1.0), "n_missing"] == 1
    ranks = board.boards[0].ranks.set_index("model")
    assert not ranks.loc["bilstm", "complete"] and np.isnan(ranks.loc["bilstm", "rank"])


def test_all_seeds_failed_shows_failed(tmp_path):
    run = write_synthetic_run(
        tmp_path / "r",
        models=("cnn", "bilstm"),
        seeds=1,
        n_test=60,
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        failed=[("sim", "gc_shift", 1.0, "bilstm", 0)],
    )
    lb = build_leaderboard([run], n_boot=50)
    acc = lb.boards[0].tables[0]
    cell = {r[0].text: r for r in acc.rows}["bilstm"][acc.columns.index("gc_shift @1")]
    assert cell.text == "failed" and "synthetic failure" in cell.title


def test_a_task_with_no_finished_cell_is_named_not_fatal(tmp_path):
    # A run still going (or killed) plans a task none of whose cells finished yet.
    grid = {"none": (0.0,), "gc_shift": (1.0,)}
    late = [("sim_late", s, v, m, 0) for s, vs in grid.items() for v in vs for m in ("cnn", "mean")]
    run = write_synthetic_run(
        tmp_path / "r", tasks=("sim", "sim_late"), models=("cnn", "mean"), seeds=1, n_test=60, shifts=grid, missing=late
    )
    lb = build_leaderboard([run], n_boot=20, findings=False)
    assert [b.task for b in lb.boards] == ["sim"]
    assert lb.options["tasks_without_results"] == ["sim_late"]
    assert "no finished cell yet: sim\\_late" in render_markdown(lb)
    with pytest.raises(DataError, match="no cell of sim_late has finished yet.*resumes"):
        build_leaderboard([run], tasks=["sim_late"], n_boot=20, findings=False)


def test_bootstrap_point_matches_recorded_metric(run_dir, board):
    res = rs.read_results(run_dir)
    bs = board.boards[0].boot
    cond = next(c for c in board.boards[0].conditions if c.shift == "gc_shift")
    rec = res.query(
        "model == 'cnn' and shift == 'gc_shift' and severity == 1.0 and seed == 0 "
        "and split == 'test_ood' and metric == 'pearson'"
    )["value"].iloc[0]
    assert bs.point[("cnn", cond, 0)] == pytest.approx(rec)


def test_tie_group_rule_on_samples():
    rng = np.random.default_rng(0)
    common = rng.normal(size=1000)
    oriented = {
        "best": 1.0 + 0.05 * rng.normal(size=1000),
        "a": 0.5 + 0.05 * common,
        "b": 0.49 + 0.05 * common + 0.02 * rng.normal(size=1000),
    }
    assert tie_groups(["best", "a", "b"], oriented, 0.95) == {"best": 1, "a": 2, "b": 2}


def test_undefined_score_is_not_ranked_and_does_not_break_the_others():
    cond = Condition("gc_shift", 1.0, "test_ood")
    bs = BootScores("pearson", True, 100, 0.95, {cond: [0]})
    rng = np.random.default_rng(0)
    for model, centre in (("a", 0.5), ("b", 0.8), ("const", np.nan)):
        bs.point[(model, cond, 0)] = centre
        bs.samples[(model, cond, 0)] = centre + 0.01 * rng.normal(size=100)
    frame = robustness(bs, ["a", "b", "const"], [cond]).set_index("model")
    assert frame.loc["b", "rank"] == 1 and frame.loc["a", "rank"] == 2
    assert not frame.loc["const", "complete"] and np.isnan(frame.loc["const", "rank"])


def test_models_are_ranked_over_the_conditions_that_cover_most_of_them():
    from regshift_bench.leaderboard.ranks import shared_conditions

    common, selection = Condition("gc_shift", 1.0, "test_ood"), Condition("gc_extremes", 1.0, "test_ood/low_gc")
    bs = BootScores("pearson", True, 100, 0.95, {common: [0, 1], selection: [0, 1]})
    rng = np.random.default_rng(0)
    runs = {"a": (common, selection), "b": (common,), "c": (common,), "partial": (common,)}
    for model, conds in runs.items():
        for cond in conds:
            for seed in (0, 1):
                if model == "partial" and seed == 1:
                    continue  # one seed of a chosen condition missing: stays incomplete
                bs.point[(model, cond, seed)] = 0.5
                bs.samples[(model, cond, seed)] = 0.5 + 0.01 * rng.normal(size=100)
    # gc_shift alone covers 4 models x 1; both conditions only "a": 1 x 2
    chosen, left_out = shared_conditions(bs, list(runs), [common, selection])
    assert chosen == [common] and left_out == {selection: ["b", "c", "partial"]}
    frame = robustness(bs, list(runs), chosen).set_index("model")
    assert frame.loc[["a", "b", "c"], "complete"].all() and not frame.loc["partial", "complete"]
    # a tie (2 x 1 against 1 x 2) keeps the larger set: "b" is then the one not ranked
    assert shared_conditions(bs, ["a", "b"], [common, selection]) == ([common, selection], {})
    frame = robustness(bs, ["a", "b"], [common, selection]).set_index("model")
    assert frame.loc["a", "complete"] and not frame.loc["b", "complete"]


def test_overlapping_models_share_a_tie_group_and_a_clear_winner_does_not(tmp_path):
    profiles = {"alpha": (0.7, 0.5, 0.9), "beta": (0.7, 0.5, 0.9), "champion": (0.95, 0.95, 0.9)}
    run = write_synthetic_run(
        tmp_path / "tie",
        models=tuple(profiles),
        profiles=profiles,
        seeds=2,
        n_test=150,
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
    )
    ranks = build_leaderboard([run], n_boot=300).boards[0].ranks.set_index("model")
    low, high = ranks["score_low"], ranks["score_high"]
    assert low["alpha"] <= high["beta"] and low["beta"] <= high["alpha"]  # CIs overlap
    assert ranks.loc["alpha", "tie_group"] == ranks.loc["beta", "tie_group"]
    assert low["champion"] > max(high["alpha"], high["beta"])
    assert ranks.loc["champion", "tie_group"] == 1 and ranks.loc["alpha", "tie_group"] == 2
    assert ranks.loc["champion", "rank_high"] == 1


def test_prior_effect_is_paired_and_significant_under_shift(board):
    prior = board.boards[0].prior.set_index("condition")
    assert set(prior["model"]) == {"cnn+motif"} and set(prior["base"]) == {"cnn"}
    shifted = prior.loc["gc_shift @1"]
    assert shifted["diff"] > 0 and shifted["low"] > 0 and shifted["significant"]
    table = board.boards[0].tables[4]
    assert table.rows[0][0].sub.startswith("vs cnn")
    assert any(c.flag == "helps" for c in table.rows[0][1:])


def test_per_cell_files_and_consolidated_agree(tmp_path):
    kw = dict(seeds=1, n_test=60, models=("cnn", "bilstm"))
    a = load_runs([write_synthetic_run(tmp_path / "a", consolidated=False, **kw)])
    b = load_runs([write_synthetic_run(tmp_path / "b", per_cell_files=False, **kw)])
    cols = ["cell", "split", "metric", "value"]
    sort = ["cell", "split", "metric"]
    pd.testing.assert_frame_equal(
        a.results[cols].sort_values(sort).reset_index(drop=True),
        b.results[cols].sort_values(sort).reset_index(drop=True),
    )


def test_merge_requires_same_suite_version(tmp_path):
    kw = dict(seeds=1, n_test=40, models=("cnn",), shifts={"none": (0.0,), "gc_shift": (1.0,)})
    a = write_synthetic_run(tmp_path / "a", **kw)
    b = write_synthetic_run(tmp_path / "b", suite_version=2, **kw)
    with pytest.raises(DataError, match=r"suite 'synthetic' is version 1 .* version 2"):
        load_runs([a, b])


def test_merge_takes_finished_cell_over_failed(tmp_path):
    kw = dict(seeds=1, n_test=40, models=("cnn", "bilstm"), shifts={"none": (0.0,), "gc_shift": (1.0,)})
    a = write_synthetic_run(tmp_path / "a", failed=[("sim", "gc_shift", 1.0, "cnn", 0)], **kw)
    b = write_synthetic_run(tmp_path / "b", models=("cnn",), seeds=1, n_test=40, shifts={"gc_shift": (1.0,)})
    runs = load_runs([a, b])
    plan = runs.plan.set_index(["model", "shift"])
    assert plan.loc[("cnn", "gc_shift"), "status"] == "ok"
    assert plan.loc[("cnn", "gc_shift"), "src"] == 1
    assert len(runs.plan) == 4
    agg = aggregate(runs)
    assert (agg.values.query("model == 'cnn' and shift == 'gc_shift'")["status"] == "ok").all()


def test_schema_version_mismatch_is_a_clear_error(tmp_path):
    run = write_synthetic_run(tmp_path / "old", seeds=1, n_test=30, models=("cnn",), shifts={"none": (0.0,)})
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["schema_version"] = 999
    (run / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match="schema_version 999"):
        load_runs([run])


def test_unknown_task_and_metric_are_named(run_dir):
    with pytest.raises(DataError, match="did you mean 'sim'"):
        build_leaderboard([run_dir], tasks=["simm"], n_boot=20)
    with pytest.raises(DataError, match="did you mean 'pearson'"):
        build_leaderboard([run_dir], metric="pearsn", n_boot=20)


def test_merge_refuses_mixed_presets_and_task_name_clashes(tmp_path):
    kw = dict(seeds=1, n_test=30, models=("cnn",), shifts={"none": (0.0,)})
    a = write_synthetic_run(tmp_path / "a", **kw)
    b = write_synthetic_run(tmp_path / "b", preset="full", **kw)
    with pytest.raises(DataError, match="different presets"):
        load_runs([a, b])
    c = write_synthetic_run(tmp_path / "c", suite="other", **kw)
    with pytest.raises(DataError, match="task 'sim' comes from suite 'synthetic'"):
        load_runs([a, c])


def test_rank_metric_goes_through_the_metric_plugin(run_dir):
    pytest.importorskip("rsbench_metrics")
    lb = build_leaderboard([run_dir], metric="spearman", n_boot=50)
    board = lb.boards[0]
    assert not board.boot.notes
    cond = next(c for c in board.conditions if c.shift == "gc_shift")
    rec = lb.agg.values.query("model == 'cnn' and shift == 'gc_shift' and severity == 1.0 and metric == 'spearman'")
    points = [board.boot.point[("cnn", cond, s)] for s in (0, 1)]
    assert np.mean(points) == pytest.approx(rec["mean"].iloc[0], abs=1e-9)
    assert board.ranks["rank"].notna().sum() == 2  # cnn, cnn+motif (bilstm/mean incomplete)


def test_a_value_without_a_metric_plugin_is_noted_not_ranked(run_dir):
    from regshift_bench.errors import BootstrapUnavailable, RegshiftError
    from regshift_bench.leaderboard.ranks import boot_scores

    assert issubclass(BootstrapUnavailable, RegshiftError)
    runs = load_runs([run_dir])
    conds = aggregate(runs).conditions("sim")
    bs = boot_scores(runs, "sim", "task_own_score", True, conds, ["cnn"], n_boot=10)
    assert not bs.point and "no registered metric plugin" in bs.notes[0]


def test_default_ranking_metric_comes_from_metric_metadata(board):
    from regshift_bench.leaderboard.metric_info import default_metric, registered_infos

    infos = registered_infos()
    first = min((i for i in infos.values() if i.table == "accuracy"), key=lambda i: i.order)
    assert board.boards[0].metric == first.name == default_metric(infos, {first.name, "mse"})
    cal = {i.name for i in infos.values() if i.table == "calibration"}
    shown = set(board.boards[0].tables[1].data["metric"])
    assert shown == cal & board.agg.metrics("sim")


def test_a_cell_of_interpretation_rows_never_replaces_the_model_cell(tmp_path):
    import pyarrow.parquet as pq

    from regshift_bench.leaderboard.load import results_schema

    run = write_synthetic_run(tmp_path / "r", seeds=1, n_test=40, models=("cnn",), shifts={"none": (0.0,)})
    rows = pq.read_table(next((run / "cells").glob("*.parquet"))).to_pandas().head(1)
    rows = rows.assign(cell="ffffffffffffffff", explainer="ism", metric="synthetic_site_score")
    import pyarrow as pa

    rs.write_parquet_atomic(
        pa.Table.from_pandas(rows, schema=results_schema(), preserve_index=False),
        run / "cells" / "ffffffffffffffff.parquet",
    )
    runs = load_runs([run])
    assert "ffffffffffffffff" not in set(runs.plan["cell"])
    assert "synthetic_site_score" in set(runs.results["metric"])
    board = build_leaderboard([run], n_boot=10)
    assert board.boards[0].tables[0].rows[0][1].flag == ""  # the model's own value


def test_a_split_scored_by_its_own_metrics_is_shown_not_ranked_on_rows(tmp_path):
    # A shift that scores its OOD split with metrics of its own (as the variant-effect
    # sets do): its predictions exist, but the board metric was never recorded there.
    run = write_synthetic_run(
        tmp_path / "r",
        models=("cnn", "bilstm"),
        seeds=2,
        n_test=60,
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        per_cell_files=False,
    )
    path = run / "results.parquet"
    frame = pd.read_parquet(path)
    ood = (frame["shift"] == "gc_shift") & frame["split"].str.startswith("test_ood")
    frame = frame.loc[~ood | frame["metric"].isin(["pearson", "mse"])].copy()
    frame.loc[ood & (frame["metric"] == "pearson"), "metric"] = "effect_pearson"
    frame.loc[ood & (frame["metric"] == "mse"), "metric"] = "own_score"
    frame.to_parquet(path)
    lb = build_leaderboard([run], n_boot=20, findings=False)
    board = lb.boards[0]
    acc = board.tables[0]
    # Every cell of that column would read "not scored": the column is left out, and said so.
    assert "gc_shift @1" not in acc.columns and "none (ID)" in acc.columns
    assert any(n == "Left out, nothing scored there: gc_shift @1." for n in acc.notes)
    # Nothing is ranked, or plotted, on rows the runner never scored that way.
    assert board.ranks["rank"].isna().all()
    assert [c.label for c in board.plotted()] == ["none (ID)"]
    other = next(t for t in board.tables if t.key == "other")
    shown = {r[0].text: r for r in other.rows}["cnn"][other.columns.index("gc_shift @1")]
    # effect_pearson stands first (it is pearson's counterpart), with the seeds' sd.
    recorded = frame.loc[ood & (frame["model"] == "cnn") & (frame["metric"] == "effect_pearson")]
    assert shown.text.startswith("effect_pearson ") and "±" in shown.text
    assert f"{recorded['value'].mean():.3f}" in shown.text
    assert "own_score" in shown.sub
    # The findings judge no row-level coverage on such a split either.
    found = {f.claim: f for f in build_leaderboard([run], n_boot=20).findings}
    breaks = found["A shift in this run breaks cnn (sim)"]
    assert breaks.verdict == "inconclusive" and "have no coverage_90" in breaks.statement
    # An anchor reads ours from the metric it names, here recorded only out of distribution.
    from regshift_bench.api import Anchor
    from regshift_bench.leaderboard.anchors import anchors_table

    anchor = Anchor("n", "m", "1", "s", "t", "sim", "d", "i", our_metric="effect_pearson")
    ours = anchors_table(lb, [anchor]).rows[0][4].text
    by_model = frame.loc[ood & (frame["metric"] == "effect_pearson")].groupby("model")["value"].mean()
    assert ours.startswith(f"{by_model.idxmax()} effect_pearson: test_ood {by_model.max():.3f}")
    default = anchors_table(lb, [Anchor("n", "m", "1", "s", "t", "sim", "d", "i")])
    assert " pearson = " in default.rows[0][4].text and "(ID," in default.rows[0][4].text


def test_an_id_that_is_not_the_none_column_is_called_own_id(tmp_path):
    from regshift_bench.leaderboard.tables import OWN_ID_NOTE, accuracy_table, fmt

    run = write_synthetic_run(
        tmp_path / "run",
        seeds=2,
        n_test=80,
        models=("cnn", "bilstm"),
        shifts={"none": (0.0,), "gc_shift": (1.0,), "gc_split": (1.0,)},
        shift_kinds={"gc_shift": "covariate", "gc_split": "selection"},
        metrics=("mse", "pearson"),
    )
    agg = aggregate(load_runs([run]))
    # The synthetic run draws a test_id per condition; a runner's covariate shift keeps the
    # source split and model, so its ID is the none cells' value: make gc_shift so.
    vals = agg.values
    none = vals.loc[vals["shift"] == "none"].set_index(["model", "metric"])["mean"]
    shared = vals["shift"] == "gc_shift"
    vals.loc[shared, "id_mean"] = [none[(m, k)] for m, k in zip(vals.loc[shared, "model"], vals.loc[shared, "metric"])]
    own = agg.own_id("sim", "pearson")
    assert {k[1] for k in own} == {"gc_split"} and {k[0] for k in own} == {"cnn", "bilstm"}
    conds = agg.conditions("sim")
    table = accuracy_table(agg, "sim", "pearson", ["cnn", "bilstm"], conds)
    col = {c: i for i, c in enumerate(table.columns)}
    tails = ["gc_split/low_gc @1", "gc_split/high_gc @1"]  # the selection's two OOD sets
    assert set(tails) <= set(col)
    for row in table.rows:
        # One name, one number: "ID x" is the none (ID) column's x; another value is "own ID".
        ident = row[col["none (ID)"]].text.split(" ")[0]
        assert row[col["gc_shift @1"]].sub.startswith(f"ID {ident} · drop")
        got = vals.loc[
            (vals["model"] == row[0].text) & (vals["metric"] == "pearson") & (vals["shift"] == "gc_split"), "id_mean"
        ].iloc[0]
        for tail in tails:
            assert row[col[tail]].sub.startswith(f"own ID {fmt(got)} · drop")
        assert fmt(got) != ident
    assert OWN_ID_NOTE in table.notes
    only_shared = accuracy_table(agg, "sim", "pearson", ["cnn"], [c for c in conds if c.shift != "gc_split"])
    assert OWN_ID_NOTE not in only_shared.notes
