"""Published reference numbers of the real-data tasks, shown beside ours (Anchors).

Only numbers stated in their sources or in the data folders' SOURCE.md files are listed;
``our_task`` names the task of ours that is closest, ``data`` what our copy of the data
holds, ``our_metric`` (optional) the recorded metric ours is read from.
"""

from __future__ import annotations

from regshift_bench.api import Anchor

ANCHORS: tuple[Anchor, ...] = (
    Anchor(
        name="lentiMPRA HepG2",
        metric="Pearson r",
        value="≈ 0.83",
        source="Agarwal et al. 2023 (bioRxiv) / 2025 (Nature), published models",
        train_size="~120k sequences, 10-fold cross-validation (full HepG2 set)",
        our_task="mpra_hepg2",
        data=("24,590 rows: folds 9 and 10 only (12,295 elements × 2 orientations) of 122,926 HepG2 rows (SOURCE.md)"),
        incomparable=(
            "We train on a few thousand sequences drawn from 2 of the 10 folds, not ~120k with "
            "10-fold CV, and score a 500-sequence test split, so our r is far below and not "
            "comparable."
        ),
    ),
    Anchor(
        name="lentiMPRA K562",
        metric="Pearson r",
        value="≈ 0.87",
        source="Agarwal et al. 2023 / 2025, published models",
        train_size="~200k sequences, 10-fold cross-validation",
        our_task="",
        data="none: no K562 lentiMPRA data are in our data folder (SOURCE.md)",
        incomparable=(
            "No task of ours: we have no K562 lentiMPRA data (Sharpr-MPRA K562 tiles are a "
            "different assay and library)."
        ),
    ),
    Anchor(
        name="lentiMPRA WTC11",
        metric="Pearson r",
        value="≈ 0.79",
        source="Agarwal et al. 2023 / 2025, published models",
        train_size="~46k sequences, 10-fold cross-validation",
        our_task="mpra_wtc11",
        data=("20,473 rows: the union of three public subsets, ≈ 20.5k of 46,185 WTC11 rows (SOURCE.md)"),
        incomparable=(
            "Our training split is a few thousand of the ≈ 20.5k public rows (not ~46k with "
            "10-fold CV), so our r is not comparable."
        ),
    ),
    Anchor(
        name="MPRA-MNIST LegNet (HepG2 / K562 / WTC11)",
        metric="Pearson r",
        value="0.80 / 0.83 / 0.73",
        source="MPRA-MNIST benchmark, LegNet",
        train_size="MPRA-MNIST train splits (HepG2: folds ≤ 8, 98,336 rows per SOURCE.md)",
        our_task="mpra_hepg2",
        data=(
            "our HepG2 rows are MPRA-MNIST's val + test files (folds 9, 10); its train file is "
            "not in our copy (SOURCE.md)"
        ),
        incomparable=(
            "Their model trains on folds ≤ 8 (98,336 HepG2 rows) and tests on fold 10; we split "
            "folds 9–10 into our own train/val/test, so the test sets and training sizes differ."
        ),
    ),
    Anchor(
        name="DREAM 2022 random promoters, winning team",
        metric="weighted Pearson score / weighted Spearman score",
        value="0.829 / 0.860",
        source="Rafi et al., Nat Biotechnol 2024 (Random Promoter DREAM Challenge 2022)",
        train_size="6.7M training sequences",
        our_task="dream_yeast",
        data=("6,370 demo training rows + 1,921 labelled public-leaderboard test sequences (SOURCE.md)"),
        incomparable=(
            "We train on at most the 6,370 demo rows (of 6.7M) and test on the 1,921 labelled "
            "public-leaderboard sequences (of the 71,103-row test file, SOURCE.md), so even our "
            "DREAM-style score (random_to_native shift) is not comparable; the r shown here is "
            "in-distribution Pearson, not the weighted score."
        ),
    ),
    Anchor(
        name="Kircher et al. 2019 saturation mutagenesis, agreement of paired experiments",
        metric="Pearson r of per-variant effects between two experiments on the same element",
        value=(
            "LDLR 0.93, SORT1 0.94, SORT1-flip 0.93, PKLR 24 h vs 48 h 0.67, TERT-GAa vs -GSc "
            "0.74, TERT-HEK vs -GBM 0.47"
        ),
        source=(
            "Kircher et al., Nat Commun 2019: computed from their released data "
            "(kircherlab/MPRA_SaturationMutagenesis) in our SOURCE.md; the paper's own "
            "per-element correlations are not in our sources"
        ),
        train_size=("not a model: replicate-experiment agreement, a ceiling for per-element effect correlation"),
        our_task="kircher_satmut",
        our_metric="effect_pearson",
        data="44,647 variants in 29 experiments on 20 elements (SOURCE.md)",
        incomparable=(
            "These are experiment-to-experiment agreements (an upper bound), not model scores; "
            "our model is trained on the lentiMPRA HepG2 subset and predicts effects zero-shot."
        ),
    ),
)


def anchor_key(anchor: Anchor) -> str:
    """The registered name of an anchor (lower-case words joined by _)."""
    import re

    return re.sub(r"[^a-z0-9]+", "_", anchor.name.lower()).strip("_")[:48]
