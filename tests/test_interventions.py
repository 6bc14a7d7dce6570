"""Built-in interventions against closed forms and simulated guarantees."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom, norm

from regshift_bench import get_plugin
from regshift_bench.api import Context, Prediction, SeqDataset, Support
from regshift_bench.api.intervention import interval_var, unlabelled
from regshift_bench.errors import RegistryError
from regshift_bench.registry import Registry
from regshift_bench.testing import check_intervention, toy_dataset

BUILTINS = ["conformal", "evoaug", "kshot_recalibrate", "rc_average", "recalibrate", "weighted_conformal"]


def _inside(y, pred: Prediction, level: float = 0.9) -> np.ndarray:
    return np.abs(y - pred.mean) <= norm.ppf(0.5 + level / 2) * np.sqrt(pred.var)


def _gaussian_split(rng, n, gc_mean=0.5, length=100, noise=None):
    """Sequences of a GC level; y = 2·(gc − 0.5) + noise(gc); a model knowing the mean
    but claiming unit variance (so any calibration must come from the intervention)."""
    seed = int(rng.integers(2**31 - 1))
    seqs = toy_dataset(n, length, seed, gc_mean=gc_mean).seqs
    data = SeqDataset(seqs, np.zeros(n))
    gc = data.gc().astype(np.float64)
    sd = noise(gc) if noise is not None else np.full(n, 0.5)
    y = 2 * (gc - 0.5) + sd * rng.standard_normal(n)
    return data.with_values(y=y.astype(np.float32)), Prediction(2 * (gc - 0.5), np.ones(n))


def _ctx(seed=0, support=None):
    return Context(None, "cpu", np.random.default_rng(seed), support, "test_ood")


@pytest.mark.parametrize("name", BUILTINS)
def test_builtins_pass_the_conformance_kit(name):
    report = check_intervention(name)
    assert report.ok, [f"{r.check}: {r.detail}" for r in report.results if not r.passed]


def test_registration_refuses_a_missing_stage():
    class NoStage:  # no `stage` attribute
        pass

    with pytest.raises(RegistryError, match="stage"):
        Registry().add("intervention", "me", "bad", NoStage)


def test_interval_var_makes_the_gaussian_interval_the_given_one():
    half = np.array([0.5, 2.0])
    var = interval_var(half, 0.9)
    np.testing.assert_allclose(norm.ppf(0.95) * np.sqrt(var), half)


@pytest.mark.parametrize("n", [199, 250])
def test_conformal_quantile_is_the_closed_form(n):
    rng = np.random.default_rng(1)
    val, pred = _gaussian_split(rng, n)
    iv = get_plugin("intervention", "conformal")
    iv.calibrate(val, pred, rng=rng)
    scores = np.sort(np.abs(val.y.astype(float) - pred.mean) / np.sqrt(pred.var))
    assert iv.q_ == pytest.approx(scores[math.ceil((n + 1) * 0.9) - 1], rel=1e-12)


@pytest.mark.parametrize("n", [198, 250, 1003])
def test_conformal_quantile_matches_crepes(n):
    """Where (n + 1)·0.9 is not a whole number (crepes rounds those one rank high)."""
    crepes = pytest.importorskip("crepes")
    from rsbench_interventions.conformal import conformal_quantile

    resid = np.random.default_rng(n).standard_t(4, size=n)
    sigma = np.random.default_rng(n + 1).uniform(0.5, 2.0, size=n)
    cr = crepes.ConformalRegressor().fit(residuals=resid, sigmas=sigma)
    ref = cr.predict_int(y_hat=np.zeros(1), sigmas=np.ones(1), confidence=0.9)[0, 1]
    assert conformal_quantile(np.abs(resid) / sigma, 0.9) == pytest.approx(ref, rel=1e-12)


def test_split_conformal_covers_within_the_binomial_interval_on_exchangeable_data():
    rng = np.random.default_rng(7)
    hits, total = 0, 0
    for _ in range(40):  # calibration redrawn each time: the guarantee is marginal
        val, vp = _gaussian_split(rng, 999)
        test, tp = _gaussian_split(rng, 500)
        iv = get_plugin("intervention", "conformal")
        iv.calibrate(val, vp, rng=rng)
        out = iv.adjust(unlabelled(test), tp, _ctx())
        hits += int(_inside(test.y, out).sum())
        total += len(test)
    low, high = binom.interval(0.999, total, 0.9)
    assert low <= hits <= high, hits / total
    # The uncalibrated model (unit variance for noise sd 0.5) over-covers: not a no-op.
    assert _inside(test.y, tp).mean() > 0.99


def test_weighted_conformal_recovers_coverage_under_covariate_shift():
    """Noise grows with GC; calibration is low-GC, the target high-GC."""
    rng = np.random.default_rng(3)
    noise = lambda gc: 0.05 + 6.0 * np.clip(gc - 0.4, 0, None) ** 2  # noqa: E731
    split_hits, weighted_hits, total = 0, 0, 0
    for _ in range(5):
        val, vp = _gaussian_split(rng, 1500, gc_mean=0.45, noise=noise)
        test, tp = _gaussian_split(rng, 800, gc_mean=0.55, noise=noise)
        split = get_plugin("intervention", "conformal")
        weighted = get_plugin("intervention", "weighted_conformal")
        for iv in (split, weighted):
            iv.calibrate(val, vp, rng=rng)
        split_hits += int(_inside(test.y, split.adjust(unlabelled(test), tp, _ctx())).sum())
        weighted_hits += int(_inside(test.y, weighted.adjust(unlabelled(test), tp, _ctx())).sum())
        total += len(test)
    split_cov, weighted_cov = split_hits / total, weighted_hits / total
    assert split_cov < 0.85, split_cov  # split conformal loses coverage
    assert 0.87 <= weighted_cov <= 0.95, weighted_cov  # the weighted one keeps it
    assert weighted_cov - split_cov > 0.04


def test_weighted_quantile_with_equal_weights_is_split_conformal():
    from rsbench_interventions.conformal import weighted_quantile

    s = np.random.default_rng(0).exponential(size=99)
    q = weighted_quantile(s, np.ones(99), np.ones(3), 0.9)
    np.testing.assert_allclose(q, np.sort(s)[math.ceil(100 * 0.9) - 1])


def test_recalibrate_scale_is_the_gaussian_mle():
    rng = np.random.default_rng(4)
    val, pred = _gaussian_split(rng, 4000)  # true sd 0.5, claimed 1: s² -> 0.25
    iv = get_plugin("intervention", "recalibrate")
    iv.calibrate(val, pred, rng=rng)
    assert iv.scale_ == pytest.approx(np.mean((val.y - pred.mean) ** 2), rel=1e-9)
    assert iv.scale_ == pytest.approx(0.25, rel=0.06)


def test_isotonic_recalibration_restores_nominal_coverage():
    rng = np.random.default_rng(5)
    val, vp = _gaussian_split(rng, 3000)
    test, tp = _gaussian_split(rng, 3000)
    iv = get_plugin("intervention", "recalibrate", method="isotonic")
    iv.calibrate(val, vp, rng=rng)
    cov = _inside(test.y, iv.adjust(unlabelled(test), tp, _ctx())).mean()
    assert abs(cov - 0.9) < 0.02, cov


def test_kshot_recalibrate_fixes_a_label_shift_from_its_support_only():
    rng = np.random.default_rng(6)
    test, tp = _gaussian_split(rng, 600)
    shifted = test.with_values(y=(test.y + 2.5).astype(np.float32))  # offset 2.5
    iv = get_plugin("intervention", "kshot_recalibrate")
    assert iv.support_size == 50
    sup = Support(shifted.subset(np.arange(50)), tp.subset(np.arange(50)))
    rest = np.arange(50, 600)
    out = iv.adjust(unlabelled(shifted.subset(rest)), tp.subset(rest), _ctx(support=sup))
    offset = float(np.mean(shifted.y[:50] - tp.mean[:50]))
    np.testing.assert_allclose(out.mean, tp.mean[50:] + offset)
    assert abs(_inside(shifted.y[50:], out).mean() - 0.9) < 0.05
    assert _inside(shifted.y[50:], tp.subset(rest)).mean() < 0.5  # before: broken


def test_rc_average_is_the_moment_matched_strand_mixture():
    from rsbench_interventions.strands import average_strands

    a = Prediction(np.array([1.0, 0.0]), np.array([1.0, 2.0]))
    b = Prediction(np.array([3.0, 0.0]), np.array([1.0, 4.0]))
    got = average_strands(a, b)
    np.testing.assert_allclose(got.mean, [2.0, 0.0])
    np.testing.assert_allclose(got.var, [1.0 + 1.0, 3.0])  # mean var + (Δμ/2)²


class _OneStrand:
    """Predicts the count of A in the first 10 bases (strand-specific)."""

    def predict(self, data, *, device="cpu"):
        m = (data.seqs[:, :10] == 0).sum(axis=1).astype(float)
        return Prediction(m, np.ones(len(data)))


def test_rc_average_predicts_the_other_strand():
    data = toy_dataset(30, 40, 0)
    model = _OneStrand()
    iv = get_plugin("intervention", "rc_average")
    out = iv.adjust(unlabelled(data), model.predict(data), Context(model, "cpu", np.random.default_rng(0)))
    rev = model.predict(data.revcomp())
    np.testing.assert_allclose(out.mean, (model.predict(data).mean + rev.mean) / 2)


@pytest.mark.parametrize("op", ["mutation", "insertion", "deletion", "translocation", "inversion", "rc"])
def test_evoaug_operations_follow_their_definitions(op):
    from rsbench_interventions import evoaug

    rng = np.random.default_rng(0)
    seq = rng.integers(0, 4, 60).astype(np.uint8)
    if op == "mutation":
        out = evoaug.mutate(seq, 0.1, np.random.default_rng(1))
        assert (out != seq).sum() <= 6 and out.shape == seq.shape
    elif op == "insertion":
        out = evoaug.insert(seq, 10, np.random.default_rng(1))
        assert out.shape == seq.shape
    elif op == "deletion":
        out = evoaug.delete(seq, 10, np.random.default_rng(2))
        assert out.shape == seq.shape
    elif op == "translocation":
        out = evoaug.translocate(seq, 10, np.random.default_rng(1))
        assert any(np.array_equal(out, np.roll(seq, k)) for k in range(-10, 11))
    elif op == "inversion":
        out = evoaug.invert(seq, 20, np.random.default_rng(3))
        diff = np.flatnonzero(out != seq)
        if diff.size:  # the changed span is the reverse complement of the original span
            lo, hi = diff[0], diff[-1] + 1
            comp = np.array([3, 2, 1, 0, 4], np.uint8)
            assert any(
                np.array_equal(out[a:b], comp[seq[a:b][::-1]])
                for a in range(max(0, lo - 20), lo + 1)
                for b in range(hi, min(60, hi + 20) + 1)
            )
    else:
        out = evoaug.reverse_complement(seq)
        np.testing.assert_array_equal(evoaug.reverse_complement(out), seq)
    assert out.dtype == np.uint8 and out.max() <= 3


def test_deletion_keeps_the_flanks_in_order():
    from rsbench_interventions import evoaug

    seq = np.arange(40, dtype=np.uint8) % 4
    rng = np.random.default_rng(11)
    out = evoaug.delete(seq, 8, rng)
    assert out.shape == seq.shape


def test_neural_models_train_on_augmented_batches_then_fine_tune(one_torch_thread):
    from regshift_bench.api import Budget
    from regshift_bench.api.model import supports_augmentation

    model = get_plugin("model", "cnn")
    assert supports_augmentation(model)
    assert not supports_augmentation(get_plugin("model", "kmer_ridge"))
    iv = get_plugin("intervention", "evoaug", finetune_epochs=2)
    seen = []

    def augment(codes, rng):
        out = iv.augment(codes, rng)
        seen.append(float((out != codes).any(axis=1).mean()))
        return out

    model.fit_augmented(
        toy_dataset(256, 40, 1),
        toy_dataset(64, 40, 2),
        augment=augment,
        finetune_epochs=2,
        rng=np.random.default_rng(0),
        budget=Budget(max_epochs=3),
    )
    assert len(seen) == 3 * (256 // 128) and min(seen) > 0.9  # every augmented batch
    report = model.fit_report_
    assert report.epochs_run == 3 + 2 and report.train_steps == 5 * 2  # both phases
    pred = model.predict(toy_dataset(20, 40, 3))
    assert np.isfinite(pred.mean).all() and (pred.var > 0).all()
