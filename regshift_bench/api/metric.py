"""The :class:`Metric` interface."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset
from regshift_bench.api.prediction import Prediction
from regshift_bench.errors import MetricSkipped

#: Fields a metric may need besides ``y`` and ``mean``; "reference" means the
#: in-distribution split and its prediction (``ood_auroc``); "seqs" and "meta" mean
#: the sequences or the per-example table (e.g. groups by GC or element class), which
#: stored predictions do not hold: such a metric is scored by the runner only, and the
#: leaderboard shows its recorded values without bootstrap intervals. "epistemic" means
#: the prediction's epistemic part (``ood_auroc_epistemic``), which the bootstrap's
#: per-example arrays (y, mean, total variance) do not carry either.
KNOWN_NEEDS = frozenset({"var", "y_true", "noise_var", "reference", "seqs", "meta", "epistemic"})
#: The needs that the bootstrap's stored per-example arrays cannot satisfy.
BEYOND_PREDICTIONS = frozenset({"seqs", "meta", "epistemic"})


class Metric(Configurable):
    """A score of a prediction against data.

    Attributes
    ----------
    higher_is_better : bool
        Direction of "better" (for target metrics: the direction a shift usually breaks).
    target : float or None
    needs : frozenset of str
        Subset of ``{"var", "y_true", "noise_var", "reference", "seqs", "meta",
        "epistemic"}``.
    table, label, table_order, number_format
        Where and how the leaderboard shows the metric (optional).
    """

    higher_is_better: ClassVar[bool] = False
    needs: ClassVar[frozenset[str]] = frozenset()
    #: The calibrated value for metrics whose best value is in the middle
    #: (``coverage_90`` -> 0.9, ``z2`` -> 1.0); None when "better" is monotone.
    target: ClassVar[float | None] = None
    #: Optional leaderboard metadata. ``table``: the table that shows the metric
    #: ("accuracy", "calibration", "selective"; None: CSV/JSON only); ``label``: its
    #: short name there; ``table_order``: its place (the accuracy table's first
    #: metric is the default ranking metric); ``number_format``: a format spec.
    table: ClassVar[str | None] = None
    label: ClassVar[str] = ""
    table_order: ClassVar[int] = 100
    number_format: ClassVar[str] = ""

    def __call__(
        self,
        data: SeqDataset,
        pred: Prediction,
        reference: tuple[SeqDataset, Prediction] | None = None,
    ) -> float | dict[str, float]:
        """Score ``pred`` on ``data``; a dict returns several named values."""
        raise NotImplementedError

    def curve(self, data: SeqDataset, pred: Prediction) -> pd.DataFrame | None:
        """Curve points for ``curves.parquet`` (columns ``x``, ``y``), or None."""
        return None

    def require(self, data: SeqDataset, reference: object = None) -> None:
        """Raise :class:`MetricSkipped` when a needed field is missing."""
        for field in ("y_true", "noise_var"):
            if field in self.needs and getattr(data, field) is None:
                raise MetricSkipped(f"metric {self.name!r} needs {field}, which this data lacks")
        if "reference" in self.needs and reference is None:
            raise MetricSkipped(f"metric {self.name!r} needs an in-distribution reference split")
