"""One scoring path: the leaderboard bootstraps through the metric plugins.

Expected values come from scipy / scikit-learn / closed forms, or from
``results.parquet`` written by a real smoke run, never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics as skm
from typer.testing import CliRunner

from regshift_bench import plugins
from regshift_bench.api.metric import BEYOND_PREDICTIONS
from regshift_bench.bootstrap import Examples, bootstrap_indices, paired_scores
from regshift_bench.cli.main import app
from regshift_bench.leaderboard import build_leaderboard, load_runs
from regshift_bench.leaderboard.aggregate import aggregate
from regshift_bench.leaderboard.ranks import boot_scores
from regshift_bench.plugins import get_plugin

THIRD_PARTY = ("plugins.call_only_metric",)


def _f32(x: np.ndarray) -> np.ndarray:
    """Values a SeqDataset (float32 y) holds exactly, as predictions files do."""
    return x.astype(np.float32).astype(np.float64)


@pytest.fixture(scope="module")
def arrays():
    rng = np.random.default_rng(1)
    y = _f32(rng.normal(size=60))
    mean = 0.6 * y + rng.normal(size=60)
    var = rng.uniform(0.3, 2.0, 60)
    return {"a": Examples.of(y, mean, var), "b": Examples.of(y, 0.5 * y + mean, var * 1.5)}


LIBRARY = {
    "pearson": lambda y, m, v: stats.pearsonr(m, y).statistic,
    "spearman": lambda y, m, v: stats.spearmanr(m, y).statistic,
    "mse": lambda y, m, v: skm.mean_squared_error(y, m),
    "rmse": lambda y, m, v: np.sqrt(skm.mean_squared_error(y, m)),
    "mae": lambda y, m, v: skm.mean_absolute_error(y, m),
    "r2": lambda y, m, v: skm.r2_score(y, m),
    "nll": lambda y, m, v: -stats.norm.logpdf(y, m, np.sqrt(v)).mean(),
    "coverage_90": lambda y, m, v: np.mean(np.abs(y - m) <= stats.norm.ppf(0.95) * np.sqrt(v)),
    "z2": lambda y, m, v: np.mean((y - m) ** 2 / v),
}


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_paired_scores_equal_library_values_on_every_resample(arrays, name):
    got = paired_scores(get_plugin("metric", name), arrays, n_boot=15, rng=np.random.default_rng(3))
    idx = bootstrap_indices(60, 15, np.random.default_rng(3).spawn(2)[0])
    for model, ex in arrays.items():
        want = [LIBRARY[name](ex.y[i], ex.mean[i], ex.var[i]) for i in idx]
        np.testing.assert_allclose(got[model][1], want, rtol=1e-9, atol=1e-12)
        assert got[model][0] == pytest.approx(LIBRARY[name](ex.y, ex.mean, ex.var), rel=1e-9)


def test_needs_are_honoured_noise_var_and_reference(arrays):
    noise = np.full(60, 0.25)
    sim = {m: Examples.of(e.y, e.mean, e.var, e.y, noise) for m, e in arrays.items()}
    got = paired_scores(get_plugin("metric", "excess_mse"), sim, n_boot=10, rng=np.random.default_rng(0))
    ex = sim["a"]
    assert got["a"][0] == pytest.approx(skm.mean_squared_error(ex.y, ex.mean) - 0.25)
    rng = np.random.default_rng(9)
    ref = {m: Examples.of(_f32(rng.normal(size=40)), np.zeros(40), rng.uniform(0.1, 1.0, 40)) for m in arrays}
    got = paired_scores(
        get_plugin("metric", "ood_auroc"), arrays, n_boot=10, rng=np.random.default_rng(0), reference=ref
    )
    labels = np.r_[np.ones(60), np.zeros(40)]
    want = skm.roc_auc_score(labels, np.r_[arrays["b"].var, ref["b"].var])
    assert got["b"][0] == pytest.approx(want)


def test_call_only_third_party_metric_is_bootstrapped(arrays):
    plugins.configure(THIRD_PARTY)
    metric = get_plugin("metric", "abs_log_ratio")
    assert not any(hasattr(metric, a) for a in ("compute", "batched", "stats", "prepare"))
    got = paired_scores(metric, arrays, n_boot=6, rng=np.random.default_rng(2))
    idx = bootstrap_indices(60, 6, np.random.default_rng(2).spawn(2)[0])

    def closed(ex: Examples) -> float:
        err2 = np.maximum((ex.y - ex.mean) ** 2, 1e-12)
        return float(np.clip(np.abs(np.log(ex.var / err2)), 0, 5).mean())

    for model, ex in arrays.items():
        np.testing.assert_allclose(got[model][1], [closed(ex.take(i)) for i in idx], rtol=1e-12)
        assert got[model][0] == pytest.approx(closed(ex))


# ---------------------------------------------------------------- a real smoke run
@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """`rsbench run` on sim with two fast models and a third-party __call__-only metric."""
    out = tmp_path_factory.mktemp("smoke") / "run"
    plugins.configure(THIRD_PARTY)
    res = CliRunner().invoke(
        app,
        [
            "--plugin",
            THIRD_PARTY[0],
            "run",
            "--task",
            "sim",
            "--model",
            "mean",
            "--model",
            "kmer_ridge",
            "--shift",
            "gc_shift",
            "--preset",
            "smoke",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    plugins.configure(())
    return out


def test_every_metric_point_equals_results_parquet(smoke_run):
    plugins.configure(THIRD_PARTY)
    runs = load_runs([smoke_run])
    agg = aggregate(runs)
    conds = agg.conditions("sim", "all")
    models = agg.models("sim")
    res = runs.results.loc[(runs.results["status"] == "ok") & (runs.results["reference"] == "")]
    checked = 0
    for metric in sorted(set(res["metric"])):
        hib = bool(res.loc[res["metric"] == metric, "higher_is_better"].iloc[0])
        bs = boot_scores(runs, "sim", metric, hib, conds, models, n_boot=3)
        if set(getattr(get_plugin("metric", metric), "needs", ())) & BEYOND_PREDICTIONS:
            # Reads sequences or metadata the stored predictions lack: said, not faked.
            assert bs.notes and "stored predictions" in bs.notes[0], (metric, bs.notes)
            continue
        assert not bs.notes, (metric, bs.notes)
        rows = res.loc[res["metric"] == metric]
        for cond in conds:
            for model in models:
                want = rows.loc[
                    (rows["shift"] == cond.shift)
                    & (rows["severity"] == cond.severity)
                    & (rows["split"] == cond.split)
                    & (rows["model"] == model)
                ]
                got = bs.point.get((model, cond, 0))
                if want.empty:  # skipped in the run (e.g. pearson of the constant `mean`)
                    assert got is None or not np.isfinite(got), (metric, model, cond)
                    continue
                assert got == pytest.approx(float(want["value"].iloc[0]), rel=1e-12, abs=1e-12), (metric, model, cond)
                checked += 1
    # Every bootstrappable metric, third-party included, on every ok cell of the run.
    scorable = res.loc[
        [not set(getattr(get_plugin("metric", m), "needs", ())) & BEYOND_PREDICTIONS for m in res["metric"]]
    ]
    expected = len(
        scorable.drop_duplicates(["metric", "shift", "severity", "split", "model"]).merge(
            pd.DataFrame([{"shift": c.shift, "severity": c.severity, "split": c.split} for c in conds]),
            on=["shift", "severity", "split"],
        )
    )
    assert checked == expected and checked >= 100


def test_third_party_metric_scores_every_cell_and_ranks(smoke_run):
    plugins.configure(THIRD_PARTY)
    frame = pd.read_parquet(smoke_run / "results.parquet")
    mine = frame.loc[frame["metric"] == "abs_log_ratio"]
    assert len(mine) and (mine["status"] == "ok").all()
    assert set(mine["cell"]) == set(frame["cell"])
    board = build_leaderboard([smoke_run], metric="abs_log_ratio", n_boot=20).boards[0]
    assert not board.boot.notes
    assert board.ranks["rank"].notna().sum() == 2
    from regshift_bench.leaderboard import ranks

    big = build_leaderboard([smoke_run], metric="abs_log_ratio", n_boot=ranks.CALL_PATH_MAX_BOOT + 1).boards[0]
    assert big.boot.n_boot == ranks.CALL_PATH_MAX_BOOT and "resampled 200 times" in big.boot.notes[0]


def test_metric_excess_mse_ranks_a_sim_run(smoke_run):
    res = CliRunner().invoke(
        app, ["leaderboard", str(smoke_run), "--metric", "excess_mse", "--n-boot", "20", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    import json

    task = json.loads(res.output)["tasks"][0]
    assert task["metric"] == "excess_mse"
    ranks = {r["model"]: r for r in task["ranks"]}
    assert ranks["kmer_ridge"]["rank"] is not None and ranks["mean"]["rank"] is not None
