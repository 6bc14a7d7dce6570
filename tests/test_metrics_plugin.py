"""The rsbench_metrics plugin: names, directions, contract, oracle gaps, ood_auroc."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from regshift_bench import plugins
from regshift_bench.api import Metric, Prediction
from regshift_bench.errors import DataError, MetricSkipped, RegshiftError
from regshift_bench.testing import check_metric, toy_dataset
from rsbench_metrics import CURVE_METRICS, METRICS
from rsbench_metrics import create as metric

ISSUE_NAMES = {
    "mse",
    "rmse",
    "mae",
    "pearson",
    "spearman",
    "r2",
    "nll",
    "z2",
    "ence",
    "miscal_area",
    "coverage_50",
    "coverage_80",
    "coverage_90",
    "coverage_95",
    "width_90",
    "crps",
    "aurc",
    "e_aurc",
    "risk_at_50",
    "risk_at_80",
    "selective_gain",
    "ood_auroc",
    "excess_mse",
    "signal_pearson",
    "nll_gap",
    "var_ratio",
}
#: Interval metrics of the interventions' coverage table (rsbench_metrics.intervals).
INTERVAL_NAMES = {"coverage_gap_90", "width_norm_90", "worst_group_coverage_90"}
#: Metrics of a variance part (tests/test_ood_auroc_epistemic.py).
PART_NAMES = {"ood_auroc_epistemic"}


@pytest.fixture(scope="module")
def registry():
    return plugins.load(autoload=False).registry


def test_every_issue_name_is_registered_with_a_direction(registry):
    entries = {e.name: e for e in registry.entries("metric") if e.owner == "metrics"}
    assert set(entries) == ISSUE_NAMES | INTERVAL_NAMES | PART_NAMES
    for name, entry in entries.items():
        obj = registry.create("metric", name)
        assert isinstance(obj, Metric) and obj.name == name
        assert isinstance(type(obj).higher_is_better, bool)
        assert entry.summary
    assert registry.create("metric", "coverage_95").target == 0.95


@pytest.mark.parametrize("name", sorted(ISSUE_NAMES))
def test_conformance_kit(name):
    check_metric(METRICS[name]).raise_if_failed()


@pytest.fixture(scope="module")
def scored():
    data = toy_dataset(150, 20, 9)
    rng = np.random.default_rng(1)
    pred = Prediction(np.asarray(data.y_true, float) + rng.normal(0, 0.3, 150), rng.uniform(0.05, 0.4, 150))
    ref_data = toy_dataset(120, 20, 10)
    ref_pred = Prediction(np.asarray(ref_data.y, float), rng.uniform(0.03, 0.3, 120))
    return data, pred, (ref_data, ref_pred)


@pytest.mark.parametrize("name", sorted(ISSUE_NAMES))
def test_batched_equals_unbatched_and_call(scored, name):
    data, pred, ref = scored
    m = metric(name)
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(data), size=(5, len(data)))
    arrays = [np.asarray(a, float) for a in (data.y, pred.mean, pred.var, data.y_true, data.noise_var)]
    extra = {}
    if name == "ood_auroc":
        extra = {"reference_var": np.tile(ref[1].var, (5, 1))}
    batched = m.batched(*[a[idx] for a in arrays], **extra)
    one_extra = {k: v[0] for k, v in extra.items()}
    single = [m.compute(*[a[i] for a in arrays], **one_extra) for i in idx]
    np.testing.assert_allclose(batched, single, rtol=1e-12, atol=1e-14)
    assert m(data, pred, reference=ref) == pytest.approx(
        m.compute(*arrays, **({"reference_var": ref[1].var} if extra else {}))
    )


@pytest.mark.parametrize("name", sorted(ISSUE_NAMES))
def test_nan_input_is_a_clear_error_naming_the_metric(scored, name):
    data, pred, ref = scored
    m = metric(name)
    bad_mean = pred.mean.copy()
    bad_mean[7] = np.nan
    with pytest.raises(DataError, match=f"{name}.*row 7"):
        m(data, Prediction(bad_mean, pred.var), reference=ref)
    with pytest.raises(DataError, match=name):
        m.compute(np.r_[np.nan, 1.0], np.zeros(2), np.ones(2), np.zeros(2), np.ones(2))
    with pytest.raises(RegshiftError, match=name):
        m.compute(np.zeros(2), np.zeros(2), np.array([1.0, 0.0]), np.zeros(2), np.ones(2))


def test_unused_fields_are_not_validated(scored):
    data, pred, _ = scored
    nv = np.asarray(data.noise_var, float).copy()
    nv[3] = np.nan  # e.g. an example without replicates
    assert np.isfinite(metric("mse").compute(data.y, pred.mean, pred.var, data.y_true, nv))
    with pytest.raises(DataError, match="excess_mse.*noise_var.*row 3"):
        metric("excess_mse").compute(data.y, pred.mean, pred.var, data.y_true, nv)


@pytest.mark.parametrize("name", ["excess_mse", "signal_pearson", "nll_gap", "var_ratio"])
def test_oracle_metrics_skip_on_real_data(scored, name):
    data, pred, _ = scored
    real = data.with_values(y_true=None, noise_var=None)
    with pytest.raises(MetricSkipped, match=name):
        metric(name)(real, pred)
    with pytest.raises(MetricSkipped, match=name):
        metric(name).compute(data.y, pred.mean, pred.var)


def test_oracle_gaps_are_zero_for_the_oracle():
    data = toy_dataset(4000, 12, 2)
    oracle = Prediction(np.asarray(data.y_true, float), np.asarray(data.noise_var, float))
    assert metric("excess_mse")(data, oracle) == pytest.approx(0.0, abs=0.01)
    assert metric("signal_pearson")(data, oracle) == pytest.approx(1.0)
    assert metric("nll_gap")(data, oracle) == pytest.approx(0.0, abs=1e-6)
    assert metric("var_ratio")(data, oracle) == pytest.approx(1.0)
    noisy = Prediction(oracle.mean + 0.5, oracle.var)
    expected_ratio = 0.09 / (0.25 + 0.09)
    assert metric("var_ratio")(data, noisy) == pytest.approx(expected_ratio)
    assert metric("excess_mse")(data, noisy) == pytest.approx(0.25, abs=0.02)
    assert metric("nll_gap")(data, noisy) > 1.0


def test_ood_auroc_matches_sklearn_with_ties(scored):
    data, pred, ref = scored
    var_ood = np.round(pred.var, 2)
    var_id = np.round(ref[1].var, 2)
    expected = roc_auc_score(np.r_[np.ones(150), np.zeros(120)], np.r_[var_ood, var_id])
    got = metric("ood_auroc")(data, Prediction(pred.mean, var_ood), reference=(ref[0], Prediction(ref[1].mean, var_id)))
    assert got == pytest.approx(expected, rel=1e-12)
    with pytest.raises(MetricSkipped, match="ood_auroc"):
        metric("ood_auroc")(data, pred)


def test_curves_only_for_curve_metrics(scored):
    data, pred, _ = scored
    for name in METRICS:
        curve = metric(name).curve(data, pred)
        assert (curve is not None) == (name in CURVE_METRICS)
        if curve is not None:
            assert list(curve.columns) == ["curve", "x", "y"]
            assert np.isfinite(curve[["x", "y"]].to_numpy()).all()


def test_oracle_metrics_skip_without_truth_instead_of_asserting():
    import numpy as np

    from regshift_bench.errors import MetricSkipped
    from rsbench_metrics import create

    y = np.zeros((1, 5))
    for name in ("excess_mse", "signal_pearson", "nll_gap", "var_ratio"):
        m = create(name)
        fn = m.stats if hasattr(m, "stats") else m.batched
        with pytest.raises(MetricSkipped, match="needs"):
            fn(y, y, y + 1)


def test_leaderboard_metadata_is_declared_by_the_metrics():
    from rsbench_metrics import METRICS

    tables: dict[str, list[tuple[int, str]]] = {}
    for name, cls in METRICS.items():
        if cls.table is not None:
            assert cls.table in ("accuracy", "calibration", "selective"), name
            assert cls.label, name
            tables.setdefault(cls.table, []).append((cls.table_order, cls.label))
    for table, entries in tables.items():
        assert len({o for o, _ in entries}) == len(entries), table  # a total order
        assert len({lab for _, lab in entries}) == len(entries), table
    assert METRICS["ood_auroc"].table == "calibration"  # issue 12: σ² flags the shift


def test_kit_scores_a_metric_of_the_epistemic_part():
    check_metric("ood_auroc_epistemic").raise_if_failed()  # by name, as `rsbench check` does


class _EpistemicMeanIgnoringNaN(Metric):
    """Mean epistemic variance, with NaN silently dropped (a contract breach)."""

    higher_is_better = False
    needs = frozenset({"epistemic"})

    def __call__(self, data, pred, reference=None):
        return float(np.nanmean(pred.epistemic))


def test_kit_puts_nan_where_an_epistemic_metric_reads():
    report = check_metric(_EpistemicMeanIgnoringNaN)
    failed = {r.check: r.detail for r in report.results if not r.passed}
    assert set(failed) == {"nan_refused"}, failed
    assert "accepted silently" in failed["nan_refused"]
