"""The simulator's eight mechanisms: each test shows its parameter acts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from regshift_bench import DataError, get_plugin
from regshift_bench.motifs import MotifSet, from_iupac, occupancy, scan
from regshift_bench.testing import check_task
from rsbench_sim import measurement as meas
from rsbench_sim.background import background
from rsbench_sim.binding import cooperative_occupancy, occupancy_profile
from rsbench_sim.planting import plant
from rsbench_sim.programs import readout
from rsbench_sim.task import SimTask, activity

FIX = Path(__file__).parent / "fixtures" / "motifs"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def task() -> SimTask:
    return SimTask(seq_len=120, n_motifs=8)


def _enc(s: str) -> np.ndarray:
    return np.array(["ACGT".index(c) for c in s], dtype=np.uint8)


def test_task_conforms_and_is_deterministic(task):
    check_task("sim", seq_len=80, n_motifs=6).raise_if_failed()
    a = task.sample(task.config(), 300, np.random.default_rng(1))
    b = task.sample(task.config(), 300, np.random.default_rng(1))
    c = task.sample(task.config(), 300, np.random.default_rng(2))
    for f in ("seqs", "y", "y_true", "noise_var"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert not np.array_equal(a.seqs, c.seqs)
    assert a.info["motifs"] == task.motif_set and a.seq_len == 120
    assert {"gc", "cell_type", "batch", "depth", "sites"} <= set(a.meta.columns)


def test_background_gc_and_cpg_depletion(task):
    rng = np.random.default_rng(0)
    for gc_mean in (0.35, 0.6):
        seqs, _ = background(task.config(gc_mean=gc_mean, gc_sd=0.03), 400, rng)
        gc = ((seqs == 1) | (seqs == 2)).mean()
        assert abs(gc - gc_mean) < 0.03  # CpG depletion lowers GC only slightly

    def cpg_oe(cfg):
        s, _ = background(cfg, 400, np.random.default_rng(1))
        cg = ((s[:, :-1] == 1) & (s[:, 1:] == 2)).mean()
        return cg / ((s == 1).mean() * (s == 2).mean())

    assert cpg_oe(task.config(markov_order=0)) == pytest.approx(1.0, abs=0.1)
    assert cpg_oe(task.config(markov_order=1, cpg_ratio=0.25)) < 0.4


def test_motif_set_builtin_or_meme(task):
    assert task.motif_set.names[:3] == ("AP1", "CREB", "SP1") and len(task.motif_set) == 8
    t = SimTask(seq_len=60, motifs=str(FIX / "tiny.meme"), motif_names=("Alpha", "TST0002"))
    assert t.motif_set.names == ("Alpha", "Beta")
    assert len(t.sample(t.config(), 20, np.random.default_rng(0))) == 20
    with pytest.raises(DataError, match="did you mean"):
        SimTask(motif_names=("CTFC",)).motif_set


def test_planting_rate_positions_and_bases(task):
    cfg = task.config(site_rate=(0.0,) * 7 + (2.0,))  # only the 8th TF (HNF1)
    bg, _ = background(cfg, 500, np.random.default_rng(0))
    seqs, sites = plant(cfg, bg, np.random.default_rng(1))
    counts = np.array([len(s) for s in sites])
    assert counts.mean() == pytest.approx(2.0, abs=0.2)
    motif = task.motif_set[7]
    lo, lo_rc = motif.log_odds(), motif.reverse_complement().log_odds()
    scores = [
        (lo if st.strand == "+" else lo_rc)[np.arange(motif.width), seqs[i, st.start : st.start + motif.width]].sum()
        for i, ss in enumerate(sites)
        for st in ss
    ]
    assert {st.tf for ss in sites for st in ss} == {motif.name}
    assert np.median(scores) > 0.6 * motif.max_score()  # planted bases follow the PWM on their strand


def test_binding_matches_public_scan_and_is_calibrated(task):
    cfg = task.config()
    rng = np.random.default_rng(0)
    seqs = rng.integers(0, 4, size=(200, 120)).astype(np.uint8)
    occ = occupancy_profile(seqs, cfg.motifs, np.array(cfg.thresholds), cfg.binding_scale).numpy()
    ref = occupancy(scan(seqs, cfg.motifs), np.array(cfg.thresholds), cfg.binding_scale, reduce=None).sum(axis=3)
    np.testing.assert_allclose(occ, ref, atol=1e-5)
    # chance occupancy per position and strand is the task's chance_rate
    per_pos = occ.sum(axis=(0, 2)) / (200 * 2 * (120 - np.array([m.width for m in cfg.motifs]) + 1))
    np.testing.assert_allclose(per_pos, task.chance_rate, rtol=0.6)
    # a planted consensus HNF1 site is bound
    j = cfg.motifs.names.index("HNF1")
    seq = seqs[:1].copy()
    seq[0, 40:53] = _enc(cfg.motifs[j].consensus)
    assert occupancy_profile(seq, cfg.motifs, np.array(cfg.thresholds), cfg.binding_scale)[0, j].sum() > 0.95


def test_programs_three_cell_types_with_roles(task):
    prog = task.program.to_numpy()
    assert prog.shape == (3, 8) and len(task.domains) >= 3
    roles = np.array(list(task.roles.values()))
    shared = roles == "shared_activator"
    assert shared.any() and (prog[:, shared] > 0.4).all()
    spec = np.flatnonzero(np.char.startswith(roles.astype(str), "specific"))
    assert len(spec) and all((np.abs(prog[:, j]) > 0.9).sum() == 1 for j in spec)
    assert (prog < -0.4).any()  # repressors
    assert task.config(domain="K562").effects == tuple(prog[1])


def test_cell_type_severity_interpolates_programs(task):
    src, tgt = np.array(task.config().effects), np.array(task.config(domain="K562").effects)
    for s in (0.0, 0.25, 1.0):
        eff = np.array(task.config(domain="K562", severity=s).effects)
        np.testing.assert_allclose(eff, (1 - s) * src + s * tgt)
    assert task.config(domain="K562", severity=0.5).cell_type == "K562"
    with pytest.raises(DataError, match="did you mean 'K562'"):
        task.config(domain="K652")
    with pytest.raises(DataError, match="did you mean 'gc_mean'"):
        task.config(gc_maen=0.5)


def test_cooperativity_needs_sites_within_window(task):
    cfg = task.config()
    a, b = cfg.coop_pairs[0]
    ma, mb = cfg.motifs[a], cfg.motifs[b]
    w = cfg.coop_window
    length = 5 + w + 20 + mb.width
    base = np.zeros((2, length), dtype=np.uint8)  # poly-A: no chance sites of these TFs
    base[:, 5 : 5 + ma.width] = _enc(ma.consensus)
    base[0, 30 : 30 + mb.width] = _enc(mb.consensus)  # 25 bp apart: within the window
    base[1, length - mb.width :] = _enc(mb.consensus)  # > window apart
    occ = occupancy_profile(base, cfg.motifs, np.array(cfg.thresholds), cfg.binding_scale)
    coop = cooperative_occupancy(occ, cfg.coop_pairs, cfg.coop_window).numpy()
    assert coop[0, 0] > 0.3 and coop[1, 0] < 1e-3
    gc = np.full(2, 0.3)
    z_on = activity(cfg, base, gc)["z"]
    z_off = activity(cfg.changed(coop_strength=(0.0,) * len(cfg.coop_pairs)), base, gc)["z"]
    # A TF may sit in several pairs: the change is the sum over every pair's term.
    expected = coop @ np.asarray(cfg.coop_strength)
    assert z_on[0] - z_off[0] == pytest.approx(expected[0], rel=1e-4)
    assert cfg.coop_strength[0] * coop[0, 0] > 0.9 * expected[0]  # dominated by (a, b)
    assert z_on[1] == pytest.approx(z_off[1], abs=0.01)  # only faint chance pairs left


def test_gc_bias_term(task):
    cfg = task.config()
    seqs = np.random.default_rng(0).integers(0, 4, size=(50, 120)).astype(np.uint8)
    gc = np.linspace(0.3, 0.6, 50)
    dz = activity(cfg.changed(gc_coef=3.0), seqs, gc)["z"] - activity(cfg.changed(gc_coef=0.0), seqs, gc)["z"]
    np.testing.assert_allclose(dz, 3.0 * (gc - cfg.gc_ref), atol=1e-9)


def test_readout_saturates():
    z = np.linspace(-10, 10, 201)
    y = readout(z, 8.0)
    assert (np.diff(y) > 0).all() and y.min() > -4 and y.max() < 4
    slope = np.diff(y)
    assert slope[-1] < 0.05 * slope.max()  # saturated at the top
    assert readout(np.array([10.0]), 2.0)[0] < 1.0 + 1e-6  # dynamic range caps the output


def test_measurement_noise_var_matches_repeated_measurements(task):
    cfg = task.config()
    data = task.sample(cfg, 150, np.random.default_rng(3))
    again = task.remeasure(data, cfg, np.random.default_rng(9))
    np.testing.assert_array_equal(again.y_true, data.y_true)
    assert not np.array_equal(again.y, data.y)
    for c in (cfg, cfg.changed(depth=5.0, rna_depth=5.0), cfg.changed(dna_dispersion=0.8, rna_dispersion=0.8)):
        scale = c.depth / cfg.depth
        dna_mean, rna_mean = data.meta.dna_mean.to_numpy() * scale, data.meta.rna_mean.to_numpy() * scale
        reps = 300  # 300 fresh measurements of the same 150 elements, in one vectorised draw
        ys, _, _ = meas.measure(
            np.tile(dna_mean, (reps, 1)),
            np.tile(rna_mean, (reps, 1)),
            c.dna_dispersion,
            c.rna_dispersion,
            c.pseudocount,
            1.0,
            np.random.default_rng(100),
        )
        nv = meas.noise_variance(dna_mean, rna_mean, c.dna_dispersion, c.rna_dispersion, c.pseudocount)
        ratio = ys.var(axis=0, ddof=1) / nv
        # per element, the ratio scatters only as much as a 300-sample variance does
        assert abs(np.median(ratio) - 1) < 0.06 and ratio.std() < 1.4 * np.sqrt(2 / (reps - 1))
    np.testing.assert_allclose(
        data.noise_var,
        meas.noise_variance(
            data.meta.dna_mean, data.meta.rna_mean, cfg.dna_dispersion, cfg.rna_dispersion, cfg.pseudocount
        ),
        rtol=1e-5,
    )


def test_measurement_heteroscedastic_and_batches(task):
    data = task.sample(task.config(), 1000, np.random.default_rng(4))
    assert np.percentile(data.noise_var, 95) > 2 * np.percentile(data.noise_var, 5)
    assert np.corrcoef(np.log(data.meta.rna_mean), data.noise_var)[0, 1] < -0.3  # few reads, more noise
    cfg = task.config()
    b1 = (data.meta.batch == "b1").to_numpy()
    expect = cfg.batch_offset[1] + cfg.batch_gc_bias[1] * (data.meta.gc - cfg.gc_ref)
    np.testing.assert_allclose((data.y_true - data.meta.activity)[b1], expect[b1], atol=1e-5)
    np.testing.assert_allclose((data.y_true - data.meta.activity)[~b1], 0.0, atol=1e-5)
    assert set(data.meta.batch) == {"b0", "b1"}
    assert np.abs(data.y - data.y_true).mean() < 1.0


def test_registered_through_get_plugin():
    t = get_plugin("task", "sim", seq_len=64, n_motifs=4)
    assert t.kind == "generative" and t.domains[0] == "HepG2"
    assert isinstance(t.motif_set, MotifSet)
    assert from_iupac("X", "ACGT").width == 4
