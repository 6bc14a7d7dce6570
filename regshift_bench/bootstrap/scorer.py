"""How one prediction is scored on resamples: the fastest path a metric offers.

See :mod:`regshift_bench.bootstrap` for the duck-typed paths (``prepare``/``resampled``,
``stats``/``finalize``, ``batched``, ``compute``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from regshift_bench.errors import DataError, MetricSkipped, PluginError

PredLike = Any  # a Prediction, or a (mean, var) pair of arrays


def batched_function(metric: str | Any) -> Callable[..., np.ndarray]:
    """The batched array function of a metric instance or registered name.

    Returns
    -------
    callable
        ``f(y, mean, var, y_true=None, noise_var=None) -> (B,)`` on (B, n) arrays;
        metrics without ``batched`` get a loop over ``compute``.
    """
    metric = _resolve(metric)
    if hasattr(metric, "batched"):
        return metric.batched
    if hasattr(metric, "compute"):
        return lambda *a, **k: _loop(metric, *a, **k)
    return lambda *a, **k: _call_loop(metric, *a, **k)


def _resolve(metric: str | Any) -> Any:
    if isinstance(metric, str):
        from regshift_bench.plugins import get_plugin

        metric = get_plugin("metric", metric)
    if not (hasattr(metric, "compute") or hasattr(metric, "batched") or _callable(metric)):
        raise PluginError(
            f"metric {getattr(metric, 'name', type(metric).__name__)!r} cannot score anything; "
            "a metric defines __call__(data, pred) (or the optional array functions "
            "compute/batched)",
            plugin=getattr(metric, "name", None),
        )
    return metric


def _callable(metric: Any) -> bool:
    """Whether ``metric`` overrides :meth:`Metric.__call__` (the plugin contract)."""
    from regshift_bench.api import Metric

    call = getattr(type(metric), "__call__", None)
    return call is not None and call is not Metric.__call__


def _name(metric: Any) -> str:
    return getattr(metric, "name", "") or type(metric).__name__


def _loop(metric: Any, *arrays: np.ndarray | None, **extra: Any) -> np.ndarray:
    arrays2 = [None if a is None else np.atleast_2d(a) for a in arrays]
    extra2 = {k: None if v is None else np.atleast_2d(v) for k, v in extra.items()}
    b = arrays2[0].shape[0]  # type: ignore[union-attr]
    return np.array(
        [
            metric.compute(
                *[None if a is None else a[i] for a in arrays2],
                **{k: None if v is None else v[i] for k, v in extra2.items()},
            )
            for i in range(b)
        ],
        dtype=np.float64,
    )


def _call_loop(metric: Any, *arrays: np.ndarray | None, **extra: Any) -> np.ndarray:
    """The plugin's ``__call__`` on each row of (B, n) arrays (the plugin-only path)."""
    from regshift_bench.bootstrap.examples import Examples, call_metric

    # arrays: y, mean, var[, y_true, noise_var], each (B, n) or None
    rows = [None if a is None else np.atleast_2d(a) for a in (*arrays, None, None)[:5]]
    ref = None
    if "reference_y" in extra:
        ref = [np.atleast_2d(extra[k]) for k in ("reference_y", "reference_mean", "reference_var")]
    return np.array(
        [
            call_metric(
                metric,
                Examples.of(*(None if a is None else a[i] for a in rows)),
                None if ref is None else Examples.of(ref[0][i], ref[1][i], ref[2][i]),
            )
            for i in range(rows[0].shape[0])  # type: ignore[union-attr]
        ],
        dtype=np.float64,
    )


def _as_pred(pred: PredLike) -> tuple[np.ndarray, np.ndarray]:
    if hasattr(pred, "mean") and hasattr(pred, "var") and not isinstance(pred, np.ndarray):
        return np.asarray(pred.mean, np.float64), np.asarray(pred.var, np.float64)
    mean, var = pred
    return np.asarray(mean, np.float64), np.asarray(var, np.float64)


def _arrays(name: str, n_expected: int | None = None, **arrays: Any) -> dict[str, np.ndarray | None]:
    out: dict[str, np.ndarray | None] = {}
    for key, value in arrays.items():
        if value is None:
            out[key] = None
            continue
        arr = np.asarray(value, dtype=np.float64).reshape(-1)
        if n_expected is not None and arr.shape[0] != n_expected:
            raise DataError(f"bootstrap of {name!r}: {key} has {arr.shape[0]} values, expected {n_expected}")
        if not np.isfinite(arr).all():
            bad = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise DataError(
                f"bootstrap of {name!r}: {key} is not finite at row {bad}; drop or impute missing values first"
            )
        out[key] = arr
    return out


