"""Per-cell scoring and the Arrow tables a cell writes (the runner's hot path)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

from regshift_bench import results, scoring
from regshift_bench.api import Prediction, Task
from regshift_bench.testing.toy import toy_dataset


class _NoScoreTask(Task):
    def load(self, domain=None):  # pragma: no cover - never called
        raise NotImplementedError


def _sets_and_preds(with_truth: bool = True):
    rng = np.random.default_rng(0)
    sets = {
        "val": toy_dataset(30, random_state=1),
        "test_id": toy_dataset(50, random_state=2),
        "test_ood": toy_dataset(40, random_state=3, gc_mean=0.7),
    }
    if not with_truth:
        sets = {k: dataclasses.replace(d, y_true=None, noise_var=None) for k, d in sets.items()}
    preds = {k: Prediction(d.y + rng.normal(size=len(d)), 0.5 + rng.random(len(d))) for k, d in sets.items()}
    return sets, preds


def _cell(metrics):
    return SimpleNamespace(metrics=tuple(metrics), task_name="toy")


def test_columns_table_broadcasts_scalars_and_fills_nulls():
    schema = pa.schema([("a", pa.string()), ("b", pa.float64()), ("c", pa.int64())])
    table = results.columns_table({"a": "x", "b": np.array([1.0, np.nan, 3.0])}, 3, schema)
    assert table.schema == schema
    assert table.column("a").to_pylist() == ["x", "x", "x"]
    assert table.column("b").to_pylist() == [1.0, None, 3.0]  # NaN is stored as null
    assert table.column("c").null_count == 3


def test_score_rows_match_the_metrics_and_skip_what_needs_truth():
    sets, preds = _sets_and_preds(with_truth=False)
    from rsbench_metrics import create

    rows, curves = scoring.score(_cell(["mse", "excess_mse", "ood_auroc"]), _NoScoreTask(), sets, preds)
    by = {(r["split"], r["metric"]): r for r in rows}
    for split, data in sets.items():
        assert by[(split, "mse")]["value"] == pytest.approx(create("mse")(data, preds[split]))
        assert by[(split, "excess_mse")]["status"] == "skipped"  # no y_true in real data
    # ood_auroc needs the reference split: scored on test_ood only.
    assert [k for k in by if k[1] == "ood_auroc"] == [("test_ood", "ood_auroc")]
    assert curves == []


def test_tables_hold_every_example_and_curve_point():
    sets, preds = _sets_and_preds()
    rows, curves = scoring.score(_cell(["aurc", "miscal_area", "nll"]), _NoScoreTask(), sets, preds)
    assert {(s, m) for s, m, _ in curves} == {(s, m) for s in sets for m in ("aurc", "miscal_area")}

    table = scoring.predictions_table(sets, preds).to_pandas()
    assert len(table) == sum(len(d) for d in sets.values())
    ood = table[table["split"] == "test_ood"]
    np.testing.assert_array_equal(ood["mean"], preds["test_ood"].mean)
    np.testing.assert_array_equal(ood["row"], np.arange(len(sets["test_ood"])))
    np.testing.assert_array_equal(ood["noise_var"], sets["test_ood"].noise_var)
    assert ood["aleatoric"].isna().all()  # not reported by this prediction

    constant = {"cell": "c1", "task": "t", "shift": "s", "severity": 0.5, "model": "m", "seed": 3}
    points = scoring.curves_table(curves, constant).to_pandas()
    assert (points["cell"] == "c1").all() and (points["seed"] == 3).all()
    for split, name, frame in curves:
        got = points[(points["split"] == split) & (points["metric"] == name)]
        np.testing.assert_array_equal(got["x"], frame["x"])
        np.testing.assert_array_equal(got["y"], frame["y"])
    assert set(points.loc[points["metric"] == "miscal_area", "curve"]) == {"reliability"}

    res = scoring.results_table(rows, {**constant, "run": "r", "fit_seconds": 1.5}).to_pandas()
    assert list(res.columns) == results.RESULTS_SCHEMA.names
    assert len(res) == len(rows) and (res["fit_seconds"] == 1.5).all()
    assert res["model_params"].isna().all()  # not given: null, not an error
