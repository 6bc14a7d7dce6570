"""Explainers score one deterministic forward pass per input (``Model.predict_mean``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from regshift_bench import get_plugin
from regshift_bench.api import Model, Prediction, SeqDataset, revcomp
from regshift_bench.api import onehot as onehot_np
from regshift_bench.testing.toy import toy_dataset


@pytest.fixture(scope="module")
def tiny_cnn():
    torch.set_num_threads(1)
    train, val = toy_dataset(96, 24, 0), toy_dataset(32, 24, 1)
    model = get_plugin("model", "cnn", channels=8, n_blocks=1, epochs=2, batch_size=32, mc_dropout=8, dropout=0.3)
    return model.fit(train, val, rng=np.random.default_rng(0))


def _by_hand(model, seqs: np.ndarray) -> np.ndarray:
    """Reference: the network in eval mode, one pass per strand, averaged, unscaled."""
    net = model.net_.eval()
    rc = revcomp(seqs, None)
    with torch.no_grad():
        means = []
        for codes in (seqs, rc):
            x = torch.from_numpy(onehot_np(codes, np.float32))
            mask = torch.from_numpy((codes < 4)[:, None].astype(np.float32))
            means.append(net(x, mask, None)[0].double().numpy())
    return (means[0] + means[1]) / 2 * model.y_sd_ + model.y_mu_


def test_predict_mean_is_one_deterministic_pass_per_strand(tiny_cnn):
    data = toy_dataset(7, 24, 5)
    first = tiny_cnn.predict_mean(data)
    assert first.shape == (7,) and first.dtype == np.float64
    np.testing.assert_array_equal(first, tiny_cnn.predict_mean(data))  # deterministic
    np.testing.assert_allclose(first, _by_hand(tiny_cnn, data.seqs), rtol=0, atol=1e-5)
    # The MC-dropout mean is a different quantity (dropout on); predict_mean is not it.
    assert not np.allclose(first, tiny_cnn.predict(data).mean, atol=1e-6)


def test_ism_equals_single_pass_reference(tiny_cnn):
    data = toy_dataset(2, 24, 6)
    imp = get_plugin("explainer", "ism", reduce="mean", batch_size=100).explain(
        tiny_cnn, data, rng=np.random.default_rng(0)
    )
    wild = _by_hand(tiny_cnn, data.seqs)
    expected = np.zeros((2, 24))
    for i in range(2):
        for p in range(24):
            mutants = np.repeat(data.seqs[i : i + 1], 3, axis=0)
            mutants[:, p] = [(data.seqs[i, p] + k) % 4 for k in (1, 2, 3)]
            expected[i, p] = np.mean(_by_hand(tiny_cnn, mutants) - wild[i])
    np.testing.assert_allclose(imp, expected, rtol=0, atol=1e-5)


class _CountingModel(Model):
    """Counts ``predict`` calls; its point prediction is the count of G bases."""

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        self.calls += 1
        mean = (data.seqs == 2).sum(axis=1).astype(np.float64)
        return Prediction(mean, np.ones(len(data)))


def test_default_predict_mean_is_predicts_mean_and_ism_uses_it():
    model = _CountingModel()
    data = toy_dataset(3, 10, 2)
    np.testing.assert_array_equal(model.predict_mean(data), (data.seqs == 2).sum(axis=1))
    model.calls = 0
    imp = get_plugin("explainer", "ism", reduce="mean").explain(model, data, rng=np.random.default_rng(0))
    # Mutating a G away loses 1 in all three substitutions; mutating to G gains 1 in one.
    expected = np.where(data.seqs == 2, -1.0, 1.0 / 3.0)
    np.testing.assert_allclose(imp, expected)
    assert model.calls == 2  # the wild types, then one batch of all 3 L mutants


def test_ensemble_predict_mean_averages_members():
    train, val = toy_dataset(64, 20, 0), toy_dataset(16, 20, 1)
    ens = get_plugin(
        "model", "ensemble", base="cnn", members=2, base_params=dict(channels=4, n_blocks=1, epochs=1, batch_size=32)
    )
    ens.fit(train, val, rng=np.random.default_rng(0))
    data = toy_dataset(5, 20, 3)
    np.testing.assert_allclose(ens.predict_mean(data), np.mean([m.predict_mean(data) for m in ens.models_], axis=0))
