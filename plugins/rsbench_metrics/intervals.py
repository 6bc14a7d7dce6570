"""Interval metrics: coverage gap, normalised width, worst-group coverage.

All read the central interval ``μ ± z·σ`` of nominal level 0.9 (an intervention that
produces a conformal interval encodes it in σ, see
:mod:`regshift_bench.api.intervention`).

* ``coverage_gap_90`` = |coverage − 0.9|: distance from nominal in either direction.
* ``width_norm_90`` = mean interval width / standard deviation of y in the split:
  sharpness on a scale comparable across assays (the width of the marginal interval
  of a calibrated Gaussian is 2·1.645 ≈ 3.29 on it).
* ``worst_group_coverage_90`` = the lowest coverage over declared groups: GC-content
  deciles of the split, plus the split's element classes (``meta["element_class"]``,
  lentiMPRA) or DREAM subsets (``meta["dream_subsets"]``, ``;``-separated) where the
  data carries them. Groups with fewer than ``min_group`` examples are not judged.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from regshift_bench.api import Metric, Prediction, SeqDataset
from regshift_bench.errors import MetricSkipped
from rsbench_metrics._base import Array, MomentMetric, validate
from rsbench_metrics.calibration import z_of

#: Per-example annotations that declare groups, and how a cell lists several.
GROUP_COLUMNS: dict[str, str | None] = {"element_class": None, "dream_subsets": ";"}


class CoverageGap90(MomentMetric):
    """|coverage − 0.9| of the central 90% interval (0 = nominal)."""

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return (np.abs(y - mean) <= z_of(0.9) * np.sqrt(var)).astype(np.float64)[None]

    def finalize(self, m: Array) -> Array:
        return np.abs(m[0] - 0.9)


class WidthNorm90(MomentMetric):
    """Mean width of the central 90% interval divided by the standard deviation of y."""

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset({"var"})
    undefined_when: ClassVar[str] = "y is constant in the split"

    def stats(
        self, y: Array, mean: Array, var: Array, y_true: Array | None = None, noise_var: Array | None = None
    ) -> Array:
        return np.stack([2 * z_of(0.9) * np.sqrt(var), y, y * y])

    def finalize(self, m: Array) -> Array:
        sd = np.sqrt(np.maximum(m[2] - m[1] ** 2, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sd > 0, m[0] / sd, np.nan)


def declared_groups(data: SeqDataset, n_gc: int = 10) -> dict[str, np.ndarray]:
    """Group name -> boolean mask (n,): GC deciles plus any :data:`GROUP_COLUMNS`.

    GC bins are equal-count (ties may merge bins); names read ``gc_decile_3`` etc.
    """
    gc = data.gc().astype(np.float64)
    order = np.argsort(gc, kind="stable")
    bins = np.empty(len(gc), dtype=np.int64)
    bins[order] = np.arange(len(gc)) * n_gc // max(len(gc), 1)
    groups = {f"gc_decile_{b + 1}": bins == b for b in range(n_gc)}
    for col, sep in GROUP_COLUMNS.items():
        if col not in data.meta.columns:
            continue
        values = data.meta[col].fillna("").astype(str)
        labels = values.str.split(sep) if sep else values.map(lambda v: [v])
        for name in sorted({x for parts in labels for x in parts if x}):
            groups[f"{col}={name}"] = labels.map(lambda parts, n=name: n in parts).to_numpy(bool)
    return groups


class WorstGroupCoverage90(Metric):
    """Lowest 90%-interval coverage over declared groups (GC deciles, element class, DREAM subset).

    Parameters
    ----------
    min_group : int
        Groups with fewer examples are not judged (their coverage is too noisy).
    """

    higher_is_better: ClassVar[bool] = True
    target: ClassVar[float | None] = 0.9
    needs: ClassVar[frozenset[str]] = frozenset({"var", "seqs", "meta"})  # groups: GC, meta columns

    def __init__(self, min_group: int = 10) -> None:
        self.min_group = min_group

    def __call__(self, data: SeqDataset, pred: Prediction, reference: Any = None) -> float:
        arr = validate(
            self.name or "worst_group_coverage_90",
            len(data),
            y=np.asarray(data.y, np.float64),
            mean=pred.mean,
            var=pred.var,
        )
        inside = np.abs(arr["y"] - arr["mean"]) <= z_of(0.9) * np.sqrt(arr["var"])
        covs = [float(inside[mask].mean()) for mask in declared_groups(data).values() if mask.sum() >= self.min_group]
        if not covs:
            raise MetricSkipped(f"no declared group holds {self.min_group} examples ({len(data)} in the split)")
        return min(covs)
