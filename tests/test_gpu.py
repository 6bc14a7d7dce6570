"""The CUDA path: training, prediction and a smoke grid on the GPU.

Marked ``gpu``: conftest skips them where torch sees no CUDA device, and runs them
wherever one is present (``pytest -m gpu`` on a GPU machine).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from regshift_bench import plugins, results, tasks
from regshift_bench.api import Budget, Prediction
from regshift_bench.execute import run_plan
from regshift_bench.plan import expand
from regshift_bench.testing import toy_dataset

pytestmark = pytest.mark.gpu
#: Overridable only to dry-run these tests' logic on CPU (they skip there otherwise).
DEVICE = os.environ.get("RSBENCH_GPU_TEST_DEVICE", "cuda")

ARCH = {
    "cnn": dict(channels=16, n_blocks=2),
    "bilstm": dict(channels=8, hidden=8),
    "transformer": dict(d_model=16, layers=1, heads=2),
}


@pytest.fixture(scope="module")
def data():
    return toy_dataset(256, 60, 1), toy_dataset(64, 60, 2), toy_dataset(128, 60, 3)


@pytest.mark.parametrize("name", sorted(ARCH))
def test_training_on_cuda_learns_and_stays_seeded(name, data):
    train, val, test = data
    if DEVICE.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    fits = []
    for _ in range(2):
        model = plugins.get_plugin("model", name, **ARCH[name], epochs=8, batch_size=32)
        model.fit(train, val, rng=np.random.default_rng(0), device=DEVICE, budget=Budget(max_epochs=8))
        fits.append(model.predict(test, device=DEVICE))
    pred = fits[0]
    if DEVICE.startswith("cuda"):  # the model really ran on the GPU
        assert torch.cuda.max_memory_allocated() > 0
    assert isinstance(pred, Prediction) and pred.mean.shape == (len(test),)
    assert np.isfinite(pred.mean).all() and (pred.var > 0).all()
    # Learned something: better than predicting the training mean.
    mse = float(np.mean((pred.mean - test.y) ** 2))
    baseline = float(np.mean((train.y.mean() - test.y) ** 2))
    assert mse < baseline, (mse, baseline)
    # Same seed on the same GPU: the same predictions up to cuDNN's nondeterminism.
    np.testing.assert_allclose(fits[0].mean, fits[1].mean, rtol=1e-3, atol=1e-3)


def test_prediction_on_cuda_matches_cpu(data):
    train, val, test = data
    model = plugins.get_plugin("model", "cnn", **ARCH["cnn"], epochs=2, batch_size=32)
    model.fit(train, val, rng=np.random.default_rng(0), device=DEVICE)
    on_gpu = model.predict(test, device=DEVICE)
    on_cpu = model.predict(test, device="cpu")
    np.testing.assert_allclose(on_gpu.mean, on_cpu.mean, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(on_gpu.var, on_cpu.var, rtol=1e-3, atol=1e-5)


def test_smoke_grid_on_cuda(tmp_path):
    suite = tasks.find_suite("sim")
    plan = expand([suite], "smoke", models=["mean", "cnn"], shifts=["gc_shift", "depth_drop"], seeds=1)
    summary = run_plan(plan, tmp_path / "run", device=DEVICE)
    assert len(summary.outcomes) == len(plan.cells) > 0
    assert not summary.failed, [o.error for o in summary.failed]
    frame = results.read_results(tmp_path / "run")
    assert set(frame["device"]) == {DEVICE}
    assert set(frame["model"]) == {"mean", "cnn"} and (frame["status"] != "failed").all()
    provenance = results.read_manifest(tmp_path / "run")["provenance"]
    assert provenance["device"] == DEVICE
    if DEVICE.startswith("cuda"):
        assert provenance["device_name"] == torch.cuda.get_device_name(0)


@pytest.mark.parametrize("name", sorted(ARCH))
def test_gradient_explainers_run_on_cuda_for_every_neural_model(name, data):
    # cuDNN refuses an eval-mode LSTM's backward pass; the explainers switch it off.
    from regshift_bench.api import NotApplicable

    train, val, test = data
    model = plugins.get_plugin("model", name, **ARCH[name], epochs=1, batch_size=32)
    model.fit(train, val, rng=np.random.default_rng(0), device=DEVICE)
    ran = 0
    for explainer in ("grad_x_input", "gradcam"):
        try:
            attr = plugins.get_plugin("explainer", explainer).explain(
                model, test.subset(np.arange(16)), rng=np.random.default_rng(0), device=DEVICE
            )
        except NotApplicable:
            continue
        ran += 1
        assert attr.shape == (16, test.seqs.shape[1]) and np.isfinite(attr).all()
        assert np.abs(attr).sum() > 0
    assert ran >= 1
