"""Accuracy metrics against scipy / scikit-learn, plus invariances and edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from regshift_bench.errors import MetricSkipped
from rsbench_metrics import create as metric


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    y = rng.normal(size=300)
    mean = 0.7 * y + rng.normal(0, 0.5, size=300)
    var = rng.uniform(0.1, 2.0, size=300)
    return y, mean, var


@pytest.mark.parametrize(
    "name, ref",
    [
        ("mse", lambda y, m: mean_squared_error(y, m)),
        ("rmse", lambda y, m: np.sqrt(mean_squared_error(y, m))),
        ("mae", lambda y, m: mean_absolute_error(y, m)),
        ("r2", lambda y, m: r2_score(y, m)),
        ("pearson", lambda y, m: stats.pearsonr(m, y)[0]),
        ("spearman", lambda y, m: stats.spearmanr(m, y)[0]),
    ],
)
def test_against_reference(sample, name, ref):
    y, mean, var = sample
    assert metric(name).compute(y, mean, var) == pytest.approx(ref(y, mean), rel=1e-10)


def test_spearman_with_ties_matches_scipy(sample):
    y, mean, var = sample
    ym, mm = np.round(y, 0), np.round(mean, 1)
    assert metric("spearman").compute(ym, mm, var) == pytest.approx(stats.spearmanr(mm, ym)[0], rel=1e-10)


# Dyadic grid values keep affine maps exact, so rank ties survive scaling.
grid = st.integers(-40, 40).map(lambda v: v / 4)


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, st.integers(3, 25), elements=grid),
    arrays(np.float64, 25, elements=grid),
    st.sampled_from([0.5, 2.0, 4.0]),
    st.integers(-20, 20),
    st.randoms(use_true_random=False),
)
def test_pearson_spearman_scale_shift_and_permutation_invariant(y, m, s, shift, rnd):
    mean = m[: y.shape[0]]
    var = np.ones_like(y)
    perm = np.array(rnd.sample(range(len(y)), len(y)))
    for name in ("pearson", "spearman"):
        base = metric(name).compute(y, mean, var)
        scaled = metric(name).compute(s * y + shift, s * mean - shift, var)
        permuted = metric(name).compute(y[perm], mean[perm], var)
        if np.isnan(base):
            assert np.isnan(permuted) and np.isnan(scaled)
            continue
        assert permuted == pytest.approx(base, abs=1e-9)
        assert scaled == pytest.approx(base, abs=1e-9)


def test_constant_predictions_are_undefined_not_zero(toy):
    from regshift_bench.api import Prediction

    const = Prediction(np.full(len(toy), 0.3), np.full(len(toy), 1.0))
    for name in ("pearson", "spearman", "signal_pearson"):
        assert np.isnan(metric(name).compute(toy.y, const.mean, const.var, toy.y_true))
        with pytest.raises(MetricSkipped, match=name):
            metric(name)(toy, const)
    # The mean is a fine prediction for MSE / R² (R² of a constant mean is <= 0).
    assert metric("r2")(toy, const) <= 0.0


def test_n_equals_one():
    one = np.array([1.0]), np.array([0.5]), np.array([1.0])
    assert metric("mse").compute(*one) == 0.25
    assert metric("mae").compute(*one) == 0.5
    for name in ("pearson", "spearman", "r2"):
        assert np.isnan(metric(name).compute(*one))


def test_r2_constant_y_is_undefined():
    y = np.ones(5)
    assert np.isnan(metric("r2").compute(y, np.arange(5.0), np.ones(5)))


@pytest.fixture
def toy():
    from regshift_bench.testing import toy_dataset

    return toy_dataset(80, 20, 3)
