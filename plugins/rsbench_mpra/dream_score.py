"""DREAM 2022 (Random Promoter Challenge) scoring of the labelled public test subsets.

Following the challenge's official evaluation: per test subset, Pearson r (scored
as r²) and Spearman ρ between prediction and measurement; for the motif
perturbation and motif tiling subsets both are computed on alt − ref differences
(predicted vs measured) of each (ref, alt) pair, de-duplicated. The Pearson and
Spearman *scores* are weighted sums divided by the sum of weights, with the
published weights: all 1, high 0.3, low 0.3, native 0.3, random 0.3, challenging
0.5, motif perturbation 0.3, motif tiling 0.4 (and SNVs 1.25, whose pairs are not
public; the normalisation uses the weights of the subsets present, 3.4, so a
perfect model still scores 1).

Meta columns used (one row per sequence): ``dream_subsets`` (";"-joined subset
names), ``test_index``, ``ref_test_index`` (the pair's reference, -1 when none) and
``pair_subset`` ("motif_perturbation" / "motif_tiling" / "").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: subset -> (weight, membership tag in ``dream_subsets``; None = every row, "pairs" = diff)
WEIGHTS: dict[str, float] = {
    "all": 1.0,
    "high": 0.3,
    "low": 0.3,
    "native": 0.3,
    "random": 0.3,
    "challenging": 0.5,
    "motif_perturbation": 0.3,
    "motif_tiling": 0.4,
}
SINGLE_TAGS = {
    "high": "high_expression",
    "low": "low_expression",
    "native": "native_yeast",
    "random": "random",
    "challenging": "challenging",
}
PAIR_SUBSETS = ("motif_perturbation", "motif_tiling")
MIN_N = 5


def _corr(measured: np.ndarray, predicted: np.ndarray) -> tuple[float, float] | None:
    if len(measured) < MIN_N or np.ptp(measured) == 0 or np.ptp(predicted) == 0:
        return None
    return float(stats.pearsonr(measured, predicted)[0]), float(stats.spearmanr(measured, predicted)[0])


def pair_differences(meta: pd.DataFrame, y: np.ndarray, mean: np.ndarray, subset: str) -> tuple[np.ndarray, np.ndarray]:
    """Measured and predicted alt − ref differences of ``subset``'s pairs in these rows.

    Returns
    -------
    measured, predicted : numpy.ndarray, shape (m,)
        One entry per distinct (ref, alt) pair whose both sequences are present.
    """
    index = pd.Series(np.arange(len(meta)), index=meta["test_index"].to_numpy())
    index = index[~index.index.duplicated()]
    alts = meta.index[(meta["pair_subset"] == subset).to_numpy() & (meta["ref_test_index"].to_numpy() >= 0)]
    alt_rows = np.asarray(alts, dtype=np.int64)
    refs = meta["ref_test_index"].to_numpy()[alt_rows]
    present = np.isin(refs, index.index.to_numpy())
    alt_rows, refs = alt_rows[present], refs[present]
    ref_rows = index.loc[refs].to_numpy()
    pairs = pd.DataFrame(
        {"a": meta["test_index"].to_numpy()[alt_rows], "r": refs, "ai": alt_rows, "ri": ref_rows}
    ).drop_duplicates(["a", "r"])
    ai, ri = pairs["ai"].to_numpy(), pairs["ri"].to_numpy()
    return y[ai] - y[ri], mean[ai] - mean[ri]


def dream_scores(meta: pd.DataFrame, y: np.ndarray, mean: np.ndarray) -> dict[str, float]:
    """Per-subset Pearson r² and Spearman ρ and the weighted DREAM scores.

    Parameters
    ----------
    meta : pandas.DataFrame, n rows
        With the columns named in the module docstring.
    y, mean : numpy.ndarray, shape (n,)
        Measured activity and predicted mean.

    Returns
    -------
    dict
        ``dream_r2_<subset>``, ``dream_spearman_<subset>`` for every subset with at
        least 5 rows (pairs), plus ``dream_pearson_score`` and ``dream_spearman_score``
        when every subset could be scored.
    """
    meta = meta.reset_index(drop=True)
    y, mean = np.asarray(y, float), np.asarray(mean, float)
    tags = meta["dream_subsets"].fillna("").astype(str).str.split(";")
    got: dict[str, tuple[float, float]] = {}
    for subset in WEIGHTS:
        if subset in PAIR_SUBSETS:
            measured, predicted = pair_differences(meta, y, mean, subset)
        elif subset == "all":
            measured, predicted = y, mean
        else:
            rows = tags.map(lambda t, s=SINGLE_TAGS[subset]: s in t).to_numpy(bool)
            measured, predicted = y[rows], mean[rows]
        res = _corr(measured, predicted)
        if res is not None:
            got[subset] = res
    out: dict[str, float] = {}
    for subset, (r, rho) in got.items():
        out[f"dream_r2_{subset}"] = r * r
        out[f"dream_spearman_{subset}"] = rho
    if len(got) == len(WEIGHTS):
        total = sum(WEIGHTS.values())
        out["dream_pearson_score"] = sum(WEIGHTS[s] * got[s][0] ** 2 for s in WEIGHTS) / total
        out["dream_spearman_score"] = sum(WEIGHTS[s] * got[s][1] for s in WEIGHTS) / total
    return out
