"""``prior_ridge``: ridge regression on a prior's features plus GC composition.

It tells a prior's value apart from the network's: if ``cnn+motif`` beats ``cnn`` but
``prior_ridge`` alone scores as well, the gain is the features, not their use by the
network (on simulated data the prior reads independent matrices, so neither is an
oracle; see :class:`rsbench_models.priors.MotifPrior`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import regshift_bench
from regshift_bench.api import Budget, Model, Prediction, Prior, SeqDataset
from regshift_bench.errors import DataError, PluginError
from rsbench_models.priors import GCPrior

VAR_FLOOR = 1e-6


class PriorRidge(Model):
    """Ridge on ``[prior features, GC, CpG, CpG o/e]``; cross-fitted residual variance.

    Parameters
    ----------
    prior : Prior or str, default "motif"
        The prior (an instance, or a registered prior name) whose features are used.
    with_gc : bool, default True
        Append the ``gc`` prior's three composition features.
    alphas : tuple of float
        Ridge penalties searched by efficient leave-one-out CV (``sklearn.RidgeCV``).
    cv_folds : int, default 5
        Folds for the out-of-fold residuals whose mean square is the (constant)
        aleatoric variance; the epistemic part is the ridge's parameter variance
        ``sigma^2 x (X'X + alpha I)^-1 x`` at each input, so it grows off the
        training data's feature range.

    Notes
    -----
    Features are standardised with training means and standard deviations.
    """

    closed_form = True  # no epochs: the budget does not cap this fit

    def __init__(
        self,
        prior: Prior | str = "motif",
        with_gc: bool = True,
        alphas: tuple[float, ...] = (0.1, 1.0, 10.0, 100.0, 1e3, 1e4),
        cv_folds: int = 5,
    ) -> None:
        self.prior, self.with_gc, self.alphas, self.cv_folds = prior, with_gc, alphas, cv_folds

    def _resolve(self) -> Prior:
        if isinstance(self.prior, Prior):
            return self.prior
        if isinstance(self.prior, str):
            return regshift_bench.get_plugin("prior", self.prior)
        raise PluginError(
            f"prior must be a Prior or a registered prior name, got {type(self.prior).__name__}",
            plugin=self.name or "prior_ridge",
        )

    def _x(self, data: SeqDataset) -> np.ndarray:
        parts = [np.asarray(self.prior_.features(data), dtype=np.float64)]
        if self.with_gc:
            parts.append(GCPrior().features(data).astype(np.float64))
        return np.column_stack(parts)

    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> PriorRidge:
        from sklearn.linear_model import Ridge, RidgeCV

        folds_n = int(self.cv_folds)
        if len(train) < 2 * folds_n:
            raise DataError(f"prior_ridge.fit: need at least {2 * folds_n} training sequences, got {len(train)}")
        self.prior_ = self._resolve()
        self.prior_.fit(train)
        x = self._x(train)
        y = train.y.astype(np.float64)
        sd = x.std(0)
        self.mu_, self.sd_ = x.mean(0), np.where(sd > 1e-12, sd, 1.0)
        xs = (x - self.mu_) / self.sd_
        ridge = RidgeCV(alphas=np.asarray(self.alphas, dtype=float)).fit(xs, y)
        self.coef_, self.intercept_ = ridge.coef_.astype(np.float64), float(ridge.intercept_)
        self.alpha_ = float(ridge.alpha_)
        folds = rng.permutation(len(y)) % folds_n
        resid = np.empty_like(y)
        for f in range(folds_n):
            part = Ridge(alpha=self.alpha_).fit(xs[folds != f], y[folds != f])
            resid[folds == f] = y[folds == f] - part.predict(xs[folds == f])
        self.sigma2_ = max(float(np.mean(resid**2)), VAR_FLOOR)
        xc = xs - xs.mean(0)
        self.cov_ = self.sigma2_ * np.linalg.pinv(xc.T @ xc + self.alpha_ * np.eye(xs.shape[1]))
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        if not hasattr(self, "coef_"):
            raise PluginError(
                "predict called before fit or load; fit the model first", plugin=self.name or "prior_ridge"
            )
        xs = (self._x(data) - self.mu_) / self.sd_
        epi = np.maximum(np.einsum("ij,jk,ik->i", xs, self.cov_, xs), 0.0)
        alea = np.full(len(data), self.sigma2_)
        return Prediction(xs @ self.coef_ + self.intercept_, alea + epi, alea, epi)

    def get_state(self) -> dict[str, Any]:
        if not hasattr(self, "coef_"):
            raise PluginError("get_state before fit", plugin=self.name or "prior_ridge")
        return {
            "mu": self.mu_,
            "sd": self.sd_,
            "coef": self.coef_,
            "cov": self.cov_,
            "intercept": self.intercept_,
            "alpha": self.alpha_,
            "sigma2": self.sigma2_,
            "prior_state": self.prior_.get_state() if hasattr(self.prior_, "get_state") else {},
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self.prior_ = self._resolve()
        if hasattr(self.prior_, "set_state"):
            self.prior_.set_state(state["prior_state"])
        for k in ("mu", "sd", "coef", "cov"):
            setattr(self, f"{k}_", np.asarray(state[k], dtype=np.float64))
        self.intercept_, self.alpha_ = float(state["intercept"]), float(state["alpha"])
        self.sigma2_ = float(state["sigma2"])
