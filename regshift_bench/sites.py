"""Scoring per-position importance against planted sites (the simulator's ground truth).

A planted site is *functional* in the data's domain when it binds there and its
binding matters (:func:`functional_sites`): its occupancy under that domain's
binding model is at least :data:`MIN_OCCUPANCY` and its effect per unit occupancy
(its TF's effect plus cooperative gain, both signed) is at least :data:`MIN_EFFECT`
in magnitude; the sign of that effect is the sign of the site's contribution. The
simulator records both per site (``meta["site_occupancy"]``, ``meta["site_effect"]``),
so a shift of the mechanism moves the truth: a site that no longer binds drops out,
a TF whose effect flips changes the sign of its sites. Data without those columns
fall back to the TF-level rule (``info["site_effects"]``) and carry no signs.

Unsigned scores (``|importance|``; positions inside functional sites are positives,
every other called position a negative), averaged over the sequences that have both:

* ``site_auroc`` — area under the ROC curve (ties count one half), 0.5 = chance;
* ``site_auprc`` — average precision (step-wise, as ``sklearn``'s
  ``average_precision_score``); chance is the sequence's site fraction;
* ``site_topk`` — fraction of the k highest-scoring positions inside sites, with k
  the number of site positions in that sequence (R-precision; 1 = perfect).

Signed scores (:func:`score_signs`; the attribution summed over each functional
site's positions, pooled over sequences), so rewiring that flips signs is visible:

* ``site_sign_agreement`` — fraction of functional sites whose summed attribution
  has the sign of their contribution (a zero sum counts one half), 0.5 = chance;
* ``site_sign_auroc`` — auROC of the summed attribution (divided by the sequence's
  total ``|importance|``, so sequences of different scale pool) separating
  activating from repressing sites, 0.5 = chance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from scipy.stats import rankdata

from regshift_bench.api import SeqDataset
from regshift_bench.errors import DataError

SITE_METRICS = ("site_auroc", "site_auprc", "site_topk")
SIGN_METRICS = ("site_sign_agreement", "site_sign_auroc")

#: A site's effect per unit occupancy (log2-scale activation energy) must reach this
#: magnitude for the site to be ground truth (the simulator gives some TFs ~zero effect).
MIN_EFFECT = 0.1
#: A site binds when its occupancy under the domain's binding model (both strands,
#: the expected number of bound copies) is at least this: half-bound or more.
MIN_OCCUPANCY = 0.5


class FunctionalSite(NamedTuple):
    """One ground-truth site: sequence ``row``, positions ``[start, start + width)``,
    ``sign`` of its contribution (+1 activating, -1 repressing, 0 unknown)."""

    row: int
    start: int
    width: int
    sign: int


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


def _per_site(data: SeqDataset, column: str, i: int, k: int) -> list[float] | None:
    """The ``column`` values of sequence i's k sites, or None when not recorded."""
    if column not in data.meta.columns:
        return None
    values = data.meta[column].iloc[i]
    if values is None or len(values) != k:
        raise DataError(
            f"meta[{column!r}] of sequence {i} has no value per site "
            f"({0 if values is None else len(values)} for {k} sites)"
        )
    return [float(v) for v in values]


