"""The :class:`Prediction` a model returns, and its validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regshift_bench.errors import PluginError


@dataclass(frozen=True, eq=False)
class Prediction:
    """A predictive Gaussian per example.

    Parameters
    ----------
    mean : numpy.ndarray, float64, shape (n,)
        Predictive mean.
    var : numpy.ndarray, float64, shape (n,)
        Total predictive variance (aleatoric + epistemic), strictly positive.
    aleatoric, epistemic : numpy.ndarray, shape (n,), optional
        The two parts of ``var`` when the model separates them.
    """

    mean: np.ndarray
    var: np.ndarray
    aleatoric: np.ndarray | None = None
    epistemic: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("mean", "var", "aleatoric", "epistemic"):
            value = getattr(self, name)
            if value is not None:
                # Shape is checked in `check`, where the plugin's name is known.
                object.__setattr__(self, name, np.asarray(value, dtype=np.float64))

    def __len__(self) -> int:
        return int(self.mean.shape[0])

    def check(self, n: int, *, plugin: str) -> Prediction:
        """Validate against the number of inputs; return self.

        Raises
        ------
        PluginError
            Naming ``plugin`` and the rule broken: wrong length or rank, NaN/inf,
            non-positive variance.
        """
        for name in ("mean", "var", "aleatoric", "epistemic"):
            arr = getattr(self, name)
            if arr is None:
                continue
            if arr.ndim != 1 or arr.shape[0] != n:
                raise PluginError(
                    f"prediction {name} has shape {arr.shape}, expected ({n},) for {n} inputs",
                    plugin=plugin,
                )
            if not np.isfinite(arr).all():
                bad = int(np.flatnonzero(~np.isfinite(arr))[0])
                raise PluginError(
                    f"prediction {name} is not finite at row {bad} ({arr[bad]}); "
                    "a model must return finite means and variances",
                    plugin=plugin,
                )
        if (self.var <= 0).any():
            bad = int(np.flatnonzero(self.var <= 0)[0])
            raise PluginError(
                f"prediction var must be > 0, got {self.var[bad]} at row {bad}; add a variance floor",
                plugin=plugin,
            )
        return self

    def subset(self, idx: np.ndarray) -> Prediction:
        """Rows ``idx`` as a new prediction."""

        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return Prediction(self.mean[idx], self.var[idx], take(self.aleatoric), take(self.epistemic))
