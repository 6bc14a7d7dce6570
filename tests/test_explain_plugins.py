"""Built-in explainers: conformance, known answers, the differentiable view, references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from regshift_bench import get_plugin, plugins
from regshift_bench.api import NotApplicable, SeqDataset
from regshift_bench.errors import PluginError, UnknownNameError
from regshift_bench.testing import check_explainer
from regshift_bench.testing.check_explainer import ToyMotifModel
from regshift_bench.testing.toy import toy_dataset
from rsbench_explain.gradient import references

BUILTINS = ["ism", "grad_x_input", "integrated_gradients", "deeplift_shap", "gradcam"]


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_explainers_pass_conformance(name, one_torch_thread):
    report = check_explainer(name)
    assert report.ok, [(r.check, r.detail) for r in report.results if not r.passed]


@pytest.mark.parametrize("reference", ["zeros", "uniform", "shuffled"])
def test_reference_is_a_parameter(reference, one_torch_thread):
    for name in ("integrated_gradients", "deeplift_shap"):
        assert check_explainer(name, reference=reference).ok


def test_unknown_reference_and_explainer_names_raise():
    x = torch.zeros(1, 4, 5)
    with pytest.raises(PluginError, match="zeros"):
        references("mean", x, np.zeros((1, 5), np.uint8), np.random.default_rng(0), 2)
    with pytest.raises(UnknownNameError, match="did you mean 'ism'"):
        get_plugin("explainer", "isn")


def test_uniform_and_shuffled_references():
    data = toy_dataset(3, 20, 0)
    x = torch.from_numpy(data.onehot())
    uni = references("uniform", x, data.seqs, np.random.default_rng(0), 4)
    assert uni.shape == (3, 1, 4, 20) and torch.allclose(uni, torch.full_like(uni, 0.25))
    shuf = references("shuffled", x, data.seqs, np.random.default_rng(0), 4)
    assert shuf.shape == (3, 4, 4, 20)
    assert torch.equal(shuf.sum(dim=(1, 3)) / 4, x.sum(dim=2))  # base composition kept


def test_ism_matches_brute_force():
    data = toy_dataset(3, 20, 1)
    model = ToyMotifModel()
    imp = get_plugin("explainer", "ism", reduce="maxabs", batch_size=50).explain(
        model, data, rng=np.random.default_rng(0)
    )
    wild = model.predict(data).mean
    for i in range(3):
        for p in range(20):
            deltas = []
            for b in range(4):
                if b == data.seqs[i, p]:
                    continue
                seq = data.seqs[i : i + 1].copy()
                seq[0, p] = b
                deltas.append(abs(model.predict(SeqDataset(seq, np.zeros(1))).mean[0] - wild[i]))
            assert imp[i, p] == pytest.approx(max(deltas))


def test_grad_x_input_matches_autograd():
    data = toy_dataset(4, 30, 2)
    imp = get_plugin("explainer", "grad_x_input").explain(ToyMotifModel(), data, rng=np.random.default_rng(0))
    x = torch.from_numpy(data.onehot()).requires_grad_(True)
    ToyMotifModel().torch_module()(x).sum().backward()
    np.testing.assert_allclose(imp, (x.grad * x).sum(dim=1).detach().numpy(), atol=1e-6)


def test_gradient_explainers_not_applicable_to_predict_only_models():
    ridge = get_plugin("model", "kmer_ridge")
    data = toy_dataset(40, 30, 0)
    ridge.fit(data, data, rng=np.random.default_rng(0))
    assert ridge.torch_module() is None
    for name in BUILTINS[1:]:
        explainer = get_plugin("explainer", name)
        assert "no differentiable view" in explainer.applicable(ridge)
        with pytest.raises(NotApplicable):
            explainer.explain(ridge, data, rng=np.random.default_rng(0))
    imp = get_plugin("explainer", "ism").explain(ridge, data.subset(np.arange(3)), rng=np.random.default_rng(0))
    assert imp.shape == (3, 30) and np.isfinite(imp).all()


def test_cnn_view_is_the_forward_strand_of_predict(one_torch_thread):
    train = toy_dataset(64, 40, 0)
    cnn = get_plugin("model", "cnn", channels=8, n_blocks=1, epochs=1, stem_kernel=3)
    assert cnn.torch_module() is None  # not fitted yet
    cnn.fit(train, train, rng=np.random.default_rng(0))
    assert cnn.net_.stem[0].kernel_size == (3,)
    view = cnn.torch_module()
    assert view.gradcam_layer is cnn.net_.stem
    x = torch.from_numpy(train.onehot())
    with torch.no_grad():
        both = 0.5 * (view(x) + view(x.flip(1).flip(2)))  # revcomp of a one-hot
    np.testing.assert_allclose(both.numpy(), cnn.predict(train).mean, rtol=1e-4, atol=1e-5)
    assert get_plugin("model", "cnn+motif").torch_module() is None


def test_stem_kernel_must_be_odd():
    cnn = get_plugin("model", "cnn", stem_kernel=4)
    with pytest.raises(ValueError, match="odd"):
        cnn.build(0)


def test_explainer_kind_is_registered_and_listed():
    registry = plugins.current().registry
    assert set(BUILTINS) <= set(registry.names("explainer"))
    assert registry.get("explainer", "ism").owner == "explain"


@pytest.mark.gpu
def test_explainers_run_on_cuda():
    data = toy_dataset(32, 40, 0)
    cnn = get_plugin("model", "cnn", channels=8, n_blocks=1, epochs=1)
    cnn.fit(data, data, rng=np.random.default_rng(0), device="cuda")
    for name in BUILTINS:
        imp = get_plugin("explainer", name).explain(
            cnn, data.subset(np.arange(4)), rng=np.random.default_rng(0), device="cuda"
        )
        assert imp.shape == (4, 40) and np.isfinite(imp).all()
