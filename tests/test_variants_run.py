"""Variant tasks through the runner: a user's table from a task file alone, kircher_satmut."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import get_plugin, tasks
from regshift_bench.api import SplitSizes
from regshift_bench.errors import TaskFileError
from regshift_bench.execute import run_plan
from regshift_bench.plan import expand

FIX = Path(__file__).parent / "fixtures" / "variants"


def test_variant_task_file_resolves_training_task_file_and_default_shift():
    suite = tasks.load_suite(FIX / "variants.toml")
    (spec,) = suite.tasks
    params = dict(spec.params)
    assert spec.task == "variants" and [s.name for s in spec.shifts] == ["variant_effect"]
    assert params["path"] == str((FIX / "variants.tsv").resolve())
    # train_task = "train.toml" is read in place: its task and (absolute) parameters.
    assert params["train_task"] == "table"
    assert params["train_params"]["path"] == str((FIX / "train.tsv").resolve())
    assert tasks.validate_suite(suite) == []


def test_variant_task_file_errors_name_the_field(tmp_path):
    text = 'version = 1\nname = "v"\nkind = "variants"\npath = "v.tsv"\n'
    (tmp_path / "a.toml").write_text(text)
    with pytest.raises(TaskFileError, match=r"a.toml: train_task: missing; name the task"):
        tasks.load_suite(tmp_path / "a.toml")
    (tmp_path / "b.toml").write_text(text + 'train_task = "t.toml"\ntrain_params = {x = 1}\n')
    with pytest.raises(TaskFileError, match=r"b.toml: train_params: given with the task file"):
        tasks.load_suite(tmp_path / "b.toml")


@pytest.mark.parametrize("name", ["variants.toml", "variants_seq.toml"])
def test_user_variant_table_runs_from_a_task_file_alone(tmp_path, name, one_torch_thread):
    plan = expand([tasks.load_suite(FIX / name)], "smoke", models=["kmer_ridge"])
    assert {c.shift for c in plan.cells} == {"none", "variant_effect"}
    summary = run_plan(plan, tmp_path / "run", device="cpu")
    assert not summary.failed
    r = pd.read_parquet(tmp_path / "run" / "results.parquet")
    ood = r[r["split"].str.startswith("test_ood/")]
    assert set(ood["split"]) == {"test_ood/elemA", "test_ood/elemB"}
    # Per-row metric plugins are not run on ref/alt rows; the effect metrics are.
    assert set(ood["metric"]) == {
        "effect_pearson",
        "effect_spearman",
        "effect_sign_agreement",
        "effect_coverage_90",
        "effect_z2",
    }
    assert (ood["status"] == "ok").all()
    pearson = ood[ood["metric"] == "effect_pearson"]["value"].to_numpy()
    assert (pearson > 0.5).all(), pearson  # the k-mer model finds the planted site
    sign = ood[ood["metric"] == "effect_sign_agreement"]["value"].to_numpy()
    assert (sign > 0.9).all(), sign
    z2 = ood[ood["metric"] == "effect_z2"]
    assert not z2["higher_is_better"].any()
    # The in-distribution rows are ordinary ones from the training table.
    assert set(r[r["shift"] == "none"]["metric"]) >= {"pearson", "coverage_90"}
    preds = pd.concat(pd.read_parquet(p) for p in (tmp_path / "run" / "predictions").glob("*"))
    kept = preds[preds["split"] == "test_ood/elemA"]
    assert len(kept) == 2 * 66 and kept["example_id"].str.endswith(("|ref|+", "|alt|+")).all()


def test_variant_effect_shift_reuses_the_none_training_data():
    suite = tasks.load_suite(FIX / "variants.toml")
    task = get_plugin("task", "variants", **dict(suite.tasks[0].params))
    sizes = SplitSizes(100, 20, 30)
    none = get_plugin("shift", "none").split(task, np.random.default_rng(1), sizes)
    eff = get_plugin("shift", "variant_effect").split(task, np.random.default_rng(1), sizes)
    assert none.train.fingerprint() == eff.train.fingerprint()
    assert set(eff.test_ood) == {"elemA", "elemB"}
    assert len(eff.test_ood["elemA"]) == 2 * 30  # capped at sizes.test variants per element
    assert not get_plugin("shift", "variant_effect").applies_to(task.training_task())


def test_bad_row_in_a_task_file_table_is_one_error_at_plan_time(tmp_path):
    shutil.copy(FIX / "train.tsv", tmp_path)
    shutil.copy(FIX / "train.toml", tmp_path)
    shutil.copy(FIX / "variants.toml", tmp_path)
    frame = pd.read_csv(FIX / "variants.tsv", sep="\t")
    frame.loc[4, "ref"] = "N" if frame.loc[4, "ref"] != "N" else "A"
    frame.to_csv(tmp_path / "variants.tsv", sep="\t", index=False)
    from regshift_bench.errors import DataError

    with pytest.raises(DataError, match=r"variants.tsv: row 5: ref allele 'N' does not match"):
        expand([tasks.load_suite(tmp_path / "variants.toml")], "smoke", models=["mean"])


def test_kircher_satmut_scores_hepg2_elements_and_skips_the_rest(data_dir):
    task = get_plugin("task", "kircher_satmut")
    found = task.variants()
    assert len(found.frame) == 44647 and (found.frame["alt_allele"] == "").sum() == 5477
    sets = task.variant_sets(np.random.default_rng(0), 50)
    scored = {k for k, d in sets.items() if not d.info.get("skipped")}
    assert scored == {"F9", "LDLR", "LDLR.2", "SORT1", "SORT1.2", "SORT1-flip"}
    assert len(sets) == 29 and all(len(sets[k]) == 100 for k in scored)  # 50 variants x (ref, alt), + strand
    assert sets["F9"].seq_len == task.width() == 200
    out = task.score("test_ood/PKLR-48h", sets["PKLR-48h"], None)
    assert "measured in K562" in str(out["effect_pearson"])
    assert out["published_effect_pearson"] == 0.65
    assert task.published("F9") == {"published_effect_pearson": 0.51}


def test_scoring_skips_row_metrics_on_flagged_sets_and_records_skipped_task_scores():
    """The two core hooks the variant tasks use, on a toy task."""
    from types import SimpleNamespace

    from regshift_bench import scoring
    from regshift_bench.api import Prediction, Task
    from regshift_bench.errors import MetricSkipped
    from regshift_bench.testing.toy import toy_dataset

    class Scored(Task):
        def score(self, split, data, pred):
            return {"mine": MetricSkipped("not here"), "z": (2.0, False)} if split == "x" else {}

    flagged = toy_dataset(20, random_state=1)
    flagged = flagged.with_values(info={**flagged.info, "row_metrics": False})
    sets = {"val": toy_dataset(20, random_state=2), "test_id": toy_dataset(20, random_state=3), "x": flagged}
    preds = {k: Prediction(d.y, np.ones(len(d))) for k, d in sets.items()}
    rows, _ = scoring.score(SimpleNamespace(metrics=("mse", "ood_auroc"), task_name="t"), Scored(), sets, preds)
    on_x = {r["metric"]: r for r in rows if r["split"] == "x"}
    assert set(on_x) == {"mine", "z"}
    assert on_x["mine"]["status"] == "skipped" and on_x["mine"]["error"] == "not here"
    assert on_x["z"]["value"] == 2.0 and on_x["z"]["higher_is_better"] is False
    assert {r["metric"] for r in rows if r["split"] == "val"} == {"mse"}