def functional_sites(
    data: SeqDataset,
    widths: Mapping[str, int] | int | None = None,
    min_effect: float | None = MIN_EFFECT,
    min_occupancy: float = MIN_OCCUPANCY,
) -> list[FunctionalSite]:
    """The planted sites that are ground truth in the data's domain.

    With per-site records (``meta["site_occupancy"]`` and ``meta["site_effect"]``) a
    site counts when ``occupancy >= min_occupancy`` and ``|effect| >= min_effect``,
    and carries the sign of its effect. Otherwise a site counts unless
    ``info["site_effects"]`` (TF -> |effect|) says its TF's effect is below
    ``min_effect``, with sign 0 (unknown). ``min_effect=None`` counts every planted
    site.

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
        When the data has no ``sites`` column, a site's width is unknown or the
        per-site records do not match the sites.
    """
    if "sites" not in data.meta.columns:
        raise DataError(
            "this data records no planted sites (meta['sites']); explainers are scored on simulated tasks only"
        )
    if widths is None:
        widths = site_widths(data)
    effects = data.info.get("site_effects") if min_effect is not None else None
    out: list[FunctionalSite] = []
    for i, sites in enumerate(data.meta["sites"]):
        sites = list(sites) if sites is not None else []
        occ = _per_site(data, "site_occupancy", i, len(sites)) if min_effect is not None else None
        eff = _per_site(data, "site_effect", i, len(sites)) if occ is not None else None
        for k, site in enumerate(sites):
            tf, start, width = _site_fields(site)
            sign = 0
            if occ is not None and eff is not None:
                if occ[k] < min_occupancy or abs(eff[k]) < min_effect:  # type: ignore[operator]
                    continue  # does not bind here, or binding changes nothing
                sign = 1 if eff[k] > 0 else -1
            elif effects is not None and tf in effects and effects[tf] < min_effect:
                continue  # a TF without effect in this domain: its site is not ground truth
            if width is None:
                width = widths if isinstance(widths, int) else widths.get(tf or "")
            if width is None:
                raise DataError(
                    f"site {site!r}: width of TF {tf!r} unknown; pass widths= or "
                    "keep the task's motifs in info['motifs']"
                )
            out.append(FunctionalSite(i, start, int(width), sign))
    return out


def site_mask(
    data: SeqDataset,
    widths: Mapping[str, int] | int | None = None,
    min_effect: float | None = MIN_EFFECT,
    min_occupancy: float = MIN_OCCUPANCY,
) -> np.ndarray:
    """Boolean (n, L): True at positions covered by a functional planted site
    (:func:`functional_sites`, same parameters)."""
    n, length = data.seqs.shape
    mask = np.zeros((n, length), dtype=bool)
    for site in functional_sites(data, widths, min_effect, min_occupancy):
        mask[site.row, max(0, site.start) : min(length, site.start + site.width)] = True
    return mask


def score_signs(
    importance: np.ndarray, sites: list[FunctionalSite], called: np.ndarray | None = None
) -> dict[str, float]:
    """Signed scores of ``importance`` over the functional sites with a known sign.

    Parameters
    ----------
    importance : numpy.ndarray, shape (n, L)
    sites : list of FunctionalSite
        Sites with sign 0 are ignored.
    called : numpy.ndarray, bool, shape (n, L), optional
        Positions that count (default all).

    Returns
    -------
    dict
        ``site_sign_agreement`` and ``site_sign_auroc`` (NaN without signed sites;
        the auROC also NaN when all signs agree), ``n_signed`` (sites scored).
    """
    imp = np.asarray(importance, dtype=np.float64)
    if called is not None:
        imp = np.where(np.asarray(called, dtype=bool), imp, 0.0)
    total = np.abs(imp).sum(axis=1)
    signed = [s for s in sites if s.sign != 0]
    summed = np.array([imp[s.row, max(0, s.start) : s.start + s.width].sum() for s in signed])
    labels = np.array([s.sign for s in signed])
    out = {"site_sign_agreement": float("nan"), "site_sign_auroc": float("nan"), "n_signed": len(signed)}
    if not signed:
        return out
    out["site_sign_agreement"] = float(np.mean(np.where(summed == 0, 0.5, np.sign(summed) == labels)))
    pos = labels > 0
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos and n_neg:
        rows = np.array([s.row for s in signed])
        scale = np.where(total[rows] > 0, total[rows], 1.0)
        ranks = rankdata(summed / scale)
        out["site_sign_auroc"] = float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
    return out


def _average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Average precision of one sequence, thresholds at distinct scores (sklearn's rule)."""
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the end of each tie group
    tp = np.cumsum(y)[last]
    precision = tp / (last + 1)
    recall = tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def score_sites(importance: np.ndarray, mask: np.ndarray, called: np.ndarray | None = None) -> dict[str, Any]:
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
    out: dict[str, Any] = {k: float(v[scored].mean()) if scored.any() else float("nan") for k, v in per.items()}
    out["n"] = int(scored.sum())
    out["per_sequence"] = per
    return out
