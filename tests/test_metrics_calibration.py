"""Calibration metrics against closed forms, Monte Carlo and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from regshift_bench.api import Prediction
from regshift_bench.testing import toy_dataset
from rsbench_metrics import create as metric
from rsbench_metrics.calibration import LEVELS


@pytest.fixture(scope="module")
def calibrated():
    """y drawn from exactly the predicted Gaussians, 200k examples."""
    rng = np.random.default_rng(11)
    n = 200_000
    mean = rng.normal(size=n)
    var = rng.uniform(0.05, 3.0, size=n)
    y = mean + np.sqrt(var) * rng.normal(size=n)
    return y, mean, var


def test_nll_matches_scipy_logpdf(calibrated):
    y, mean, var = (a[:1000] for a in calibrated)
    ref = -stats.norm.logpdf(y, mean, np.sqrt(var)).mean()
    assert metric("nll").compute(y, mean, var) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.95])
def test_coverage_of_calibrated_gaussian_is_nominal(calibrated, level):
    cov = metric(f"coverage_{round(level * 100)}").compute(*calibrated)
    # Binomial standard error at n = 200k is <= 0.0012.
    assert cov == pytest.approx(level, abs=0.005)


def test_coverage_interval_edges_hand_case():
    # z_0.9 = 1.6449: |y − μ| = 1.6 is inside, 1.7 is outside a unit-σ 90% interval.
    y = np.array([1.6, -1.7, 0.0, 3.0])
    cov = metric("coverage_90").compute(y, np.zeros(4), np.ones(4))
    assert cov == 0.5


def test_z2_and_ence_and_miscal_area_of_calibrated(calibrated):
    assert metric("z2").compute(*calibrated) == pytest.approx(1.0, abs=0.01)
    assert metric("ence").compute(*calibrated) < 0.02
    assert metric("miscal_area").compute(*calibrated) < 0.005


def test_overconfidence_is_detected(calibrated):
    y, mean, var = calibrated
    shrunk = var / 4  # σ half the truth
    assert metric("z2").compute(y, mean, shrunk) == pytest.approx(4.0, rel=0.02)
    assert metric("coverage_90").compute(y, mean, shrunk) < 0.7
    assert metric("ence").compute(y, mean, shrunk) == pytest.approx(1.0, abs=0.03)
    assert metric("miscal_area").compute(y, mean, shrunk) > 0.15


def test_ence_hand_case():
    # Two bins of two: bin 1 var 1, errors² 1 and 1 -> 0; bin 2 var 4, errors² 1, 1 -> |2−1|/2.
    y = np.array([1.0, -1.0, 1.0, -1.0])
    var = np.array([1.0, 1.0, 4.0, 4.0])
    assert metric("ence", n_bins=2).compute(y, np.zeros(4), var) == pytest.approx(0.25)
    # More bins than examples: one example per bin.
    assert metric("ence", n_bins=10).compute(y, np.zeros(4), var) == pytest.approx(0.25)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 40), st.integers(0, 10_000), st.floats(0.1, 10.0))
def test_z2_nll_gaussian_scale_rules(n, seed, s):
    """z2 is invariant to joint scaling; NLL shifts by log s; CRPS scales by s."""
    rng = np.random.default_rng(seed)
    y, mean = rng.normal(size=n), rng.normal(size=n)
    var = np.round(rng.uniform(0.1, 2, size=n), 1)  # ties on purpose
    perm = rng.permutation(n)
    for name in ("z2", "ence", "miscal_area", "crps", "nll"):
        m = metric(name)
        assert m.compute(y[perm], mean[perm], var[perm]) == pytest.approx(m.compute(y, mean, var), rel=1e-9, abs=1e-12)
    assert metric("z2").compute(s * y, s * mean, s * s * var) == pytest.approx(
        metric("z2").compute(y, mean, var), rel=1e-9
    )
    assert metric("nll").compute(s * y, s * mean, s * s * var) == pytest.approx(
        metric("nll").compute(y, mean, var) + np.log(s), rel=1e-9, abs=1e-9
    )
    assert metric("crps").compute(s * y, s * mean, s * s * var) == pytest.approx(
        s * metric("crps").compute(y, mean, var), rel=1e-9
    )


def test_crps_matches_monte_carlo():
    """CRPS = E|X − y| − ½E|X − X'| for X, X' ~ N(μ, σ²) (Gneiting & Raftery 2007)."""
    rng = np.random.default_rng(3)
    mean, var = np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.25, 4.0])
    y = np.array([0.3, 2.0, -2.5])
    draws = mean + np.sqrt(var) * rng.normal(size=(400_000, 3))
    draws2 = mean + np.sqrt(var) * rng.normal(size=(400_000, 3))
    mc = (np.abs(draws - y).mean(0) - 0.5 * np.abs(draws - draws2).mean(0)).mean()
    assert metric("crps").compute(y, mean, var) == pytest.approx(mc, abs=3e-3)


def test_width_90():
    var = np.array([1.0, 4.0])
    assert metric("width_90").compute(np.zeros(2), np.zeros(2), var) == pytest.approx(2 * stats.norm.ppf(0.95) * 1.5)


def test_reliability_curve_and_area():
    data = toy_dataset(120, 20, 5)
    pred = Prediction(np.asarray(data.y_true, float), np.full(len(data), 0.09))
    m = metric("miscal_area")
    curve = m.curve(data, pred)
    assert list(curve.columns) == ["curve", "x", "y"]
    assert (curve["curve"] == "reliability").all()
    np.testing.assert_allclose(curve["x"], LEVELS)
    assert curve["y"].is_monotonic_increasing and curve["y"].between(0, 1).all()
    area = np.trapezoid(np.abs(curve["y"] - curve["x"]), curve["x"])
    assert m(data, pred) == pytest.approx(area)
    # Reference: observed coverage by direct comparison at each level.
    z = np.abs(data.y - pred.mean) / np.sqrt(pred.var)
    direct = [(z <= stats.norm.ppf(0.5 + p / 2)).mean() for p in LEVELS]
    np.testing.assert_allclose(curve["y"], direct)
