"""DREAM 2022 yeast random promoters: demo training table and labelled public test.

Steps (every row whose sequence and measurement are both public is kept):

``demo_train.tsv.gz``
    ``data/demo_train.txt`` (no header) with the column names ``seq`` and
    ``expression`` added; expression written as a float.
``public_leaderboard_labeled.tsv.gz``
    1. Read the seven ``data/test_subset_ids/*.csv`` files in this order: random,
       high, low, native yeast, challenging, then both sides (alt, ref) of the
       motif perturbation and motif tiling pairs; each row gives a test index
       (``pos``), a sequence and a tag.
    2. Keep the test indices that have a value in ``public_leaderboard_ids/ground.json``.
    3. One row per test index, sorted by it: the sequence (the same in every copy,
       checked), the first tag in the order of step 1, the sorted ``;``-joined list of
       subsets it belongs to, and the measured expression.
``public_leaderboard_pairs.tsv.gz``
    The motif perturbation and tiling (alt, ref) pairs, in file order, where both
    sides have a value in ``ground.json``; exact duplicate rows dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rsbench_mpra.derive.tables import original, require, write_tsv_gz

if TYPE_CHECKING:  # for annotations; imported where used, so the dataset catalogue loads light
    import pandas as pd

_REPO = "de-Boer-Lab/random-promoter-dream-challenge-2022/f7b2e197f673319aaae3ef460b7f9980f74304af"

SOURCES = (
    original(
        f"{_REPO}/data/demo_train.txt", "277090c096efb1592d1b017fffef6d83d96817ae4430109ddc5ba45b66dd8ede", 760902
    ),
    original(
        f"{_REPO}/data/public_leaderboard_ids/ground.json",
        "c2980b4879fd86ba97885ab3cb8843f62a42820ff7ad34b2e0546cfed17f584e",
        252964,
    ),
    original(
        f"{_REPO}/data/test_subset_ids/all_random_seqs.csv",
        "f1f3fb397cf664ce9bd5796e68418aad42e9ee017f60b129009b14c10e1096bb",
        858758,
    ),
    original(
        f"{_REPO}/data/test_subset_ids/high_exp_seqs.csv",
        "8ca895e422e92770b715f917ff48593cc7e2d1a004683aef9eea37229de9480f",
        138018,
    ),
    original(
        f"{_REPO}/data/test_subset_ids/low_exp_seqs.csv",
        "206926a6054c106039b8ae87b2807305ae5454ccc725bc8b162512496949a9c2",
        141135,
    ),
    original(
        f"{_REPO}/data/test_subset_ids/yeast_seqs.csv",
        "af3041c3645ba3ae4ff8a992abe1e5170ce57e625e7c5f819e4550036224b22e",
        141464,
    ),
    original(
        f"{_REPO}/data/test_subset_ids/challenging_seqs.csv",
        "b62de941b2d9cf4367d9933e4b43c3997ecb8c6f508f429d4488a3345193d097",
        303214,
    ),
    original(
        f"{_REPO}/data/test_subset_ids/motif_perturbation_seqs.csv",
        "627cba47abd45b54cfad6e522697cfa0f5b0c7b005290a9311d1ab9e6f45a65a",
        978811,
    ),
    original(
        f"{_REPO}/data/test_subset_ids/motif_tiling_seqs.csv",
        "1edaaa96fe9af4987d119cd647a6f53da99dd87eb30e55fb85c76e753cfada03",
        706063,
    ),
)

#: Single-sequence subsets, in the order their tags take precedence.
SINGLE = {
    "random": "all_random_seqs.csv",
    "high_expression": "high_exp_seqs.csv",
    "low_expression": "low_exp_seqs.csv",
    "native_yeast": "yeast_seqs.csv",
    "challenging": "challenging_seqs.csv",
}
#: Paired subsets (an alt and a ref sequence per row).
PAIRED = {"motif_perturbation": "motif_perturbation_seqs.csv", "motif_tiling": "motif_tiling_seqs.csv"}
PAIR_COLUMNS = ["subset", "alt_test_index", "ref_test_index", "alt_tag", "ref_tag", "alt_expression", "ref_expression"]


def _csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def demo_train(sources: Mapping[str, Path]) -> pd.DataFrame:
    """``demo_train.txt`` with its two columns named."""
    import pandas as pd

    return pd.read_csv(
        sources["demo_train.txt"],
        sep="\t",
        header=None,
        names=["seq", "expression"],
        dtype={"seq": str},
        keep_default_na=False,
    )


def _memberships(sources: Mapping[str, Path]) -> pd.DataFrame:
    """One row per (test index, subset) listing, in tag-precedence order."""
    import pandas as pd

    parts = []
    for subset, name in SINGLE.items():
        rows = _csv(sources[name])
        parts.append(
            pd.DataFrame(
                {"test_index": rows["pos"].astype(int), "seq": rows["sequence"], "tag": rows["tag"], "subset": subset}
            )
        )
    for subset, name in PAIRED.items():
        rows = _csv(sources[name])
        for side in ("alt", "ref"):
            parts.append(
                pd.DataFrame(
                    {
                        "test_index": rows[f"{side}_pos"].astype(int),
                        "seq": rows[f"{side}_sequence"],
                        "tag": rows[f"{side}_tag"],
                        "subset": f"{subset}_{side}",
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def labelled(sources: Mapping[str, Path], ground: Mapping[str, float]) -> pd.DataFrame:
    """The measured public-leaderboard sequences, one row per test index."""
    rows = _memberships(sources)
    rows = rows[rows["test_index"].astype(str).isin(set(ground))]
    groups = rows.groupby("test_index", sort=True)
    require(bool((groups["seq"].nunique() == 1).all()), "one DREAM test index lists two sequences")
    out = groups.agg(
        seq=("seq", "first"), tag=("tag", "first"), subsets=("subset", lambda s: ";".join(sorted(set(s))))
    ).reset_index()
    out["expression"] = [float(ground[str(i)]) for i in out["test_index"]]
    return out


def pairs(sources: Mapping[str, Path], ground: Mapping[str, float]) -> pd.DataFrame:
    """Measured (alt, ref) pairs of the motif perturbation and tiling subsets."""
    import pandas as pd

    records = []
    for subset, name in PAIRED.items():
        rows = _csv(sources[name])
        for alt, ref, alt_tag, ref_tag in zip(
            rows["alt_pos"].astype(int), rows["ref_pos"].astype(int), rows["alt_tag"], rows["ref_tag"]
        ):
            if str(alt) in ground and str(ref) in ground:
                records.append((subset, alt, ref, alt_tag, ref_tag, ground[str(alt)], ground[str(ref)]))
    return pd.DataFrame(records, columns=PAIR_COLUMNS).drop_duplicates()


def derive(sources: Mapping[str, Path], out: Path) -> None:
    """Write the three DREAM tables under ``out``."""
    ground = json.loads(Path(sources["ground.json"]).read_text())
    write_tsv_gz(demo_train(sources), out / "demo_train.tsv.gz")
    write_tsv_gz(labelled(sources, ground), out / "public_leaderboard_labeled.tsv.gz")
    write_tsv_gz(pairs(sources, ground), out / "public_leaderboard_pairs.tsv.gz")
