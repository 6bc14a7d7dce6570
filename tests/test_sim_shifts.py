"""Simulator shifts: each moves what it claims, by its severity, and nothing else."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from regshift_bench import get_plugin
from regshift_bench.api import SplitSizes
from regshift_bench.testing import check_shift
from rsbench_sim.binding import chance_rate
from rsbench_sim.shifts import SHIFTS, MotifTurnover
from rsbench_sim.task import SimTask

SIZES = SplitSizes(64, 32, 64)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def task() -> SimTask:
    return SimTask(seq_len=100, n_motifs=8)


def _changed(a, b) -> set[str]:
    return {f.name for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)}


def _pair(task, name, s, n=600, **params):
    """Source and shifted data drawn with the same generator."""
    shift = get_plugin("shift", name, severity=s, **params)
    cfg = shift.shifted(task.config())
    src = task.sample(task.config(), n, np.random.default_rng(7))
    ood = task.sample(cfg, n, np.random.default_rng(7))
    return shift, cfg, src, ood


@pytest.mark.parametrize("name", sorted(SHIFTS))
def test_conformance(name):
    check_shift(name, task=SimTask(seq_len=40, n_motifs=4)).raise_if_failed()


def test_registered_and_source_untouched_by_severity(task):
    assert set(SHIFTS) <= set(
        get_plugin("shift", "none") and __import__("regshift_bench").plugins.current().registry.names("shift")
    )
    for name in SHIFTS:
        assert get_plugin("shift", name).applies_to(task)
        assert not get_plugin("shift", name).applies_to(get_plugin("task", "sim").__class__.__base__())
    none = get_plugin("shift", "none").split(task, np.random.default_rng(3), SIZES)
    a = get_plugin("shift", "gc_shift", severity=0.5).split(task, np.random.default_rng(3), SIZES)
    b = get_plugin("shift", "gc_shift", severity=1.0).split(task, np.random.default_rng(3), SIZES)
    c = get_plugin("shift", "gc_shift", severity=1.0).split(task, np.random.default_rng(3), SIZES)
    for part in ("train", "val", "test_id"):
        for f in ("seqs", "y", "y_true", "noise_var"):
            np.testing.assert_array_equal(getattr(getattr(a, part), f), getattr(getattr(none, part), f))
            np.testing.assert_array_equal(getattr(getattr(a, part), f), getattr(getattr(b, part), f))
    np.testing.assert_array_equal(b.test_ood.y, c.test_ood.y)  # same seed, same arrays
    assert b.test_ood.gc().mean() > a.test_ood.gc().mean() > none.test_ood.gc().mean()


@pytest.mark.parametrize("s", [0.5, 1.0])
def test_gc_shift(task, s):
    _, cfg, src, ood = _pair(task, "gc_shift", s)
    assert _changed(task.config(), cfg) == {"gc_mean"}
    assert cfg.gc_mean == pytest.approx(task.config().gc_mean + 0.2 * s)
    assert 0.7 * 0.2 * s < ood.gc().mean() - src.gc().mean() < 1.1 * 0.2 * s  # planted sites dilute it


@pytest.mark.parametrize("s", [0.25, 1.0])
@pytest.mark.parametrize("mode", ["flip", "permute"])
def test_motif_rewiring(task, s, mode):
    shift = get_plugin("shift", "motif_rewiring", severity=s, mode=mode)
    base = task.config()
    cfg = shift.shifted(base)
    assert _changed(base, cfg) == ({"effects"} if s * 0.5 * 7 >= 1.5 or mode == "flip" else set())
    old, new = np.array(base.effects), np.array(cfg.effects)
    eligible = int((np.abs(old) > 0.1).sum())
    changed = np.flatnonzero(~np.isclose(old, new))
    assert len(changed) == (round(s * 0.5 * eligible) if mode == "flip" or round(s * 0.5 * eligible) > 1 else 0)
    if mode == "flip":
        np.testing.assert_allclose(new[changed], -old[changed])
    else:
        assert sorted(new[changed]) == pytest.approx(sorted(old[changed]))


def _planted_mask(task, data) -> np.ndarray:
    """(n, L) True where a site was planted (bases there may legitimately differ)."""
    widths = {m.name: m.width for m in task.motif_set}
    mask = np.zeros(data.seqs.shape, dtype=bool)
    for i, sites in enumerate(data.meta["sites"]):
        for st in sites:
            mask[i, st.start : st.start + widths[st.tf]] = True
    return mask


def test_site_degeneration_plants_degenerate_sites_binding_unchanged(task):
    base = task.config()
    scores, tvs = [], []
    for s in (0.0, 0.5, 1.0):
        shift, cfg, src, ood = _pair(task, "site_degeneration", s, n=300)
        assert shift.kind == "covariate"
        assert _changed(base, cfg) == {"site_motifs"}
        tvs.append(np.mean([np.abs(p.pwm - m.pwm).sum() for p, m in zip(cfg.site_motifs, base.motifs)]))
        # Same background and site positions; only the planted bases may differ.
        assert [[(st.tf, st.start) for st in ss] for ss in src.meta.sites] == [
            [(st.tf, st.start) for st in ss] for ss in ood.meta.sites
        ]
        outside = ~_planted_mask(task, src)
        np.testing.assert_array_equal(src.seqs[outside], ood.seqs[outside])
        scores.append(-shift.quantity(task, ood))
    assert tvs[0] == 0 and tvs[1] == pytest.approx(tvs[2] / 2)  # linear in severity
    assert scores[0] > scores[1] > scores[2]  # planted sites look less like the TF's


def test_pwm_perturbation_changes_binding_not_sites(task):
    base = task.config()
    for s in (0.5, 1.0):
        shift, cfg, src, ood = _pair(task, "pwm_perturbation", s, n=300)
        assert shift.kind == "mechanism"
        assert _changed(base, cfg) == {"motifs", "site_motifs", "thresholds"}
        assert cfg.planted_motifs == base.motifs  # sites planted from the source PWMs
        np.testing.assert_array_equal(src.seqs, ood.seqs)  # hence identical sequences
        assert cfg.motifs != base.motifs
        # Chance binding in random DNA stays at the source rate for every TF.
        for old, new, t0, t1 in zip(base.motifs, cfg.motifs, base.thresholds, cfg.thresholds):
            assert chance_rate(new, t1, cfg.binding_scale) == pytest.approx(
                chance_rate(old, t0, base.binding_scale), rel=1e-3
            )
        assert not np.allclose(src.meta.activity, ood.meta.activity)


def test_motif_turnover(task):
    shift, cfg, src, ood = _pair(task, "motif_turnover", 1.0, n=1500)
    assert _changed(task.config(), cfg) == {"site_rate"}
    lost, gained = MotifTurnover(1.0).groups(8)
    names = np.array(task.motif_set.names)

    def per_tf(d):
        tfs = [st.tf for ss in d.meta.sites for st in ss]
        return np.array([tfs.count(n) for n in names]) / len(d)

    a, b = per_tf(src), per_tf(ood)
    assert (b[lost] == 0).all()
    np.testing.assert_allclose(b[gained] / a[gained], 4.0, rtol=0.2)
    others = np.setdiff1d(np.arange(8), np.r_[lost, gained])
    np.testing.assert_allclose(b[others], a[others], rtol=0.2)
    half = get_plugin("shift", "motif_turnover", severity=0.5).shifted(task.config())
    np.testing.assert_allclose(np.array(half.site_rate)[gained], 0.3 * 2.5)


def test_cooperativity_loss(task):
    for s in (0.5, 1.0):
        _, cfg, src, ood = _pair(task, "cooperativity_loss", s, n=300)
        assert _changed(task.config(), cfg) == {"coop_strength"}
        np.testing.assert_allclose(cfg.coop_strength, np.array(task.config().coop_strength) * (1 - s))
        np.testing.assert_array_equal(src.seqs, ood.seqs)
        assert (ood.meta.activity <= src.meta.activity + 1e-9).all()  # only a positive term removed


def test_depth_drop_changes_noise_not_truth(task):
    for s in (0.5, 1.0):
        _, cfg, src, ood = _pair(task, "depth_drop", s, n=300)
        assert _changed(task.config(), cfg) == {"depth", "rna_depth"}
        np.testing.assert_array_equal(src.seqs, ood.seqs)
        np.testing.assert_allclose(ood.y_true, src.y_true)
        np.testing.assert_allclose(ood.meta.dna_mean / src.meta.dna_mean, 20.0**-s)
        assert (ood.noise_var > src.noise_var).all()


@pytest.mark.parametrize("s", [0.5, 1.0])
def test_batch_effect(task, s):
    _, cfg, src, ood = _pair(task, "batch_effect", s, n=300)
    assert _changed(task.config(), cfg) == {"batch_offset", "batch_gc_bias"}
    np.testing.assert_array_equal(src.seqs, ood.seqs)
    np.testing.assert_allclose(ood.meta.activity, src.meta.activity)  # biology unchanged
    np.testing.assert_array_equal(src.meta.batch, ood.meta.batch)  # same design
    extra = (ood.y_true - ood.meta.activity) - (src.y_true - src.meta.activity)
    np.testing.assert_allclose(extra, s * 1.0 + s * 4.0 * (ood.meta.gc - cfg.gc_ref), atol=1e-5)


def test_noise_inflation_changes_noise_var_not_y_true(task):
    prev = None
    for s in (0.0, 0.5, 1.0):
        _, cfg, src, ood = _pair(task, "noise_inflation", s, n=300)
        assert _changed(task.config(), cfg) <= {"dna_dispersion", "rna_dispersion"}
        np.testing.assert_array_equal(src.seqs, ood.seqs)
        np.testing.assert_allclose(ood.y_true, src.y_true)
        if prev is not None:
            assert ood.noise_var.mean() > prev
        prev = ood.noise_var.mean()
    assert prev > ood.y_true.var()  # severity 1: noise variance exceeds signal variance
    assert src.noise_var.mean() < 0.2 * src.y_true.var()


def test_assay_saturation_compresses_strong_elements_only(task):
    sds, drops = [], []
    for s in (0.0, 0.5, 1.0):
        _, cfg, src, ood = _pair(task, "assay_saturation", s, n=400)
        assert _changed(task.config(), cfg) <= {"saturation"}
        np.testing.assert_array_equal(src.seqs, ood.seqs)
        a, b = src.meta.activity.to_numpy(), ood.meta.activity.to_numpy()
        assert (b <= a + 1e-12).all()
        weak, strong = a < np.quantile(a, 0.2), a > np.quantile(a, 0.8)
        drops.append(((a - b)[weak].mean(), (a - b)[strong].mean()))
        sds.append(b.std())
    assert sds[0] > sds[1] > sds[2]
    assert drops[2][1] > 1.0 > 0.3 > drops[2][0]  # strong elements lose > 1 log2, weak < 0.3
    # The spread of y_true is kept far better than by a symmetric range cut (2.1 -> 0.6).
    assert sds[2] > 0.45 * sds[0]
