"""Per-example arrays of one evaluated split, and the plugin call on them.

:class:`Examples` is what ``predictions/<cell>.parquet`` keeps of a split (y,
predictive mean and variance, and on simulated data y_true / noise_var).
:func:`call_metric` scores it exactly as the runner does: ``metric(data, pred)``,
plus ``reference=`` only when the metric's ``needs`` include ``"reference"``. It is
the default (plugin-only) path of every bootstrap; the array paths of
:mod:`regshift_bench.bootstrap.scorer` are optional speed-ups a metric may offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from regshift_bench.api import Prediction, SeqDataset
from regshift_bench.errors import BootstrapUnavailable, MetricSkipped


def _opt(values: Any) -> np.ndarray | None:
    """``values`` as float64 (n,), or None when absent or not all finite (real data)."""
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    return arr if arr.size and np.isfinite(arr).all() else None


@dataclass(frozen=True)
class Examples:
    """One split's per-example arrays.

    Attributes
    ----------
    y, mean, var : numpy.ndarray, float64, shape (n,)
        Measured activity, predictive mean and predictive variance.
    y_true, noise_var : numpy.ndarray, float64, shape (n,), or None
        Noise-free activity and noise variance; None where the data has none.
    """

    y: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    y_true: np.ndarray | None = None
    noise_var: np.ndarray | None = None

    @classmethod
    def of(cls, y: Any, mean: Any, var: Any, y_true: Any = None, noise_var: Any = None) -> Examples:
        """Arrays converted to float64 (n,); all-NaN truth columns become None."""

        def arr(v: Any) -> np.ndarray:
            return np.asarray(v, dtype=np.float64).reshape(-1)

        return cls(arr(y), arr(mean), arr(var), _opt(y_true), _opt(noise_var))

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def take(self, idx: np.ndarray) -> Examples:
        """The examples at ``idx`` (n_idx,), repeats allowed (one resample)."""
        return Examples(
            self.y[idx],
            self.mean[idx],
            self.var[idx],
            None if self.y_true is None else self.y_true[idx],
            None if self.noise_var is None else self.noise_var[idx],
        )

    def dataset(self) -> SeqDataset:
        """A :class:`SeqDataset` holding the values; sequences are not kept with
        predictions, so ``seqs`` is a placeholder column of A's (n, 1)."""
        return SeqDataset(
            np.zeros((len(self), 1), dtype=np.uint8), self.y, y_true=self.y_true, noise_var=self.noise_var
        )

    def prediction(self) -> Prediction:
        return Prediction(mean=self.mean, var=self.var)


def metric_value(metric: Any, value: Any) -> float:
    """The float of a metric's return value; a dict must hold the metric's own name."""
    if isinstance(value, dict):
        name = getattr(metric, "name", "")
        if name not in value:
            raise BootstrapUnavailable(
                f"metric {name!r} returns several values ({', '.join(map(str, value))}) and "
                "none under its own name; rank by a metric that returns one number"
            )
        value = value[name]
    return float(value)


def call_metric(metric: Any, ex: Examples, reference: Examples | None = None) -> float:
    """Score ``ex`` through the plugin's ``__call__``, as the runner does.

    Parameters
    ----------
    metric : Metric
    ex : Examples
        The scored split.
    reference : Examples, optional
        The in-distribution split of the same cell; passed only when
        ``"reference" in metric.needs``.

    Returns
    -------
    float
        NaN when the metric skips (undefined on this sample).
    """
    kwargs: dict[str, Any] = {}
    if "reference" in getattr(metric, "needs", ()):
        if reference is None:
            raise MetricSkipped(
                f"metric {getattr(metric, 'name', '')!r} needs the in-distribution split as reference; none was given"
            )
        kwargs["reference"] = (reference.dataset(), reference.prediction())
    try:
        return metric_value(metric, metric(ex.dataset(), ex.prediction(), **kwargs))
    except MetricSkipped:
        return float("nan")
