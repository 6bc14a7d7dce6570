"""Scoring per-position importance against planted sites (the simulator's ground truth).

Per sequence, positions inside a functional planted site (a TF whose sites change
activity in the data's domain; :func:`site_mask`) are the positives and every other
called position a negative; ``|importance|`` is the score. Three numbers per
sequence, averaged over the sequences that have both positives and negatives:

* ``site_auroc`` — area under the ROC curve (ties count one half), 0.5 = chance;
* ``site_auprc`` — average precision (step-wise, as ``sklearn``'s
  ``average_precision_score``); chance is the sequence's site fraction;
* ``site_topk`` — fraction of the k highest-scoring positions inside sites, with k
  the number of site positions in that sequence (R-precision; 1 = perfect).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import rankdata

from regshift_bench.api import SeqDataset
from regshift_bench.errors import DataError

SITE_METRICS = ("site_auroc", "site_auprc", "site_topk")


def _site_fields(site: Any) -> tuple[str | None, int, int | None]:
    """(tf, start, width or None) of one recorded site, whatever its form."""
    if isinstance(site, Mapping):
        width = site.get("width") or (site["end"] - site["start"] if "end" in site else None)
        return site.get("tf"), int(site["start"]), None if width is None else int(width)
    if hasattr(site, "start"):
        return getattr(site, "tf", None), int(site.start), getattr(site, "width", None)
    if isinstance(site, (tuple, list)) and len(site) >= 2 and isinstance(site[0], str):
        return site[0], int(site[1]), None
    return None, int(site), None


def site_widths(data: SeqDataset) -> dict[str, int]:
    """TF name -> motif width from ``data.info["motifs"]`` (empty when absent)."""
    motifs = data.info.get("motifs")
    return {m.name: int(m.width) for m in motifs} if motifs is not None else {}


#: A TF whose sites change activity by less than this (log2 units) in a domain is
#: not ground truth there (the simulator gives some TFs zero effect).
MIN_EFFECT = 0.1


def site_mask(data: SeqDataset, widths: Mapping[str, int] | int | None = None,
              min_effect: float | None = MIN_EFFECT) -> np.ndarray:
    """Boolean (n, L): True at positions covered by a functional planted site.

    A site is functional unless ``data.info["site_effects"]`` (TF -> |effect| in the
    data's domain, written by the simulator) says its TF's effect is below
    ``min_effect``; ``min_effect=None`` counts every planted site.

    Parameters
    ----------
    data : SeqDataset
        ``meta["sites"]`` holds one list per sequence of sites: ``Site(tf, start,
        strand)`` records (the simulator), mappings with ``start`` and ``width`` or
        ``end``, or bare start positions.
    widths : mapping of TF name to width, or int, optional
        Site widths when the records lack them; default: from ``info["motifs"]``.

    Raises
    ------
    DataError
        When the data has no ``sites`` column or a site's width is unknown.
    """
    if "sites" not in data.meta.columns:
        raise DataError("this data records no planted sites (meta['sites']); explainers are "
                        "scored on simulated tasks only")
    if widths is None:
        widths = site_widths(data)
    effects = data.info.get("site_effects") if min_effect is not None else None
    n, length = data.seqs.shape
    mask = np.zeros((n, length), dtype=bool)
    for i, sites in enumerate(data.meta["sites"]):
        for site in (sites if sites is not None else ()):
            tf, start, width = _site_fields(site)
            if effects is not None and tf in effects and effects[tf] < min_effect:
                continue  # a TF without effect in this domain: its site is not ground truth
            if width is None:
                width = widths if isinstance(widths, int) else widths.get(tf or "")
            if width is None:
                raise DataError(f"site {site!r}: width of TF {tf!r} unknown; pass widths= or "
                                "keep the task's motifs in info['motifs']")
            mask[i, max(0, start):min(length, start + int(width))] = True
    return mask


def _average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Average precision of one sequence, thresholds at distinct scores (sklearn's rule)."""
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the end of each tie group
    tp = np.cumsum(y)[last]
    precision = tp / (last + 1)
    recall = tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def score_sites(importance: np.ndarray, mask: np.ndarray,
                called: np.ndarray | None = None) -> dict[str, Any]:
    """Per-sequence site scores of ``|importance|`` and their means.

    Parameters
    ----------
    importance : numpy.ndarray, shape (n, L)
    mask : numpy.ndarray, bool, shape (n, L)
        Site positions (:func:`site_mask`).
    called : numpy.ndarray, bool, shape (n, L), optional
        Positions that count (default all); N / padding should be excluded.

    Returns
    -------
    dict
        ``site_auroc``, ``site_auprc``, ``site_topk`` (means, NaN when no sequence
        qualifies), ``n`` (sequences scored) and ``per_sequence`` (dict of arrays (n,),
        NaN for skipped sequences).
    """
    imp = np.abs(np.asarray(importance, dtype=np.float64))
    mask = np.asarray(mask, dtype=bool)
    if imp.shape != mask.shape:
        raise DataError(f"importance shape {imp.shape} != site mask shape {mask.shape}")
    called = np.ones_like(mask) if called is None else np.asarray(called, dtype=bool)
    n = imp.shape[0]
    per = {k: np.full(n, np.nan) for k in SITE_METRICS}
    for i in range(n):
        keep = called[i]
        s, y = imp[i, keep], mask[i, keep]
        n_pos = int(y.sum())
        if n_pos == 0 or n_pos == len(y):
            continue  # no sites (or nothing else): no ranking to judge
        ranks = rankdata(s)  # average ranks: ties count one half
        n_neg = len(y) - n_pos
        per["site_auroc"][i] = (ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
        per["site_auprc"][i] = _average_precision(s, y)
        top = np.argsort(-s, kind="mergesort")[:n_pos]
        per["site_topk"][i] = y[top].mean()
    scored = ~np.isnan(per["site_auroc"])
    out: dict[str, Any] = {k: float(v[scored].mean()) if scored.any() else float("nan")
                           for k, v in per.items()}
    out["n"] = int(scored.sum())
    out["per_sequence"] = per
    return out
