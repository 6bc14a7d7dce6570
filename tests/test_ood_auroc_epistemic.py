"""ood_auroc_epistemic: the epistemic part of σ² as an OOD detector."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import regshift_bench
from regshift_bench.api import Prediction
from regshift_bench.api.metric import BEYOND_PREDICTIONS, KNOWN_NEEDS
from regshift_bench.errors import DataError, MetricSkipped
from regshift_bench.testing import toy_dataset
from rsbench_metrics import create as metric
from rsbench_metrics.shift_detection import OodAUROCEpistemic


def _epistemic() -> OodAUROCEpistemic:
    m = OodAUROCEpistemic()
    m.name = "ood_auroc_epistemic"  # type: ignore[misc]
    return m


def _parts(rng: np.random.Generator, n: int, alea: float, epi_scale: float) -> Prediction:
    """A prediction whose variance is aleatoric (~alea) plus a small epistemic part."""
    a = rng.uniform(0.5, 1.5, n) * alea
    e = np.round(rng.uniform(0.0, 1.0, n) * epi_scale, 3)  # rounded: ties on purpose
    return Prediction(rng.normal(size=n), a + e, a, e)


@pytest.fixture(scope="module")
def split_pair():
    """OOD examples: higher epistemic, lower aleatoric variance than the ID ones."""
    rng = np.random.default_rng(0)
    ood, ref = toy_dataset(150, 20, 1), toy_dataset(120, 20, 2)
    p_ood = _parts(rng, 150, alea=1.0, epi_scale=0.06)
    p_ref = _parts(rng, 120, alea=2.0, epi_scale=0.03)
    return ood, p_ood, (ref, p_ref)


def test_matches_sklearn_with_ties(split_pair):
    ood, p_ood, ref = split_pair
    labels = np.r_[np.ones(len(ood)), np.zeros(len(ref[0]))]
    expected = roc_auc_score(labels, np.r_[p_ood.epistemic, ref[1].epistemic])
    assert _epistemic()(ood, p_ood, reference=ref) == pytest.approx(expected, rel=1e-12)


def test_differs_from_total_variance_when_aleatoric_dominates(split_pair):
    ood, p_ood, ref = split_pair
    epi = _epistemic()(ood, p_ood, reference=ref)
    total = metric("ood_auroc")(ood, p_ood, reference=ref)
    # σ² follows the (larger, lower OOD) aleatoric part; the epistemic part sees the shift.
    assert epi > 0.65 and total < 0.35


def test_registered_and_declared():
    m = regshift_bench.get_plugin("metric", "ood_auroc_epistemic")
    assert isinstance(m, OodAUROCEpistemic) and m.higher_is_better
    assert m.needs <= KNOWN_NEEDS and "reference" in m.needs
    assert m.needs & BEYOND_PREDICTIONS  # the bootstrap's arrays hold only the total σ²


def test_skipped_without_epistemic_or_reference(split_pair):
    ood, p_ood, (ref, p_ref) = split_pair
    total_only = Prediction(p_ood.mean, p_ood.var)
    with pytest.raises(MetricSkipped, match="ood_auroc_epistemic.*epistemic variance"):
        _epistemic()(ood, total_only, reference=(ref, p_ref))
    with pytest.raises(MetricSkipped, match="in-distribution split"):
        _epistemic()(ood, p_ood, reference=(ref, Prediction(p_ref.mean, p_ref.var)))
    with pytest.raises(MetricSkipped, match="reference"):
        _epistemic()(ood, p_ood)


def test_constant_epistemic_is_skipped_not_half(split_pair):
    """The mean baseline reports epistemic zeros: no estimate, so no AUROC of 0.5."""
    ood, p_ood, (ref, p_ref) = split_pair
    zeros = lambda p: Prediction(p.mean, p.var, p.var, np.zeros(len(p)))  # noqa: E731
    with pytest.raises(MetricSkipped, match="every example"):
        _epistemic()(ood, zeros(p_ood), reference=(ref, zeros(p_ref)))


def test_bad_epistemic_is_a_clear_error(split_pair):
    ood, p_ood, ref = split_pair
    neg = Prediction(p_ood.mean, p_ood.var, p_ood.aleatoric, p_ood.epistemic - 1.0)
    with pytest.raises(DataError, match=">= 0"):
        _epistemic()(ood, neg, reference=ref)
    nan = Prediction(
        p_ood.mean, p_ood.var, p_ood.aleatoric, np.where(np.arange(len(ood)) == 3, np.nan, p_ood.epistemic)
    )
    with pytest.raises(DataError, match="ood_auroc_epistemic"):
        _epistemic()(ood, nan, reference=ref)


@pytest.mark.parametrize(
    "name, params",
    [
        ("cnn", dict(channels=4, n_blocks=1, epochs=1, batch_size=32)),
        ("ensemble", dict(base="cnn", members=2, base_params=dict(channels=4, n_blocks=1, epochs=1, batch_size=32))),
        ("mean", {}),
    ],
)
def test_models_fill_epistemic_and_get_scored(name, params):
    """MC-dropout cnn and the ensemble report an epistemic part; the mean baseline is skipped."""
    train, val = toy_dataset(64, 20, 0), toy_dataset(16, 20, 1)
    ref, ood = toy_dataset(30, 20, 3), toy_dataset(30, 20, 4, gc_mean=0.7)
    model = regshift_bench.get_plugin("model", name, **params)
    model.fit(train, val, rng=np.random.default_rng(0))
    p_ref, p_ood = model.predict(ref), model.predict(ood)
    m = regshift_bench.get_plugin("metric", "ood_auroc_epistemic")
    if name == "mean":
        with pytest.raises(MetricSkipped):
            m(ood, p_ood, reference=(ref, p_ref))
        return
    for p in (p_ref, p_ood):
        assert p.epistemic is not None and (p.epistemic >= 0).all() and p.epistemic.max() > 0
        np.testing.assert_allclose(p.var, p.aleatoric + p.epistemic, rtol=1e-9)
    assert 0.0 <= m(ood, p_ood, reference=(ref, p_ref)) <= 1.0
