"""Noise ceilings: how well a second measurement of the same sequence agrees with the first.

No model can be expected to correlate with a measurement better than an
independent re-measurement does. Two ceilings are offered, each computed on the
rows of the split being scored and returned by ``Task.score`` as *reference rows*
(metric ``f"{reference}_{metric}"``, column ``reference``), which the leaderboard shows
beside the models, never ranked:

* ``replicate_ceiling`` (Sharpr, or any table with replicate columns):
  ``replicate_ceiling_pearson`` is the Spearman–Brown bound on the Pearson
  correlation any predictor can reach with the *mean* of k replicates (the label),
  ``sqrt(k r / (1 + (k - 1) r))`` with r = rep1 vs rep2 Pearson, so it compares
  directly with a model's ``pearson``; ``replicate_ceiling_spearman`` is rep1 vs rep2
  Spearman (conservative: no Spearman–Brown step); ``replicate_ceiling_pearson_single``
  is r itself (one replicate against another);
* ``orientation_ceiling`` (lentiMPRA forward vs reverse construct of one element):
  ``orientation_ceiling_pearson`` / ``_spearman`` between a row's activity and its
  opposite-orientation partner's. Orientation effects are real, so this is a loose
  upper bound rather than a pure replicate ceiling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MIN_ROWS = 5


def _corr(a: np.ndarray, b: np.ndarray) -> tuple[float, float] | None:
    """Pearson and Spearman on finite pairs; None when too few or constant."""
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if len(a) < MIN_ROWS or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(stats.pearsonr(a, b)[0]), float(stats.spearmanr(a, b)[0])


def replicate_ceiling(meta: pd.DataFrame) -> dict[str, float]:
    """Replicate agreement on the rows of ``meta`` (columns ``rep1``, ``rep2``, ...).

    Returns
    -------
    dict
        ``replicate_ceiling_pearson`` (Spearman–Brown bound for the replicate mean),
        ``replicate_ceiling_spearman`` and ``replicate_ceiling_pearson_single`` (rep1 vs
        rep2); empty when the replicates are absent or too few rows are finite.
    """
    reps = [c for c in meta.columns if c.startswith("rep") and c[3:].isdigit()]
    if len(reps) < 2:
        return {}
    got = _corr(meta["rep1"].to_numpy(float), meta["rep2"].to_numpy(float))
    if got is None:
        return {}
    r, rho = got
    k = len(reps)
    out = {"replicate_ceiling_pearson_single": r, "replicate_ceiling_spearman": rho}
    if r > 0:
        out["replicate_ceiling_pearson"] = float(np.sqrt(k * r / (1 + (k - 1) * r)))
    return out


def orientation_ceiling(y: np.ndarray, meta: pd.DataFrame) -> dict[str, float]:
    """Forward vs reverse agreement: ``y`` (n,) against ``meta["partner_y"]`` (n,).

    Each row with a measured opposite-orientation partner contributes the pair
    (own activity, partner's activity); rows without one are ignored.
    """
    if "partner_y" not in meta.columns:
        return {}
    got = _corr(np.asarray(y, float), meta["partner_y"].to_numpy(float))
    if got is None:
        return {}
    return {"orientation_ceiling_pearson": got[0], "orientation_ceiling_spearman": got[1]}
