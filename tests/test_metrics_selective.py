"""Selective prediction: hand-computed AURC, ties, oracle ranking, curves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regshift_bench.api import Prediction
from regshift_bench.testing import toy_dataset
from rsbench_metrics import create as metric

Y4 = np.array([0.0, 1.0, 2.0, 3.0])  # squared errors 0, 1, 4, 9 against μ = 0


def test_aurc_four_points_by_hand():
    var = np.array([1.0, 2.0, 3.0, 4.0])
    # risks at k = 1..4: 0, 1/2, 5/3, 14/4
    expected = (0 + 0.5 + 5 / 3 + 3.5) / 4
    assert metric("aurc").compute(Y4, np.zeros(4), var) == pytest.approx(expected)
    assert metric("e_aurc").compute(Y4, np.zeros(4), var) == pytest.approx(0.0, abs=1e-12)
    # Reversed ranking: most confident = largest error.
    worst = (9 + 13 / 2 + 14 / 3 + 3.5) / 4
    assert metric("aurc").compute(Y4, np.zeros(4), var[::-1].copy()) == pytest.approx(worst)
    assert metric("risk_at_50").compute(Y4, np.zeros(4), var) == pytest.approx(0.5)
    assert metric("risk_at_80").compute(Y4, np.zeros(4), var) == pytest.approx(14 / 4)
    assert metric("selective_gain").compute(Y4, np.zeros(4), var) == pytest.approx(3.5 / 0.5)


def test_aurc_ties_average_the_risk():
    var = np.array([1.0, 1.0, 2.0, 2.0])
    # tie groups average errors²: [0.5, 0.5, 6.5, 6.5] -> risks 0.5, 0.5, 2.5, 3.5
    assert metric("aurc").compute(Y4, np.zeros(4), var) == pytest.approx(7 / 4)
    assert metric("e_aurc").compute(Y4, np.zeros(4), var) == pytest.approx(7 / 4 - 17 / 12)
    # All tied: no ranking information, the curve is flat at the MSE.
    flat = metric("aurc").compute(Y4, np.zeros(4), np.ones(4))
    assert flat == pytest.approx(3.5)
    assert metric("selective_gain").compute(Y4, np.zeros(4), np.ones(4)) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(0, 10_000), st.integers(1, 4))
def test_permutation_invariance_with_ties(n, seed, levels):
    rng = np.random.default_rng(seed)
    y, mean = rng.normal(size=n), rng.normal(size=n)
    var = rng.integers(1, levels + 1, size=n).astype(float)  # heavy ties
    perm = rng.permutation(n)
    for name in ("aurc", "e_aurc", "risk_at_50", "risk_at_80", "selective_gain", "ence"):
        a = metric(name).compute(y, mean, var)
        b = metric(name).compute(y[perm], mean[perm], var[perm])
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12) or (np.isnan(a) and np.isnan(b))
    assert metric("e_aurc").compute(y, mean, var) >= -1e-12


def test_aurc_equals_expected_value_over_tie_orders():
    """Tie averaging equals the mean AURC over every order of the tied examples."""
    import itertools

    rng = np.random.default_rng(2)
    err = rng.uniform(size=5)
    var = np.array([1.0, 2.0, 2.0, 2.0, 3.0])

    def plain_aurc(order):
        e = err[order]
        return (np.cumsum(e) / np.arange(1, 6)).mean()

    values = [plain_aurc([0, *p, 4]) for p in itertools.permutations([1, 2, 3])]
    assert metric("aurc").compute(np.sqrt(err), np.zeros(5), var) == pytest.approx(np.mean(values))


def test_n_equals_one():
    one = np.array([2.0]), np.array([1.0]), np.array([1.0])
    assert metric("aurc").compute(*one) == 1.0
    assert metric("e_aurc").compute(*one) == 0.0
    assert metric("risk_at_50").compute(*one) == 1.0


def test_selective_gain_zero_risk_half_is_skipped():
    from regshift_bench.errors import MetricSkipped

    data = toy_dataset(10, 20, 1)
    mean = np.asarray(data.y, float).copy()
    mean[:5] += 1.0
    var = np.r_[np.full(5, 2.0), np.full(5, 1.0)]  # confident half is exact
    assert np.isinf(metric("selective_gain").compute(data.y, mean, var))
    with pytest.raises(MetricSkipped, match="selective_gain"):
        metric("selective_gain")(data, Prediction(mean, var))


def test_risk_coverage_curve():
    data = toy_dataset(500, 20, 4)
    rng = np.random.default_rng(0)
    pred = Prediction(np.asarray(data.y_true, float), rng.uniform(0.05, 0.2, 500))
    m = metric("aurc", curve_points=50)
    curve = m.curve(data, pred)
    assert list(curve.columns) == ["curve", "x", "y"]
    assert (curve["curve"] == "risk_coverage").all()
    assert len(curve) == 50 and curve["x"].iloc[-1] == 1.0 and curve["x"].is_monotonic_increasing
    err2 = (data.y - pred.mean) ** 2
    assert curve["y"].iloc[-1] == pytest.approx(err2.mean())
    k = int(round(curve["x"].iloc[10] * 500))
    order = np.argsort(pred.var, kind="stable")
    assert curve["y"].iloc[10] == pytest.approx(err2[order[:k]].mean())
