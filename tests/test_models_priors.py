"""Priors: GC/CpG features by hand, motif occupancy, k-mer counting."""

from __future__ import annotations

import numpy as np
import pytest

from regshift_bench.api import SeqDataset
from regshift_bench.motifs import builtin_motifs
from regshift_bench.testing import check_prior, toy_dataset
from rsbench_models import GCPrior, MotifPrior
from rsbench_models.kmers import kmer_counts


def test_gc_features_match_hand_computation() -> None:
    data = SeqDataset.from_strings(["ACGCGTNN", "AAAA", "CGCG"], [0.0, 0.0, 0.0])
    f = GCPrior().fit(data).features(data)
    assert f.shape == (3, 3) and f.dtype == np.float32
    # ACGCGT: 6 called bases, C=2 G=2, CpG at 1-2 and 3-4 -> 2 of 5 dinucleotides.
    np.testing.assert_allclose(f[0], [4 / 6, 2 / 5, 2 * 6 / (2 * 2)], rtol=1e-6)
    np.testing.assert_allclose(f[1], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(f[2], [1.0, 2 / 3, 2 * 4 / (2 * 2)], rtol=1e-6)


def _with_motifs(data: SeqDataset, names: list[str]) -> SeqDataset:
    return data.with_values(info={"motifs": builtin_motifs().select(names)})


def test_motif_prior_uses_task_motifs_and_has_two_features_per_motif() -> None:
    train = _with_motifs(toy_dataset(20, 60, 1), ["GATA", "AP1", "CTCF"])
    prior = MotifPrior().fit(train)
    f = prior.features(train)
    assert f.shape == (20, 6) and np.isfinite(f).all() and prior.n_features == 6
    assert (f[:, :3] <= 1.0).all() and (f[:, 3:] >= f[:, :3] - 1e-6).all()  # sum >= max


def test_planting_a_motif_raises_its_max_occupancy() -> None:
    rng = np.random.default_rng(0)
    codes = rng.choice(4, size=(30, 80)).astype(np.uint8)
    base = _with_motifs(SeqDataset(codes, np.zeros(30)), ["AP1", "CREB"])
    planted = codes.copy()
    planted[:, 30:37] = [3, 2, 0, 1, 3, 1, 0]  # TGACTCA, an AP-1 site
    prior = MotifPrior().fit(base)
    before = prior.features(base)
    after = prior.features(SeqDataset(planted, np.zeros(30)))
    assert (after[:, 0] >= before[:, 0]).all() and after[:, 0].min() > 0.9
    assert np.median(before[:, 0]) < 0.5
    assert (after[:, 2] > before[:, 2]).all()  # summed occupancy of AP1 rises too


def test_motif_prior_state_roundtrip_and_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RSBENCH_DATA_DIR", raising=False)
    data = toy_dataset(10, 50, 1)
    prior = MotifPrior().fit(data)  # no task motifs, no data dir -> built-in set
    assert prior.motifs_.names == builtin_motifs().names
    fresh = MotifPrior()
    fresh.set_state(prior.get_state())
    np.testing.assert_array_equal(fresh.features(data), prior.features(data))


@pytest.mark.parametrize("name", ["gc", "motif"])
def test_priors_pass_conformance(name: str) -> None:
    check_prior(name).raise_if_failed()


def test_canonical_kmer_counts() -> None:
    codes = SeqDataset.from_strings(["ACGTN", "AAAA"], [0.0, 0.0]).seqs
    f = kmer_counts(codes, (1, 2))
    assert f.shape == (2, 2 + 10)  # 10 canonical 2-mers (4 palindromes)
    np.testing.assert_array_equal(f[0, :2], [2, 2])  # A|T and C|G
    assert f[0, 2:].sum() == 3 and f[1, 2:].sum() == 3  # windows with N are skipped
    # The reverse complement has identical canonical counts.
    rc = SeqDataset(codes, np.zeros(2)).revcomp().seqs
    np.testing.assert_array_equal(kmer_counts(rc, (1, 2, 3)), kmer_counts(codes, (1, 2, 3)))
