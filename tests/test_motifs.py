"""Motif utilities: IUPAC PWMs, the MEME reader, the built-in set, scanning, occupancy."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from regshift_bench.errors import DataError
from regshift_bench.motifs import (
    Motif,
    MotifSet,
    builtin_motifs,
    from_iupac,
    occupancy,
    read_meme,
    scan,
)

FIX = Path(__file__).parent / "fixtures" / "motifs"


def test_from_iupac_specificity_and_consensus():
    m = from_iupac("X", "ARN", specificity=0.85)
    assert m.width == 3 and m.consensus[0] == "A"
    np.testing.assert_allclose(m.pwm[0], [0.85, 0.05, 0.05, 0.05])
    np.testing.assert_allclose(m.pwm[1], [0.425, 0.075, 0.425, 0.075])
    np.testing.assert_allclose(m.pwm[2], 0.25)
    np.testing.assert_allclose(m.pwm.sum(1), 1.0)
    with pytest.raises(DataError, match="not an IUPAC code"):
        from_iupac("bad", "ACZ")
    with pytest.raises(DataError, match="specificity"):
        from_iupac("bad", "ACG", specificity=0.2)


def test_log_odds_and_reverse_complement():
    m = from_iupac("X", "ACGT", specificity=0.97)
    lo = m.log_odds()
    assert lo.shape == (4, 4) and np.isfinite(lo).all()
    assert lo[0, 0] > 0 > lo[0, 1]
    assert m.max_score() == pytest.approx(lo.max(1).sum())
    rc = m.reverse_complement()
    assert rc.consensus == "ACGT"  # ACGT is its own reverse complement
    zero = Motif("Z", "Z", np.array([[1.0, 0, 0, 0]]))
    assert np.isfinite(zero.log_odds()).all()  # pseudocount keeps zeros finite


def test_builtin_motifs_cover_named_tfs():
    ms = builtin_motifs()
    assert len(ms) >= 12
    for name in [
        "AP1",
        "CREB",
        "SP1",
        "NFKB",
        "GATA",
        "ETS",
        "CEBP",
        "HNF1",
        "HNF4",
        "FOXA",
        "EBOX",
        "CTCF",
        "P53",
        "YY1",
        "TATA",
        "NRF1",
    ]:
        assert name in ms.names
    assert ms.select(["CREB"])[0].consensus == "TGACGTCA"
    assert len(set(ms.ids)) == len(ms)


def test_select_did_you_mean_and_ids():
    ms = builtin_motifs()
    assert ms.select(["ctcf", "builtin/AP1"]).names == ("CTCF", "AP1")
    assert ms.select("SP1").names == ("SP1",)
    with pytest.raises(DataError, match="did you mean 'CTCF'"):
        ms.select(["CTFC"])
    assert isinstance(ms[1:3], MotifSet) and len(ms[1:3]) == 2


def test_read_meme_fixture(tmp_path):
    ms = read_meme(FIX / "tiny.meme")
    assert ms.names == ("Alpha", "Beta", "Gamma.H12")
    assert ms.ids == ("TST0001.1", "TST0002.2", "Gamma.H12")
    assert ms.background == (0.3, 0.2, 0.2, 0.3)
    assert ms[0].consensus.startswith("ACG") and ms[2].width == 2
    assert read_meme(FIX / "tiny.meme", names=["TST0002"]).names == ("Beta",)
    gz = tmp_path / "tiny.meme.gz"
    gz.write_bytes(gzip.compress((FIX / "tiny.meme").read_bytes()))
    assert read_meme(gz) == ms


@pytest.mark.parametrize(
    "fname, pattern",
    [
        ("bad_row.meme", r"bad_row.meme: line 8: motif BAD1"),
        ("counts.meme", r"line 5: .*sums to 5.000"),
        ("short.meme", r"line 8: motif SHORT1: expected 3 rows"),
        ("protein.meme", r"line 3: alphabet .* is not ACGT"),
        ("not_meme.txt", r"no 'MEME version' header"),
        ("missing.meme", r"motif file not found"),
    ],
)
def test_read_meme_errors_name_file_and_line(fname, pattern):
    with pytest.raises(DataError, match=pattern):
        read_meme(FIX / fname)


@pytest.mark.skipif(not os.environ.get("RSBENCH_DATA_DIR"), reason="RSBENCH_DATA_DIR unset")
@pytest.mark.parametrize(
    "fname, n_min, pick",
    [
        ("JASPAR2024_CORE_vertebrates_non-redundant.meme", 800, "CTCF"),
        ("JASPAR2022_CORE_non-redundant_pfms.meme", 1900, "MA0139"),
        ("HOCOMOCO_v12_H12CORE.meme.gz", 1400, "CTCF.H12CORE.0.P.B"),
    ],
)
def test_read_real_meme_files(fname, n_min, pick):
    from regshift_bench.paths import dataset_path

    ms = read_meme(dataset_path(f"motifs/{fname}", what="motif file"))
    assert len(ms) >= n_min
    assert all(np.allclose(m.pwm.sum(1), 1.0) for m in ms)
    ctcf = ms.select([pick])[0]
    assert ctcf.width >= 11  # CTCF's core site spans about 15 bp in every collection


def _naive_scan(codes: np.ndarray, motif: Motif) -> np.ndarray:
    lo, rc = motif.log_odds(), motif.reverse_complement().log_odds()
    n, length = codes.shape
    out = np.full((n, length - motif.width + 1, 2), -np.inf)
    for i in range(n):
        for p in range(length - motif.width + 1):
            win = codes[i, p : p + motif.width]
            called = win < 4
            pos = np.arange(motif.width)[called]
            out[i, p, 0] = lo[pos, win[called]].sum()
            out[i, p, 1] = rc[pos, win[called]].sum()
    return out


def test_scan_matches_naive_both_strands_and_n():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, size=(5, 30)).astype(np.uint8)
    ms = MotifSet([from_iupac("A", "TGASTCA"), from_iupac("B", "GATA"), from_iupac("C", "CCGCGNGGNGGCAG")])
    s = scan(codes, ms, chunk_size=2)
    assert s.shape == (5, 3, 30 - 4 + 1, 2) and s.dtype == np.float32
    for j, m in enumerate(ms):
        ref = _naive_scan(codes, m)
        np.testing.assert_allclose(s[:, j, : ref.shape[1]], ref, rtol=1e-5, atol=1e-5)
        assert np.isneginf(s[:, j, ref.shape[1] :]).all()
    onehot = np.eye(5, dtype=np.float32)[codes][..., :4].transpose(0, 2, 1)
    np.testing.assert_allclose(scan(onehot, ms), s, rtol=1e-5, atol=1e-5)


def test_scan_finds_planted_site_on_reverse_strand():
    m = from_iupac("CREB", "TGACGTCA")  # palindrome: equal on both strands
    g = from_iupac("GATA", "AGATAA")
    codes = np.zeros((1, 20), dtype=np.uint8)  # all A
    rc_gata = "TTATCT"
    codes[0, 5:11] = ["ACGT".index(c) for c in rc_gata]
    s = scan(codes, MotifSet([m, g]))
    p, strand = np.unravel_index(np.argmax(s[0, 1]), s[0, 1].shape)
    assert (p, strand) == (5, 1)
    assert s[0, 1, 5, 1] == pytest.approx(g.max_score(), rel=1e-5)


def test_occupancy_reductions():
    scores = np.array([[[[0.0, -np.inf], [4.0, -4.0]]]], dtype=np.float32)  # (1, 1, 2, 2)
    per_site = occupancy(scores, threshold=0.0, reduce=None)
    np.testing.assert_allclose(per_site[0, 0], [[0.5, 0.0], [1 / (1 + np.exp(-4)), 1 / (1 + np.exp(4))]], rtol=1e-6)
    assert occupancy(scores, np.array([0.0]))[0, 0] == pytest.approx(per_site.sum())
    assert occupancy(scores, 0.0, reduce="max")[0, 0] == pytest.approx(per_site.max())
    assert occupancy(scores, 4.0, scale=0.5, reduce="max")[0, 0] == pytest.approx(0.5)
    with pytest.raises(DataError):
        occupancy(scores, reduce="mean")
