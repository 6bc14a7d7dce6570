"""The shared trainer: determinism, RC averaging, early stopping, budgets, padding."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from regshift_bench.api import Budget, SeqDataset
from regshift_bench.testing import toy_dataset
from rsbench_models import CNN, BiLSTM, Transformer, trainer

TINY = dict(epochs=2, batch_size=32)
ARCH = {
    CNN: dict(channels=8, n_blocks=2),
    BiLSTM: dict(channels=8, hidden=8),
    Transformer: dict(d_model=8, layers=1, heads=2),
}


@pytest.fixture(scope="module")
def data() -> tuple[SeqDataset, SeqDataset, SeqDataset]:
    return toy_dataset(64, 40, 1), toy_dataset(32, 40, 2), toy_dataset(16, 40, 3)


def _fit(cls, data, seed=0, **kw):
    train, val, _ = data
    return cls(**ARCH[cls], **{**TINY, **kw}).fit(train, val, rng=np.random.default_rng(seed))


@pytest.mark.parametrize("cls", [CNN, BiLSTM, Transformer])
def test_same_seed_same_prediction_bit_for_bit(cls, data) -> None:
    a = _fit(cls, data).predict(data[2])
    b = _fit(cls, data).predict(data[2])
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.var, b.var)
    if cls is CNN:
        c = _fit(cls, data, seed=1).predict(data[2])
        assert not np.array_equal(a.mean, c.mean)


def test_seeding_leaves_global_torch_rng_alone(data) -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _fit(CNN, data)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


@pytest.mark.parametrize("cls", [CNN, BiLSTM, Transformer])
def test_rc_averaging_makes_prediction_strand_symmetric(cls, data) -> None:
    model = _fit(cls, data)
    test = data[2]
    a, b = model.predict(test), model.predict(test.revcomp())
    np.testing.assert_allclose(a.mean, b.mean, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(a.var, b.var, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(a.var, a.aleatoric + a.epistemic, rtol=1e-12)


@pytest.mark.parametrize("cls", [CNN, BiLSTM, Transformer])
def test_padding_width_does_not_change_a_prediction(cls, data) -> None:
    model = _fit(cls, data)
    short = data[2].strings()[0][:31]
    alone = SeqDataset.from_strings([short], [0.0])
    padded = SeqDataset.from_strings([short, data[2].strings()[1] + "ACGTACG"], [0.0, 0.0])
    assert padded.lengths is not None and padded.seq_len == 47
    np.testing.assert_allclose(model.predict(alone).mean, model.predict(padded).mean[:1], rtol=1e-5, atol=1e-5)
    # RC invariance also holds for padded rows (padding stays on the right).
    np.testing.assert_allclose(model.predict(padded).mean, model.predict(padded.revcomp()).mean, rtol=1e-5, atol=1e-6)


def test_early_stopping_restores_best_checkpoint() -> None:
    rng = np.random.default_rng(0)
    train = toy_dataset(64, 40, 1)
    train = train.with_values(y=rng.normal(size=64).astype(np.float32))  # pure noise: overfits
    val = toy_dataset(64, 40, 2).with_values(y=rng.normal(size=64).astype(np.float32))
    net = CNN(channels=8, n_blocks=2, dropout=0.0).build(0)
    dev = torch.device("cpu")
    enc = lambda d: trainer.encode(d, dev, None, (d.y - d.y.mean()) / d.y.std())  # noqa: E731
    tr, va = enc(train), enc(val)
    cfg = trainer.TrainConfig(epochs=30, batch_size=16, lr=2e-2, patience=3, pct_start=0.05)
    report = trainer.fit_network(net, tr, va, cfg, seed=0)
    assert report.stopped_by == "early_stopping"
    settle = 16  # ceil((0.05 + 0.95 / 2) * 30 epochs): the rate is down to half its peak
    assert settle == trainer.settle_epoch(30 * 4, 4, 0.05)
    assert report.best_epoch < report.epochs_run == max(report.best_epoch, settle) + 3
    assert trainer._val_loss(net, va, cfg) == pytest.approx(report.best_val_loss, rel=1e-6)
    # Patience counts from the half-decayed rate at the earliest (here epoch 9).
    late = trainer.TrainConfig(epochs=12, batch_size=16, lr=2e-2, patience=1, pct_start=0.5)
    net = CNN(channels=8, n_blocks=2, dropout=0.0).build(0)
    assert trainer.fit_network(net, tr, va, late, seed=0).epochs_run >= 10


def test_budget_epochs_and_seconds_are_honoured(data, monkeypatch) -> None:
    train, val, _ = data
    model = CNN(**ARCH[CNN], epochs=50, patience=100, batch_size=16)
    model.fit(train, val, rng=np.random.default_rng(0), budget=Budget(max_epochs=2))
    assert model.fit_report_.epochs_run == 2 and model.fit_report_.train_steps == 2 * (len(train) // 16)
    # A clock that moves 10 s per reading: the budget is crossed at the first check
    # whatever the machine's speed or load, so exactly one step runs.
    ticks = iter(range(0, 10**6, 10))
    monkeypatch.setattr(trainer.time, "perf_counter", lambda: float(next(ticks)))
    model.fit(train, val, rng=np.random.default_rng(0), budget=Budget(max_seconds=5.0))
    assert model.fit_report_.stopped_by == "max_seconds" and model.fit_report_.train_steps == 1


def test_mc_dropout_adds_epistemic_variance(data) -> None:
    model = _fit(CNN, data, dropout=0.5)
    assert model.mc_dropout == 8  # on by default
    mc, again = model.predict(data[2]), model.predict(data[2])
    model.mc_dropout = 0  # a prediction-time option: no refit needed
    plain = model.predict(data[2])
    assert mc.epistemic.mean() > 2 * plain.epistemic.mean()
    np.testing.assert_array_equal(mc.mean, again.mean)  # seeded: reproducible
    np.testing.assert_allclose(mc.var, mc.aleatoric + mc.epistemic, rtol=1e-12)


@pytest.mark.parametrize("cls", [CNN, BiLSTM, Transformer])
def test_mc_dropout_is_batch_order_padding_and_strand_invariant(cls, data) -> None:
    model = _fit(cls, data, dropout=0.3)
    test = data[2]
    full = model.predict(test)
    assert full.epistemic.mean() > 0
    perm = np.random.default_rng(1).permutation(len(test))
    np.testing.assert_allclose(model.predict(test.subset(perm)).mean, full.mean[perm], rtol=1e-5, atol=1e-6)
    parts = [model.predict(test.subset(np.arange(i, min(i + 5, len(test))))).epistemic for i in range(0, len(test), 5)]
    np.testing.assert_allclose(np.concatenate(parts), full.epistemic, rtol=1e-4, atol=1e-8)
    # The same S thinned networks see both strands: the strand average stays symmetric.
    rc = model.predict(test.revcomp())
    np.testing.assert_allclose(rc.mean, full.mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rc.epistemic, full.epistemic, rtol=1e-4, atol=1e-8)
    # A position's mask does not depend on how far the batch is padded.
    short = test.strings()[0][:31]
    alone = SeqDataset.from_strings([short], [0.0])
    padded = SeqDataset.from_strings([short, test.strings()[1] + "ACGTACG"], [0.0, 0.0])
    np.testing.assert_allclose(
        model.predict(alone).epistemic, model.predict(padded).epistemic[:1], rtol=1e-4, atol=1e-8
    )


def test_mc_dropout_reaches_transformer_encoder_dropouts(data) -> None:
    from rsbench_models.mc_dropout import mc_dropout

    net = _fit(Transformer, data, dropout=0.3).net_
    fired: list[str] = []
    names = {m: n for n, m in net.named_modules()}
    hooks = [
        m.register_forward_hook(lambda mod, i, o: fired.append(names[mod]))
        for m in net.modules()
        if isinstance(m, torch.nn.Dropout)
    ]
    x, mask = trainer.onehot(torch.tensor(data[2].seqs[:4]))
    with torch.no_grad(), mc_dropout(net, 2, 0):
        net(x.repeat(2, 1, 1), mask.repeat(2, 1, 1), None)
    for h in hooks:
        h.remove()
    assert any(n.startswith("encoder.layers") for n in fired)
    assert not any(m.training for m in net.modules())  # eval mode restored


def test_keep_masks_depend_only_on_indices() -> None:
    from rsbench_models.mc_dropout import keep_masks

    big = keep_masks(3, 1, 4, (8, 50), 0.25, torch.device("cpu"))
    small = keep_masks(3, 1, 4, (8, 20), 0.25, torch.device("cpu"))
    torch.testing.assert_close(big[..., :20], small)
    assert big.shape == (4, 1, 8, 50)
    keep = (big > 0).float().mean().item()
    assert 0.70 < keep < 0.80  # Bernoulli(0.75)
    assert big.unique().tolist() == pytest.approx([0.0, 1 / 0.75])
    assert not torch.equal(big[0], big[1])  # samples differ
    assert not torch.equal(big, keep_masks(4, 1, 4, (8, 50), 0.25, torch.device("cpu")))


def test_one_cycle_curve_matches_torch() -> None:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=100, pct_start=0.25, cycle_momentum=False)
    for step in range(99):
        assert trainer.one_cycle(step, 100, 0.25) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-9, abs=1e-12)
        opt.step()
        sched.step()


def test_beta_nll_weights_by_variance() -> None:
    from rsbench_models.heads import gaussian_nll

    mean, y = torch.zeros(4), torch.ones(4)
    logvar = torch.log(torch.tensor([0.5, 1.0, 2.0, 4.0]))
    plain = gaussian_nll(mean, logvar, y, floor=0.0)
    var = torch.exp(logvar)
    expected = (0.5 * (torch.log(var) + 1 / var)).mean()
    assert plain.item() == pytest.approx(expected.item(), rel=1e-6)
    weighted = gaussian_nll(mean, logvar, y, floor=0.0, beta=0.5)
    assert weighted.item() == pytest.approx((0.5 * (torch.log(var) + 1 / var) * var**0.5).mean().item(), rel=1e-6)
