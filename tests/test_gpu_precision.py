"""Mixed precision (bf16 autocast) agrees with fp32 within the stated tolerance.

CPU autocast runs bf16 too, so these run everywhere; the ``gpu``-marked copy checks
the same on CUDA where one is present. Tolerances (documented in docs/gpu.md):

* the same fitted network predicting in bf16 vs fp32: max |d mean| <= 0.01 sd(y),
  Pearson >= 0.9995, variance within 1 %;
* the same seed trained in bf16 vs fp32: Pearson of the predictions >= 0.99 and
  max |d mean| <= 0.05 sd(y).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from regshift_bench import get_plugin
from regshift_bench.errors import PluginError
from regshift_bench.testing.toy import toy_dataset
from rsbench_models import trainer

ARCH = {
    "cnn": dict(channels=16, n_blocks=2),
    "bilstm": dict(channels=8, hidden=8),
    "transformer": dict(d_model=16, layers=1, heads=2),
}
CUDA_DEVICE = os.environ.get("RSBENCH_GPU_TEST_DEVICE", "cuda")


@pytest.fixture(scope="module")
def data():
    torch.set_num_threads(1)
    return toy_dataset(256, 60, 1), toy_dataset(64, 60, 2), toy_dataset(200, 60, 3)


def _fit(name, data, precision, device="cpu", epochs=3):
    train, val, _ = data
    model = get_plugin("model", name, **ARCH[name], epochs=epochs, batch_size=32)
    model.precision = precision
    return model.fit(train, val, rng=np.random.default_rng(0), device=device)


def _same_net_agrees(model, test, device):
    model.precision = "fp32"
    full = model.predict(test, device=device)
    model.precision = "bf16"
    half = model.predict(test, device=device)
    sd = float(test.y.std())
    assert np.abs(half.mean - full.mean).max() <= 0.01 * sd
    assert np.corrcoef(half.mean, full.mean)[0, 1] >= 0.9995
    np.testing.assert_allclose(half.var, full.var, rtol=0.01)
    assert not np.array_equal(half.mean, full.mean)  # bf16 really ran


@pytest.mark.parametrize("name", sorted(ARCH))
def test_bf16_prediction_matches_fp32_on_the_same_network(name, data):
    _same_net_agrees(_fit(name, data, "fp32"), data[2], "cpu")


def test_bf16_training_matches_fp32_training(data):
    test = data[2]
    full = _fit("cnn", data, "fp32").predict(test)
    half = _fit("cnn", data, "bf16").predict(test)
    assert np.corrcoef(half.mean, full.mean)[0, 1] >= 0.99
    assert np.abs(half.mean - full.mean).max() <= 0.05 * float(test.y.std())


def test_auto_is_fp32_on_cpu_and_unknown_precision_is_refused():
    assert isinstance(
        trainer.autocast(torch.device("cpu"), "auto"), type(trainer.autocast(torch.device("cpu"), "fp32"))
    )
    with pytest.raises(PluginError, match="bf16"):
        trainer.autocast(torch.device("cpu"), "fp16")


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(ARCH))
def test_bf16_prediction_matches_fp32_on_cuda(name, data):
    _same_net_agrees(_fit(name, data, "auto", device=CUDA_DEVICE), data[2], CUDA_DEVICE)
