"""Registration, conformance of every built-in model, baselines and the ensemble."""

from __future__ import annotations

import numpy as np
import pytest

import regshift_bench
from regshift_bench.api import Budget
from regshift_bench.errors import PluginError
from regshift_bench.testing import check_model, toy_dataset
from rsbench_models.ensemble import _member_budget

SMALL = {
    "cnn": dict(channels=8, n_blocks=2),
    "bilstm": dict(channels=8, hidden=8),
    "transformer": dict(d_model=8, layers=1, heads=2),
}
NEURAL = [f"{b}{p}" for b in SMALL for p in ("", "+motif", "+gc")]
# The prior path is shared code: conformance runs every base and each prior once.
CHECKED = ["cnn", "bilstm", "transformer", "cnn+motif", "cnn+gc", "bilstm+motif", "transformer+gc"]


def test_everything_is_registered() -> None:
    names = set(regshift_bench.plugins.current().registry.names("model"))
    for name in NEURAL + ["ensemble", "mean", "gc_linear", "kmer_ridge"]:
        model = regshift_bench.get_plugin("model", name)
        assert model.name == name
        assert name in names
    assert regshift_bench.get_plugin("model", "cnn+motif").prior.name == "motif"


@pytest.mark.parametrize("name", CHECKED)
def test_neural_models_pass_check_model(name: str) -> None:
    check_model(name, **SMALL[name.split("+")[0]]).raise_if_failed()


# The baselines' check_model (mean, gc_linear, kmer_ridge) runs in
# tests/test_builtins_conformance.py with every other built-in.


def test_ensemble_members_share_max_seconds() -> None:
    from regshift_bench.testing.clock import SteppingClock

    with SteppingClock(0.0):  # a stopped clock: "now" is 0.0 on every read
        first = _member_budget(Budget(max_seconds=10.0, max_steps=500), 5, 0.0)
        late = _member_budget(Budget(max_seconds=10.0), 2, -8.0)  # 8 s already spent
        spent = _member_budget(Budget(max_seconds=1.0), 3, -5.0)
    assert first.max_steps == 500 and first.max_seconds == pytest.approx(2.0)
    assert late.max_seconds == pytest.approx(1.0)
    assert 0 < spent.max_seconds < 0.01  # over time: the next member stops at once
    assert _member_budget(Budget(max_steps=9), 4, 0.0) == Budget(max_steps=9)
    assert _member_budget(None, 4, 0.0) is None


def test_ensemble_passes_check_model_and_decomposes_variance() -> None:
    params = dict(base="cnn", members=2, base_params=dict(SMALL["cnn"], epochs=2))
    check_model("ensemble", **params).raise_if_failed()
    train, val, test = toy_dataset(64, 40, 1), toy_dataset(32, 40, 2), toy_dataset(20, 40, 3)
    ens = regshift_bench.get_plugin("model", "ensemble", **params)
    pred = ens.fit(train, val, rng=np.random.default_rng(0)).predict(test)
    parts = [m.predict(test) for m in ens.models_]
    means = np.stack([p.mean for p in parts])
    np.testing.assert_allclose(pred.mean, means.mean(0), rtol=1e-12)
    np.testing.assert_allclose(pred.aleatoric, np.mean([p.var for p in parts], 0), rtol=1e-12)
    np.testing.assert_allclose(pred.epistemic, means.var(0), rtol=1e-12)
    np.testing.assert_allclose(pred.var, pred.aleatoric + pred.epistemic, rtol=1e-12)
    assert (pred.epistemic > 0).all()
    # Members differ (independent child seeds).
    assert not np.allclose(parts[0].mean, parts[1].mean)


def test_baselines_learn_the_toy_signal() -> None:
    train, val, test = toy_dataset(400, 40, 1), toy_dataset(50, 40, 2), toy_dataset(200, 40, 3)
    mse = {}
    for name in ("mean", "gc_linear", "kmer_ridge"):
        pred = regshift_bench.get_plugin("model", name).fit(train, val, rng=np.random.default_rng(0)).predict(test)
        mse[name] = float(np.mean((pred.mean - test.y) ** 2))
        assert (pred.var > 0).all()
    assert mse["kmer_ridge"] < mse["gc_linear"] < mse["mean"]


def test_predict_before_fit_is_a_plugin_error() -> None:
    for name in ("cnn", "kmer_ridge", "ensemble"):
        with pytest.raises(PluginError, match="before fit"):
            regshift_bench.get_plugin("model", name).predict(toy_dataset(4, 40, 0))
