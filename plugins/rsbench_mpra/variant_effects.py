"""Variant-effect sets and their scores: ref / alt rows in, effect metrics out.

A variant set is a :class:`SeqDataset` with two rows per variant: the ref and alt
windows on the + strand. Strand averaging is the model's own business, as for every
other test row: the built-in models are strand-symmetric (the networks average both
strands inside ``predict``, ``kmer_ridge`` counts canonical k-mers), so adding the
reverse complements would only predict every window twice. Its ``meta`` says
which is which (``variant_id``, ``allele`` = ref | alt, ``strand`` = +) and
carries the measured effect (``effect``, ``pvalue``), so the predicted effect can be
rebuilt from the predictions alone, also later from ``predictions/``. ``y`` is the
measured effect on alt rows and 0 on ref rows (the reference's effect on itself);
the set's ``info["row_metrics"]`` is False, so the runner does not score the rows as
ordinary examples.

Scores (per set, i.e. per element), with ``d`` = ``mean(alt) - mean(ref)`` and
``v`` = ``var(alt) + var(ref)`` (averaged over the strands present: sets stored by
earlier versions also hold ``-`` rows):

* ``effect_pearson`` / ``effect_spearman``: ``d`` against the measured effect;
* ``effect_sign_agreement``: fraction of variants with a significant measured
  effect (p < ``alpha``) whose predicted effect has the same sign;
* ``effect_coverage_90``: fraction of measured effects inside ``d ± 1.645 sqrt(v)``;
* ``effect_z2``: mean of ``(effect - d)² / v`` (1 is calibrated).

``v`` treats the alt and ref predictions as independent (their errors are in fact
positively correlated, so ``v`` is, if anything, too wide) and the two strands as
one estimate when both are present (averaging the variances, not dividing them by
two). The measured effect's own noise is not added: coverage and z² compare the
model's uncertainty with noisy measurements, as the row-level calibration metrics do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import rankdata

from regshift_bench.api import Prediction, SeqDataset
from regshift_bench.errors import MetricSkipped
from rsbench_mpra.variants import Variants, windows

#: The metrics of a variant set and whether higher is better (z²: lower, 1 is calibrated).
EFFECT_METRICS: dict[str, bool] = {
    "effect_pearson": True,
    "effect_spearman": True,
    "effect_sign_agreement": True,
    "effect_coverage_90": True,
    "effect_z2": False,
}
#: Half-width in σ of the central 90 % interval.
Z90 = float(ndtri(0.95))
_META = ("variant_id", "allele", "strand", "element", "effect", "pvalue", "position", "ref_allele", "alt_allele")


def is_variant_set(data: SeqDataset) -> bool:
    """Whether ``data`` was built by :func:`effect_set` or :func:`placeholder_set`."""
    return bool(data.info.get("variant_set"))


def effect_set(variants: Variants, element: str, width: int) -> SeqDataset:
    """The two rows per variant (ref+, alt+) of every variant in ``variants``.

    Parameters
    ----------
    variants : Variants
        The variants of one element (any subset).
    element : str
        Recorded in ``info`` and ``meta``.
    width : int
        Window length the model was trained on (see :func:`variants.windows`).

    Returns
    -------
    SeqDataset
        2n rows, in blocks ref+, alt+.
    """
    frame = variants.frame.reset_index(drop=True)
    n = len(frame)
    ref_w, alt_w = windows(variants, width)
    base = pd.DataFrame(
        {
            "variant_id": frame["variant_id"].to_numpy(),
            "element": element,
            "effect": frame["effect"].to_numpy(),
            "pvalue": frame["pvalue"].to_numpy(),
            "position": frame["pos"].to_numpy(),
            "ref_allele": frame["ref_allele"].to_numpy(),
            "alt_allele": frame["alt_allele"].to_numpy(),
        }
    )
    meta = pd.concat([base.assign(allele="ref"), base.assign(allele="alt")], ignore_index=True)
    y = np.concatenate([np.zeros(n), frame["effect"].to_numpy()])
    info = {"variant_set": True, "row_metrics": False, "element": element}
    plus = SeqDataset.from_strings(ref_w + alt_w, y, source=variants.source, meta=meta.assign(strand="+"), info=info)
    data = plus
    ids = data.meta["variant_id"] + "|" + data.meta["allele"] + "|" + data.meta["strand"]
    return data.with_values(meta=data.meta.assign(id=ids.to_numpy())[["id", *_META]])


def placeholder_set(reference: str, element: str, width: int, reason: str) -> SeqDataset:
    """One row (the element's central reference window) standing for a skipped element.

    The runner lists every set of a split; a skipped element keeps a name in the
    results this way, with each effect metric ``skipped`` and ``reason`` as error.
    """
    s = max(0, (len(reference) - width) // 2)
    meta = pd.DataFrame(
        {
            "id": [f"{element}|ref|+"],
            "variant_id": [""],
            "allele": ["ref"],
            "strand": ["+"],
            "element": [element],
            "effect": [np.nan],
            "pvalue": [np.nan],
            "position": [-1],
            "ref_allele": [""],
            "alt_allele": [""],
        }
    )
    info = {"variant_set": True, "row_metrics": False, "element": element, "skipped": reason}
    return SeqDataset.from_strings([reference[s : s + width]], [0.0], source=element, meta=meta, info=info)


def predicted_effects(data: SeqDataset, pred: Prediction) -> pd.DataFrame:
    """Per variant: predicted effect ``d``, its variance ``v``, measured effect and p-value.

    Rows without their partner allele on the same strand are ignored.
    """
    meta = data.meta
    rows = pd.DataFrame(
        {
            "v": meta["variant_id"].to_numpy(),
            "strand": meta["strand"].to_numpy(),
            "allele": meta["allele"].to_numpy(),
            "mean": np.asarray(pred.mean, np.float64),
            "var": np.asarray(pred.var, np.float64),
        }
    )
    ref = rows[rows["allele"] == "ref"].set_index(["v", "strand"])[["mean", "var"]]
    alt = rows[rows["allele"] == "alt"].set_index(["v", "strand"])[["mean", "var"]]
    ref, alt = ref.align(alt, join="inner", axis=0)
    pair = pd.DataFrame({"d": alt["mean"] - ref["mean"], "v": alt["var"] + ref["var"]})
    per = pair.groupby(level="v", sort=False).mean()
    measured = meta[meta["allele"] == "alt"].drop_duplicates("variant_id").set_index("variant_id")[["effect", "pvalue"]]
    return per.join(measured, how="inner")


def _corr(a: np.ndarray, b: np.ndarray) -> float | MetricSkipped:
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return MetricSkipped(
            "correlation needs >= 3 variants and non-constant predicted and "
            "measured effects (a model that ignores sequence predicts none)"
        )
    return float(np.corrcoef(a, b)[0, 1])


def effect_scores(effects: pd.DataFrame, alpha: float) -> dict[str, Any]:
    """The :data:`EFFECT_METRICS` of one set from :func:`predicted_effects`.

    Parameters
    ----------
    effects : pandas.DataFrame
        Columns ``d``, ``v``, ``effect``, ``pvalue``; one row per variant.
    alpha : float
        p-value below which a measured effect counts as significant.

    Returns
    -------
    dict
        Metric -> value, ``(value, higher_is_better)``, or :class:`MetricSkipped`
        with the reason it is undefined.
    """
    if len(effects) == 0:
        return {k: MetricSkipped("no variant to score") for k in EFFECT_METRICS}
    d = effects["d"].to_numpy(np.float64)
    v = np.maximum(effects["v"].to_numpy(np.float64), 1e-12)
    y = effects["effect"].to_numpy(np.float64)
    p = effects["pvalue"].to_numpy(np.float64)
    out: dict[str, Any] = {"effect_pearson": _corr(d, y), "effect_spearman": _corr(rankdata(d), rankdata(y))}
    sig = (p < alpha) & (y != 0)
    if np.isnan(p).all():
        out["effect_sign_agreement"] = MetricSkipped(
            "sign agreement needs p-values of the measured effects (set pvalue_column)"
        )
    elif not sig.any():
        out["effect_sign_agreement"] = MetricSkipped(f"no variant has a significant measured effect (p < {alpha:g})")
    else:
        out["effect_sign_agreement"] = float(np.mean(np.sign(d[sig]) == np.sign(y[sig])))
    z = (y - d) / np.sqrt(v)
    out["effect_coverage_90"] = float(np.mean(np.abs(z) <= Z90))
    out["effect_z2"] = (float(np.mean(z**2)), False)
    return out