class ResampleScorer:
    """Scores one prediction on blocks of resampling indices, by the fastest path.

    For callers that draw their own (shared) indices, e.g. the leaderboard ranking
    several models on the same resamples: ``scorer(idx)`` with ``idx`` int (b, n)
    returns the metric of each resample, (b,); ``scorer.full()`` the point value.
    Inputs must already be validated float64 (n,) arrays (see
    :func:`make_scorer`).
    """

    def __init__(
        self,
        metric: Any,
        y: np.ndarray,
        mean: np.ndarray,
        var: np.ndarray,
        y_true: np.ndarray | None,
        noise_var: np.ndarray | None,
        reference: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    ) -> None:
        self.metric, self.reference = metric, reference
        self.inputs = (y, mean, var, y_true, noise_var)
        self.stats: np.ndarray | None = None
        self.state: Any = None
        if reference is None and hasattr(metric, "prepare") and hasattr(metric, "resampled"):
            self.state = metric.prepare(y, mean, var, y_true, noise_var)
        elif reference is None and hasattr(metric, "stats") and hasattr(metric, "finalize"):
            self.stats = np.atleast_2d(metric.stats(y, mean, var, y_true, noise_var))

    def full(self) -> float:
        """The metric on the full sample (the point estimate)."""
        extra = self._extra(None)
        if hasattr(self.metric, "compute"):
            return float(self.metric.compute(*self.inputs, **extra))
        rows = [None if a is None else a[None] for a in self.inputs]
        extra = {k: v[None] for k, v in extra.items()}
        if hasattr(self.metric, "batched"):
            return float(self.metric.batched(*rows, **extra)[0])
        return float(_call_loop(self.metric, *rows, **extra)[0])

    def _extra(self, ref_idx: np.ndarray | None) -> dict[str, np.ndarray]:
        if self.reference is None:
            return {}
        ry, rmean, rvar = self.reference
        if ref_idx is None:
            return {"reference_y": ry, "reference_mean": rmean, "reference_var": rvar}
        return {"reference_y": ry[ref_idx], "reference_mean": rmean[ref_idx], "reference_var": rvar[ref_idx]}

    def __call__(self, idx: np.ndarray, ref_idx: np.ndarray | None = None) -> np.ndarray:
        return self.block(idx, ref_idx)

    def block(self, idx: np.ndarray, ref_idx: np.ndarray | None) -> np.ndarray:
        """Metric of resamples ``idx`` (b, n) [and reference resamples ``ref_idx``], (b,)."""
        if self.state is not None:
            return np.asarray(self.metric.resampled(self.state, idx), dtype=np.float64)
        if self.stats is not None:
            m = np.stack([s[idx].mean(axis=1) for s in self.stats])  # (k, b)
            return np.asarray(self.metric.finalize(m), dtype=np.float64)
        gathered = [None if a is None else a[idx] for a in self.inputs]
        extra = self._extra(ref_idx)
        if hasattr(self.metric, "batched"):
            return np.asarray(self.metric.batched(*gathered, **extra), dtype=np.float64)
        if hasattr(self.metric, "compute"):
            return _loop(self.metric, *gathered, **extra)
        return _call_loop(self.metric, *gathered, **extra)


def make_scorer(
    metric: str | Any,
    y: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    *,
    y_true: np.ndarray | None = None,
    noise_var: np.ndarray | None = None,
) -> ResampleScorer:
    """A validated :class:`ResampleScorer` for one prediction.

    Parameters
    ----------
    metric : str or Metric
    y, mean, var : array_like, shape (n,)
    y_true, noise_var : array_like, shape (n,), optional

    Raises
    ------
    DataError
        Non-finite input or mismatched lengths.
    """
    metric = _resolve(metric)
    name, needs = _name(metric), set(getattr(metric, "needs", ()))
    if "reference" in needs:
        raise MetricSkipped(f"metric {name!r} needs a reference split; use bootstrap_metric with reference=")
    a = _arrays(name, None, y=y)
    n = a["y"].shape[0]  # type: ignore[union-attr]
    a.update(
        _arrays(
            name,
            n,
            mean=mean,
            var=var,
            y_true=y_true if "y_true" in needs else None,
            noise_var=noise_var if "noise_var" in needs else None,
        )
    )
    return ResampleScorer(
        metric,
        a["y"],  # type: ignore[arg-type]
        a["mean"],  # type: ignore[arg-type]
        a["var"],  # type: ignore[arg-type]
        a["y_true"],
        a["noise_var"],
        None,
    )
