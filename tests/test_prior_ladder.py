"""The calibrated motif prior: exact score distributions, p-value thresholds, the ladder."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset
from regshift_bench.errors import DataError
from regshift_bench.motifs import Motif, builtin_motifs, scan
from regshift_bench.motifs.calibrate import information, pvalue_threshold, score_distribution, trim_flanks
from rsbench_models.motif_panels import DECOYS, to_hocomoco
from rsbench_models.priors import MotifPrior

BG = (0.3, 0.2, 0.2, 0.3)


def _motif(width=5, seed=0):
    rng = np.random.default_rng(seed)
    return Motif("M", "m", rng.dirichlet(np.full(4, 0.5), size=width))


def _enumerate(motif, bg):
    """Every k-mer's score and probability under ``bg`` (brute force, 4**w k-mers)."""
    lo = motif.log_odds(bg)
    scores, probs = [], []
    for kmer in itertools.product(range(4), repeat=motif.width):
        scores.append(lo[np.arange(motif.width), kmer].sum())
        probs.append(np.prod(np.asarray(bg)[list(kmer)]))
    return np.array(scores), np.array(probs)


def test_score_distribution_matches_brute_force():
    motif = _motif()
    grid, probs = score_distribution(motif, BG)
    assert probs.sum() == pytest.approx(1.0)
    exact, weights = _enumerate(motif, BG)
    assert (grid * probs).sum() == pytest.approx((exact * weights).sum(), abs=0.01)
    for t in (0.0, 1.0, 2.5):
        # Grid rounding moves each score by at most width * resolution / 2.
        tail_grid = probs[grid >= t].sum()
        lo_t, hi_t = weights[exact >= t + 0.03].sum(), weights[exact >= t - 0.03].sum()
        assert lo_t - 1e-12 <= tail_grid <= hi_t + 1e-12


@pytest.mark.parametrize("p", [1e-2, 1e-3])
def test_pvalue_threshold_has_the_stated_false_positive_rate(p):
    motif = _motif(width=7, seed=1)
    t = pvalue_threshold(motif, p, BG)
    exact, weights = _enumerate(motif, BG)
    assert weights[exact >= t + 0.04].sum() <= p  # never more false positives than p
    assert weights[exact >= t - 0.1].sum() > 0.3 * p  # and not a far stricter cut
    # Empirically, on random sequence of that composition (one strand).
    rng = np.random.default_rng(0)
    seqs = rng.choice(4, size=(400, 500), p=BG).astype(np.uint8)
    rate = (scan(seqs, [motif], BG)[:, 0, :, 0] >= t).mean()
    assert 0.3 * p < rate < 1.5 * p


def test_pvalue_out_of_range_is_refused():
    with pytest.raises(DataError, match=r"\(0, 1\)"):
        pvalue_threshold(_motif(), 0.0)


def test_trim_flanks_drops_uninformative_ends_only():
    core = builtin_motifs()[0].pwm
    flat = np.full((3, 4), 0.25)
    padded = Motif("X", "x", np.vstack([flat, core[:2], flat[:1], core[2:], flat]))
    trimmed = trim_flanks(padded)
    assert trimmed.width == len(core) + 1  # the interior flat column stays
    assert information(trimmed)[[0, -1]].min() >= 0.25
    assert trim_flanks(Motif("F", "f", np.full((6, 4), 0.25))).width == 4  # min width kept


@pytest.fixture(scope="module")
def sim_train():
    task = get_plugin("task", "sim", seq_len=120, n_motifs=6)
    return task, task.sample(task.config(), 200, np.random.default_rng(0))


def test_ladder_rungs_scan_what_they_say(sim_train):
    task, train = sim_train
    oracle = MotifPrior(source="oracle").fit(train)
    assert list(oracle.motifs_.names) == list(task.motif_set.names)
    decoys = MotifPrior(source="decoys").fit(train)
    sim_names = {n.upper() for n in task.motif_set.names} | {to_hocomoco(n).upper() for n in task.motif_set.names}
    assert not {n.upper() for n in decoys.motifs_.names} & sim_names
    database = MotifPrior(source="database").fit(train)
    assert {n.upper() for n in database.motifs_.names} & sim_names
    assert decoys.chosen_["panel"] == "decoys only" and oracle.get_params()["source"] == "oracle"
    for prior in (oracle, decoys, database):
        assert prior.features(train).shape == (len(train), 2 * len(prior.motifs_))


def _separation(prior, task, train):
    """Largest gain, over the prior's matrices, of mean strongest-site occupancy in
    sequences with a planted site of a TF over those without; averaged over TFs."""
    best = prior._raw(train)[:, : len(prior.motifs_)]
    gains = []
    for tf in task.motif_set.names:
        has = np.array([any(s.tf == tf for s in ss) for ss in train.meta["sites"]])
        gains.append((best[has].mean(axis=0) - best[~has].mean(axis=0)).max())
    return float(np.mean(gains))


def test_oracle_rung_sees_planted_sites_and_decoys_do_not(sim_train):
    task, train = sim_train
    oracle = _separation(MotifPrior(source="oracle", scaling="none").fit(train), task, train)
    decoys = _separation(MotifPrior(source="decoys", scaling="none").fit(train), task, train)
    assert oracle > 0.1 and oracle > 3 * decoys


def test_bad_source_is_one_clear_error(sim_train):
    _, train = sim_train
    with pytest.raises(DataError, match="source='nope'"):
        MotifPrior(source="nope").fit(train)
    plain = SeqDataset(train.seqs, train.y)
    with pytest.raises(DataError, match="needs a simulated task"):
        MotifPrior(source="oracle").fit(plain)


def test_state_round_trip_keeps_background_and_thresholds(sim_train):
    _, train = sim_train
    prior = MotifPrior(source="oracle").fit(train)
    again = MotifPrior(source="oracle")
    again.set_state(prior.get_state())
    np.testing.assert_allclose(again.thresholds_, prior.thresholds_)
    np.testing.assert_allclose(again.features(train), prior.features(train))


def test_decoys_exclude_the_simulators_tfs():
    assert len(DECOYS) >= 5


@pytest.mark.parametrize("name", ["cnn+motif_oracle", "cnn+motif_decoys"])
def test_ladder_models_train_on_the_simulator(sim_train, name):
    from regshift_bench.api import Budget

    _, train = sim_train
    model = get_plugin("model", name)
    assert model.get_params()["prior"].source == name.split("_")[-1]
    model.fit(train, train, rng=np.random.default_rng(0), budget=Budget(max_epochs=1))
    pred = model.predict(train)
    assert np.isfinite(np.asarray(pred.mean)).all() and len(pred.mean) == len(train)
