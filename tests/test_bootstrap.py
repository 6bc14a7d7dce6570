"""regshift_bench.bootstrap: intervals, pairing, every evaluation path, memory bound."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from regshift_bench import bootstrap as bs
from regshift_bench.api import Metric
from regshift_bench.errors import DataError, MetricSkipped
from rsbench_metrics import METRICS
from rsbench_metrics import create as metric


class MeanOfY(Metric):
    """A third-party-style metric with only ``compute`` (the loop path)."""

    higher_is_better: ClassVar[bool] = True

    def compute(self, y, mean, var, y_true=None, noise_var=None) -> float:
        return float(np.mean(y))


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(5)
    n = 400
    y_true = rng.normal(size=n)
    y = y_true + rng.normal(0, 0.4, n)
    mean = y_true + rng.normal(0, 0.3, n)
    var = np.round(rng.uniform(0.05, 0.5, n), 2)  # ties
    return y, mean, var, y_true, np.full(n, 0.16)


def test_ci_of_mean_matches_analytic():
    rng = np.random.default_rng(0)
    y = rng.normal(3.0, 2.0, size=2000)
    z = np.zeros_like(y)
    res = bs.bootstrap_metric(MeanOfY(), y, z, z + 1, n_boot=2000, random_state=1)
    half = stats.norm.ppf(0.975) * y.std(ddof=1) / np.sqrt(len(y))
    assert res.estimate == pytest.approx(y.mean())
    assert res.low == pytest.approx(y.mean() - half, abs=0.1 * half)
    assert res.high == pytest.approx(y.mean() + half, abs=0.1 * half)
    assert res.se == pytest.approx(y.std(ddof=1) / np.sqrt(len(y)), rel=0.1)
    assert res.samples.shape == (2000,) and res.n == 2000


@pytest.mark.parametrize("name", sorted(set(METRICS) - {"ood_auroc"}))
def test_every_path_equals_looping_compute(sample, name):
    """resampled / stats / batched fast paths give the metric of each resample."""
    y, mean, var, y_true, noise_var = sample
    m = metric(name)
    res = bs.bootstrap_metric(m, y, mean, var, y_true=y_true, noise_var=noise_var, n_boot=30, random_state=7)
    idx = bs.bootstrap_indices(len(y), 30, np.random.default_rng(7).spawn(2)[0])
    loop = [m.compute(y[i], mean[i], var[i], y_true[i], noise_var[i]) for i in idx]
    np.testing.assert_allclose(res.samples, loop, rtol=1e-10, atol=1e-12)
    assert res.estimate == pytest.approx(m.compute(y, mean, var, y_true, noise_var))
    assert res.low <= res.estimate <= res.high or name == "e_aurc"  # e_aurc is biased


def test_index_blocks_do_not_depend_on_memory_limit():
    small = np.concatenate(list(bs.iter_bootstrap_indices(97, 50, np.random.default_rng(3), max_elements=300)))
    blocks = list(bs.iter_bootstrap_indices(97, 50, np.random.default_rng(3), max_elements=300))
    assert max(b.shape[0] for b in blocks) == 3  # 300 // 97 rows per block
    np.testing.assert_array_equal(small, bs.bootstrap_indices(97, 50, np.random.default_rng(3)))


def test_results_do_not_depend_on_memory_limit(sample, monkeypatch):
    y, mean, var, *_ = sample
    full = bs.bootstrap_metric(metric("aurc"), y, mean, var, n_boot=40, random_state=2)
    monkeypatch.setattr(bs.indices, "MAX_ELEMENTS", 1000)
    chunked = bs.bootstrap_metric(metric("aurc"), y, mean, var, n_boot=40, random_state=2)
    np.testing.assert_array_equal(full.samples, chunked.samples)


def test_paired_identical_models_give_zero(sample):
    y, mean, var, *_ = sample
    res = bs.paired_bootstrap(metric("mse"), y, (mean, var), (mean.copy(), var), n_boot=200)
    assert res.estimate == 0.0 and res.low == 0.0 and res.high == 0.0
    assert not res.samples.any() and res.p_value == 1.0


def test_paired_uses_the_same_examples(sample):
    y, mean, var, *_ = sample
    worse = mean + 0.3
    m = metric("mse")
    pair = bs.paired_bootstrap(m, y, (worse, var), (mean, var), n_boot=300, random_state=4)
    a = bs.bootstrap_metric(m, y, worse, var, n_boot=300, random_state=4)
    b = bs.bootstrap_metric(m, y, mean, var, n_boot=300, random_state=4)
    np.testing.assert_allclose(pair.samples, a.samples - b.samples)
    assert pair.low > 0 and pair.p_value < 0.01
    # Pairing removes the shared example variation: tighter than the separate intervals.
    assert pair.high - pair.low < (a.high - a.low) + (b.high - b.low)


def test_ood_auroc_stratified(sample):
    y, mean, var, *_ = sample
    rng = np.random.default_rng(8)
    ref = (rng.normal(size=300), rng.normal(size=300), rng.uniform(0.02, 0.3, 300))
    m = metric("ood_auroc")
    res = bs.bootstrap_metric(m, y, mean, var, reference=ref, n_boot=200, random_state=0)
    assert res.estimate == pytest.approx(m.compute(y, mean, var, reference_var=ref[2]))
    assert res.low < res.estimate < res.high
    with pytest.raises(MetricSkipped, match="reference"):
        bs.bootstrap_metric(m, y, mean, var, n_boot=10)
    pair = bs.paired_bootstrap(m, y, (mean, var), (mean, var), reference_a=ref, reference_b=ref, n_boot=50)
    assert not pair.samples.any()


def test_undefined_resamples_are_counted_and_full_sample_nan_skips():
    y = np.array([0.0, 1.0, 2.0])
    mean = np.array([1.0, 1.0, 2.0])
    res = bs.bootstrap_metric(metric("pearson"), y, mean, np.ones(3), n_boot=200)
    assert 0 < res.n_undefined < 200 and np.isfinite([res.low, res.high]).all()
    with pytest.raises(MetricSkipped, match="pearson"):
        bs.bootstrap_metric(metric("pearson"), y, np.ones(3), np.ones(3), n_boot=20)


def test_bad_input():
    with pytest.raises(DataError, match="mse.*row 1"):
        bs.bootstrap_metric(metric("mse"), np.array([0.0, np.nan]), np.zeros(2), np.ones(2))
    with pytest.raises(DataError, match="expected 3"):
        bs.bootstrap_metric(metric("mse"), np.zeros(3), np.zeros(2), np.ones(2))
    with pytest.raises(DataError, match="ci"):
        bs.bootstrap_metric(metric("mse"), np.zeros(3), np.zeros(3), np.ones(3), ci=95)


def test_by_registered_name(sample):
    y, mean, var, *_ = sample
    by_name = bs.bootstrap_metric("coverage_90", y, mean, var, n_boot=20, random_state=1)
    direct = bs.bootstrap_metric(metric("coverage_90"), y, mean, var, n_boot=20, random_state=1)
    np.testing.assert_array_equal(by_name.samples, direct.samples)
    f = bs.batched_function("spearman")
    assert f(y[None], mean[None], var[None])[0] == pytest.approx(stats.spearmanr(mean, y)[0])


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 25), st.integers(0, 10_000), st.integers(1, 4))
def test_count_based_paths_with_heavy_ties(n, seed, levels):
    """The O(n) count-based resample scoring equals re-evaluating each resample."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, levels + 1, n).astype(float)
    mean = rng.integers(0, levels + 1, n).astype(float)
    var = rng.integers(1, levels + 1, n).astype(float)
    idx = bs.bootstrap_indices(n, 8, np.random.default_rng(seed).spawn(2)[0])
    for name in ("spearman", "aurc", "e_aurc", "ence", "risk_at_80", "selective_gain", "miscal_area"):
        m = metric(name)
        got = m.resampled(m.prepare(y, mean, var), idx)
        want = [m.compute(y[i], mean[i], var[i]) for i in idx]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=name)


def test_make_scorer_for_shared_indices(sample):
    y, mean, var, *_ = sample
    idx = bs.bootstrap_indices(len(y), 12, np.random.default_rng(0))
    for name in ("aurc", "mse", "pearson"):
        scorer = bs.make_scorer(metric(name), y, mean, var)
        np.testing.assert_allclose(scorer(idx), metric(name).batched(y[idx], mean[idx], var[idx]), rtol=1e-10)
        assert scorer.full() == pytest.approx(metric(name).compute(y, mean, var))
