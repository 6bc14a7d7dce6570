"""Non-neural baselines: ``mean``, ``gc_linear`` and ``kmer_ridge``.

They show what "trivial" scores on every shift. All keep their fitted state as numpy
arrays / floats (no pickle), so ``save``/``load`` round-trip exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regshift_bench.api import Budget, Model, Prediction, SeqDataset
from regshift_bench.errors import DataError, PluginError
from rsbench_models.kmers import kmer_counts
from rsbench_models.ridge_gcv import centred_gram, fold_residuals, fold_sums, ridge_gcv

VAR_FLOOR = 1e-6
#: E[log chi2_1] = psi(1/2) + log 2: the bias of log squared residuals as log-variances.
LOG_CHI2_BIAS = -1.2703628454614782


def _need_fit(model: Model, attr: str) -> None:
    if not hasattr(model, attr):
        raise PluginError(
            "predict called before fit or load; fit the model first", plugin=model.name or type(model).__name__
        )


def _check_train(train: SeqDataset, need: int, who: str) -> None:
    if len(train) < need:
        raise DataError(f"{who}.fit: need at least {need} training sequences, got {len(train)}")


class MeanBaseline(Model):
    """Predicts the training mean with the training variance for every input."""

    closed_form = True  # no epochs: the budget does not cap this fit

    def __init__(self) -> None:
        pass

    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> MeanBaseline:
        _check_train(train, 2, "mean")
        y = train.y.astype(np.float64)
        self.mean_, self.var_ = float(y.mean()), float(max(y.var(ddof=1), VAR_FLOOR))
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        _need_fit(self, "mean_")
        n = len(data)
        return Prediction(np.full(n, self.mean_), np.full(n, self.var_), np.full(n, self.var_), np.zeros(n))

    def get_state(self) -> dict[str, Any]:
        _need_fit(self, "mean_")
        return {"mean": self.mean_, "var": self.var_}

    def set_state(self, state: dict[str, Any]) -> None:
        self.mean_, self.var_ = float(state["mean"]), float(state["var"])


class GCLinear(Model):
    """Least-squares line from GC fraction to activity; constant residual variance.

    The variance is the training residual variance (ddof = 2) plus the line's own
    parameter uncertainty at each input's GC (the epistemic part), so it widens
    for GC values far from the training data.
    """

    closed_form = True  # no epochs: the budget does not cap this fit

    def __init__(self) -> None:
        pass

    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> GCLinear:
        _check_train(train, 3, "gc_linear")
        x = np.column_stack([np.ones(len(train)), train.gc()])
        y = train.y.astype(np.float64)
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ coef
        self.coef_ = coef
        self.sigma2_ = float(max(resid @ resid / max(len(y) - 2, 1), VAR_FLOOR))
        self.cov_ = self.sigma2_ * np.linalg.pinv(x.T @ x)
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        _need_fit(self, "coef_")
        x = np.column_stack([np.ones(len(data)), data.gc()])
        epi = np.einsum("ij,jk,ik->i", x, self.cov_, x)
        alea = np.full(len(data), self.sigma2_)
        return Prediction(x @ self.coef_, alea + epi, alea, epi)

    def get_state(self) -> dict[str, Any]:
        _need_fit(self, "coef_")
        return {"coef": self.coef_, "sigma2": self.sigma2_, "cov": self.cov_}

    def set_state(self, state: dict[str, Any]) -> None:
        self.coef_ = np.asarray(state["coef"], dtype=np.float64)
        self.sigma2_ = float(state["sigma2"])
        self.cov_ = np.asarray(state["cov"], dtype=np.float64)


class KmerRidge(Model):
    """Ridge regression on canonical k-mer counts with a learned variance model.

    Parameters
    ----------
    k_min, k_max : int, default 1, 6
        k-mer sizes counted (canonical: a k-mer and its reverse complement share a
        column; k = 1..6 gives 2772 features), standardised with training statistics.
    alphas : tuple of float
        Ridge penalties searched by efficient leave-one-out CV, all from one
        eigendecomposition (:mod:`rsbench_models.ridge_gcv`; the same choice and
        coefficients as ``sklearn.RidgeCV``, to rounding).
    var_k_max : int, default 2
        k-mers (k = 1..var_k_max) plus GC used by the variance model.
    cv_folds : int, default 3
        Out-of-fold residuals for the variance model come from this many folds of the
        training data, so the variance model sees residuals the mean model did not fit.

    Notes
    -----
    Variance model: ``RidgeCV`` on ``log(r**2)`` of the cross-fitted residuals ``r``,
    corrected by ``E[log chi2_1] = -1.27`` so ``exp(.)`` estimates the variance, then
    rescaled so the cross-fitted ``r**2 / var`` averages 1 (which removes the
    Gaussian-residual assumption from the overall scale); floored at 1e-6.
    """

    closed_form = True  # no epochs: the budget does not cap this fit

    def __init__(
        self,
        k_min: int = 1,
        k_max: int = 6,
        alphas: tuple[float, ...] = (1.0, 10.0, 100.0, 1e3, 1e4, 1e5),
        var_k_max: int = 2,
        cv_folds: int = 3,
    ) -> None:
        self.k_min, self.k_max, self.alphas = k_min, k_max, alphas
        self.var_k_max, self.cv_folds = var_k_max, cv_folds

    def _features(self, data: SeqDataset) -> tuple[np.ndarray, np.ndarray]:
        x = kmer_counts(data.seqs, tuple(range(int(self.k_min), int(self.k_max) + 1)))
        xv = np.column_stack([kmer_counts(data.seqs, tuple(range(1, int(self.var_k_max) + 1))), data.gc()]).astype(
            np.float32
        )
        return x, xv

    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> KmerRidge:
        from sklearn.linear_model import RidgeCV

        _check_train(train, 2 * int(self.cv_folds), "kmer_ridge")
        x, xv = self._features(train)
        y = train.y.astype(np.float64)
        # float64 statistics so predictions before save and after load agree exactly.
        x_sd, v_sd = x.std(0, dtype=np.float64), xv.std(0, dtype=np.float64)
        self.x_mu_, self.x_sd_ = x.mean(0, dtype=np.float64), np.where(x_sd > 0, x_sd, 1.0)
        self.v_mu_, self.v_sd_ = xv.mean(0, dtype=np.float64), np.where(v_sd > 0, v_sd, 1.0)
        xs = (x - self.x_mu_) / self.x_sd_
        del x
        folds = rng.permutation(len(y)) % int(self.cv_folds)
        self.coef_, self.intercept_, self.alpha_, resid = self._fit_mean(xs, y, folds)
        target = np.log(resid**2 + 1e-12) - LOG_CHI2_BIAS
        vs = (xv - self.v_mu_) / self.v_sd_
        var_model = RidgeCV(alphas=np.asarray(self.alphas, dtype=float)).fit(vs, target)
        self.v_coef_ = var_model.coef_.astype(np.float64)
        # Rescale so the cross-fitted z^2 averages 1: the chi2 correction above assumes
        # Gaussian residuals, and heavy tails would otherwise bias every variance.
        fitted = np.exp(np.clip(var_model.predict(vs), -30, 30))
        self.v_intercept_ = float(var_model.intercept_) + float(np.log(np.mean(resid**2 / fitted)))
        return self

    def _fit_mean(
        self, xs: np.ndarray, y: np.ndarray, folds: np.ndarray
    ) -> tuple[np.ndarray, float, float, np.ndarray]:
        """The mean model and its cross-fitted residuals.

        Parameters
        ----------
        xs : numpy.ndarray, float64, (n, p)
            Standardised k-mer counts.
        y : numpy.ndarray, float64, (n,)
        folds : numpy.ndarray of int, (n,)
            Fold of each row for the out-of-fold residuals.

        Returns
        -------
        coef (p,), intercept, alpha, residuals (n,)
            Penalty by leave-one-out error over ``alphas`` from one eigendecomposition
            (:func:`rsbench_models.ridge_gcv.ridge_gcv`); residuals of the fold fits at
            that penalty from per-fold Gram matrices.
        """
        sums = fold_sums(xs, y, folds)  # one pass of n p^2 serves both steps
        gram = centred_gram(sums) if len(y) > xs.shape[1] else None
        coef, intercept, alpha = ridge_gcv(xs, y, self.alphas, gram=gram)
        return coef, intercept, alpha, fold_residuals(xs, y, folds, alpha, sums=sums)

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        _need_fit(self, "coef_")
        x, xv = self._features(data)
        mean = ((x - self.x_mu_) / self.x_sd_) @ self.coef_ + self.intercept_
        logvar = ((xv - self.v_mu_) / self.v_sd_) @ self.v_coef_ + self.v_intercept_
        var = np.maximum(np.exp(np.clip(logvar, -30, 30)), VAR_FLOOR)
        return Prediction(mean, var)

    _STATE = ("x_mu_", "x_sd_", "v_mu_", "v_sd_", "coef_", "v_coef_")

    def get_state(self) -> dict[str, Any]:
        _need_fit(self, "coef_")
        state: dict[str, Any] = {k: np.asarray(getattr(self, k), dtype=np.float64) for k in self._STATE}
        state.update(intercept=self.intercept_, v_intercept=self.v_intercept_, alpha=self.alpha_)
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        for k in self._STATE:
            setattr(self, k, np.asarray(state[k], dtype=np.float64))
        self.intercept_, self.v_intercept_ = float(state["intercept"]), float(state["v_intercept"])
        self.alpha_ = float(state["alpha"])
