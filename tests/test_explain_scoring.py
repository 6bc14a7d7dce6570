"""Site scoring on planted toy attributions with known answers; dinucleotide shuffles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from regshift_bench.api import SeqDataset
from regshift_bench.errors import DataError
from regshift_bench.sites import score_sites, site_mask
from rsbench_explain.shuffle import dinuc_counts, dinuc_shuffle, dinuc_shuffle_batch
from rsbench_sim.planting import Site


def _mask(n=300, length=100, seed=0):
    rng = np.random.default_rng(seed)
    mask = np.zeros((n, length), dtype=bool)
    for i in range(n):
        for start in rng.choice(length - 10, size=rng.integers(1, 4), replace=False):
            mask[i, start : start + 8] = True
    return mask


def test_perfect_attribution_scores_one_and_inverted_zero():
    mask = _mask()
    perfect = score_sites(mask * 2.0 - 0.0, mask)
    assert perfect["site_auroc"] == 1.0 and perfect["site_auprc"] == 1.0
    assert perfect["site_topk"] == 1.0 and perfect["n"] == len(mask)
    inverted = score_sites(~mask * 1.0, mask)
    assert inverted["site_auroc"] == 0.0
    # The sign is ignored: -importance at sites is as good as +importance.
    assert score_sites(-3.0 * mask, mask)["site_auroc"] == 1.0


def test_random_attribution_is_near_chance():
    mask = _mask(n=400)
    imp = np.random.default_rng(1).normal(size=mask.shape)
    out = score_sites(imp, mask)
    assert abs(out["site_auroc"] - 0.5) < 0.03
    frac = mask.mean()
    assert abs(out["site_auprc"] - frac) < 0.05 and abs(out["site_topk"] - frac) < 0.05


def test_matches_sklearn_per_sequence_with_ties():
    mask = _mask(n=40, seed=3)
    imp = np.round(np.random.default_rng(2).normal(size=mask.shape), 1)  # many ties
    imp[mask] += 0.5
    per = score_sites(imp, mask)["per_sequence"]
    for i in range(len(mask)):
        assert per["site_auroc"][i] == pytest.approx(roc_auc_score(mask[i], np.abs(imp[i])))
        assert per["site_auprc"][i] == pytest.approx(average_precision_score(mask[i], np.abs(imp[i])))


def test_sequences_without_sites_are_skipped_and_called_positions_respected():
    mask = _mask(n=10)
    mask[3] = False
    imp = mask * 1.0
    out = score_sites(imp, mask)
    assert out["n"] == 9 and np.isnan(out["per_sequence"]["site_auroc"][3])
    none = score_sites(np.zeros((2, 5)), np.zeros((2, 5), dtype=bool))
    assert none["n"] == 0 and np.isnan(none["site_auroc"])
    called = np.ones_like(mask)
    called[:, :5] = False  # a high score at an uncalled (N) position must not count
    noisy = imp.copy()
    noisy[:, :5] = 10.0
    assert score_sites(noisy, mask, called)["site_auroc"] == pytest.approx(
        score_sites(imp[:, 5:], mask[:, 5:])["site_auroc"]
    )


def test_site_mask_reads_sim_records_dicts_and_starts():
    class M:
        def __init__(self, name, width):
            self.name, self.width = name, width

    seqs = np.zeros((3, 30), dtype=np.uint8)
    meta = pd.DataFrame({"sites": [[Site("A", 2, "+"), Site("B", 20, "-")], [{"start": 5, "end": 9}], []]})
    data = SeqDataset(seqs, np.zeros(3), meta=meta, info={"motifs": [M("A", 4), M("B", 6)]})
    mask = site_mask(data)
    assert mask[0].nonzero()[0].tolist() == [2, 3, 4, 5, 20, 21, 22, 23, 24, 25]
    assert mask[1].nonzero()[0].tolist() == [5, 6, 7, 8] and not mask[2].any()
    starts = SeqDataset(seqs[:1], np.zeros(1), meta=pd.DataFrame({"sites": [[28]]}))
    assert site_mask(starts, widths=5)[0].nonzero()[0].tolist() == [28, 29]  # clipped at L
    with pytest.raises(DataError, match="width"):
        site_mask(starts)
    with pytest.raises(DataError, match="no planted sites"):
        site_mask(SeqDataset(seqs, np.zeros(3)))


def test_dinuc_shuffle_keeps_dinucleotide_counts():
    rng = np.random.default_rng(0)
    for length in (2, 3, 10, 200):
        seq = rng.integers(0, 4, size=length).astype(np.uint8)
        shuffled = dinuc_shuffle(seq, np.random.default_rng(1), n=5)
        assert shuffled.shape == (5, length)
        for row in shuffled:
            np.testing.assert_array_equal(dinuc_counts(row), dinuc_counts(seq))
            assert row[0] == seq[0] and row[-1] == seq[-1]
    seq = rng.integers(0, 4, size=200).astype(np.uint8)
    a = dinuc_shuffle(seq, np.random.default_rng(5), 3)
    assert not (a == seq).all(axis=1).any()  # it does shuffle
    np.testing.assert_array_equal(a, dinuc_shuffle(seq, np.random.default_rng(5), 3))


def test_dinuc_shuffle_batch_shape_and_n_letters():
    seqs = np.random.default_rng(0).integers(0, 5, size=(4, 50)).astype(np.uint8)
    out = dinuc_shuffle_batch(seqs, np.random.default_rng(0), 3)
    assert out.shape == (4, 3, 50)
    for i in range(4):
        for row in out[i]:
            np.testing.assert_array_equal(dinuc_counts(row), dinuc_counts(seqs[i]))


def test_sites_of_tfs_without_effect_are_not_ground_truth():
    seqs = np.zeros((1, 30), dtype=np.uint8)
    meta = pd.DataFrame({"sites": [[Site("A", 2, "+"), Site("B", 20, "-")]]})
    data = SeqDataset(seqs, np.zeros(1), meta=meta, info={"site_effects": {"A": 1.2, "B": 0.0}})
    assert site_mask(data, widths=3)[0].nonzero()[0].tolist() == [2, 3, 4]
    assert site_mask(data, widths=3, min_effect=None)[0].sum() == 6


def test_sim_records_site_effects_per_domain():
    from regshift_bench import get_plugin

    task = get_plugin("task", "sim", seq_len=60, n_motifs=4)
    data = task.sample(task.config(), 8, np.random.default_rng(0))
    effects = data.info["site_effects"]
    assert set(effects) == set(task.config().motifs.names)
    shifted = get_plugin("shift", "motif_rewiring", severity=1.0).shifted(task.config())
    moved = task.sample(shifted, 8, np.random.default_rng(0)).info["site_effects"]
    assert set(moved) == set(effects)
    expect = {n: abs(e) for n, e in zip(shifted.motifs.names, shifted.effects)}
    assert all(moved[n] >= expect[n] for n in moved)
