"""Sharpr activity from barcode counts (hand computation) and DREAM weighted scoring."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import DataMissingError, get_plugin, paths
from rsbench_mpra import dream_score
from rsbench_mpra.sharpr import LIBRARIES

# 4 tiles (2 regions x 2 tiles) x 3 barcodes; counts per library
TILES = ["high_0_0", "high_0_1", "range_1_0", "range_1_1"]
SEQS = ["ACGTACGTAA", "CGTACGTAAC", "GGGCCCAAAT", "GGCCCAAATT"]
COUNTS = {
    "hepg2_rep1": [[10, 20, 30], [0, 5, 5], [100, 50, 50], [1, 1, 0]],
    "hepg2_rep2": [[12, 18, 25], [1, 4, 6], [90, 60, 40], [0, 2, 1]],
    "k562_rep1": [[5, 5, 5], [0, 0, 3], [20, 10, 10], [3, 3, 3]],
    "k562_rep2": [[4, 6, 5], [1, 0, 2], [25, 15, 5], [2, 4, 3]],
    "plasmid_rep1": [[20, 20, 20], [10, 10, 10], [40, 40, 40], [5, 5, 5]],
    "plasmid_rep2": [[22, 18, 20], [9, 11, 10], [45, 35, 40], [6, 4, 5]],
}


@pytest.fixture
def sharpr_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    raw = tmp_path / "mpra" / "ernst2016_sharpr_pilot" / "raw_geo_GSE71279"
    raw.mkdir(parents=True)
    for lib, stem in LIBRARIES.items():
        lines = ["ID\tSequence\tTags\tCounts"] + [
            f"{t}\t{s}\tAAAA,CCCC,GGGG\t{','.join(map(str, c))}" for t, s, c in zip(TILES, SEQS, COUNTS[lib])
        ]
        with gzip.open(raw / f"{stem}.counts.txt.gz", "wt") as handle:
            handle.write("\n".join(lines) + "\n")
    monkeypatch.setattr(paths, "_data_dir_override", tmp_path)
    return tmp_path


def test_sharpr_activity_matches_hand_computation(sharpr_dir: Path) -> None:
    task = get_plugin("task", "sharpr_pilot", bootstrap=50)
    data = task.load()
    c = {k: np.asarray(v, float) for k, v in COUNTS.items()}
    # tile 0, HepG2 replicate 1, by hand: RNA 60 of 272; DNA 60 of 225
    assert c["hepg2_rep1"].sum() == 272 and c["plasmid_rep1"].sum() == 225
    rep1_tile0 = np.log2((60 / 272 * 1e6 + 1) / (60 / 225 * 1e6 + 1))
    assert data.meta["rep1"][0] == pytest.approx(rep1_tile0)
    for tile in range(4):
        reps = [
            np.log2(
                (c[f"hepg2_rep{r}"][tile].sum() / c[f"hepg2_rep{r}"].sum() * 1e6 + 1)
                / (c[f"plasmid_rep{r}"][tile].sum() / c[f"plasmid_rep{r}"].sum() * 1e6 + 1)
            )
            for r in (1, 2)
        ]
        assert data.y[tile] == pytest.approx(np.mean(reps), rel=1e-6)
    k562 = task.load("K562")
    k_rep2 = np.log2(
        (c["k562_rep2"][2].sum() / c["k562_rep2"].sum() * 1e6 + 1)
        / (c["plasmid_rep2"][2].sum() / c["plasmid_rep2"].sum() * 1e6 + 1)
    )
    assert k562.meta["rep2"][2] == pytest.approx(k_rep2)
    np.testing.assert_array_equal(k562.seqs, data.seqs)  # row i is tile i in both domains
    assert list(data.meta["region_id"]) == ["high_0", "high_0", "range_1", "range_1"]
    assert data.strings() == SEQS
    # empirical noise: positive, and larger for the low-count tiles (1, 3) than the others
    assert (data.noise_var > 0).all()
    assert min(data.noise_var[[1, 3]]) > 10 * max(data.noise_var[[0, 2]])
    assert task.score("test_id", data, None) == {}  # 4 rows: below the 5-row minimum


def test_missing_dataset_is_a_one_line_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(paths, "_data_dir_override", tmp_path)
    for name in ("sharpr_pilot", "mpra_hepg2", "dream_yeast"):
        with pytest.raises(DataMissingError) as info:
            get_plugin("task", name).load()
        message = str(info.value)
        assert str(tmp_path) in message and "rsbench data fetch" in message
        assert "\n" not in message


def _dream_meta() -> tuple[pd.DataFrame, np.ndarray]:
    """Every subset with 6 rows, plus 6 motif pairs of each kind sharing one reference."""
    rows, y = [], []
    rng = np.random.default_rng(0)
    idx = 0
    for tag in ("random", "native_yeast", "challenging", "high_expression", "low_expression"):
        for _ in range(6):
            rows.append((idx, tag, -1, ""))
            y.append(rng.normal())
            idx += 1
    for subset in ("motif_perturbation", "motif_tiling"):
        ref = idx
        rows.append((ref, f"{subset}_ref;random", -1, ""))
        y.append(0.0)
        idx += 1
        for _ in range(6):
            rows.append((idx, f"{subset}_alt", ref, subset))
            y.append(rng.normal())
            idx += 1
    meta = pd.DataFrame(rows, columns=["test_index", "dream_subsets", "ref_test_index", "pair_subset"])
    return meta, np.asarray(y)


def test_dream_weighted_score() -> None:
    meta, y = _dream_meta()
    perfect = dream_score.dream_scores(meta, y, y)
    assert perfect["dream_pearson_score"] == pytest.approx(1.0)
    assert perfect["dream_spearman_score"] == pytest.approx(1.0)
    noisy = y + np.random.default_rng(1).normal(0, 0.7, len(y))
    got = dream_score.dream_scores(meta, y, noisy)
    weights = {
        "all": 1,
        "high": 0.3,
        "low": 0.3,
        "native": 0.3,
        "random": 0.3,
        "challenging": 0.5,
        "motif_perturbation": 0.3,
        "motif_tiling": 0.4,
    }
    by_hand = sum(w * got[f"dream_r2_{s}"] for s, w in weights.items()) / 3.4
    assert got["dream_pearson_score"] == pytest.approx(by_hand)
    # motif subsets are scored on alt - ref differences
    pert = meta["pair_subset"] == "motif_perturbation"
    ref = meta.index[meta["test_index"] == meta["ref_test_index"][pert].iloc[0]][0]
    d_meas, d_pred = y[pert] - y[ref], noisy[pert] - noisy[ref]
    assert got["dream_r2_motif_perturbation"] == pytest.approx(np.corrcoef(d_meas, d_pred)[0, 1] ** 2)
    # a set missing a subset gets per-subset values but no weighted score
    partial = dream_score.dream_scores(
        meta[pert | (meta.index == ref)].reset_index(drop=True),
        y[pert | (meta.index == ref)],
        noisy[pert | (meta.index == ref)],
    )
    assert "dream_pearson_score" not in partial
