"""Ridge regression for many penalties from one eigendecomposition.

:func:`ridge_gcv` picks the penalty by efficient leave-one-out error (generalised
cross-validation, as ``sklearn.linear_model.RidgeCV``) and :func:`fold_residuals`
gives the out-of-fold residuals of k ridge fits, both from Gram matrices computed
once. Per penalty ``a`` only O(n p) work remains: with ``Xc`` the centred design,
``Xc' Xc = V diag(e) V'`` and ``Z = Xc V``,

* coefficients ``V diag(1 / (e + a)) Z' yc``;
* hat diagonal ``h_i = sum_j Z_ij^2 / (e_j + a)``;
* leave-one-out residual ``(yc_i - fitted_i) / (1 - h_i - 1/n)`` (the ``1/n`` is
  the intercept's share of the hat matrix).

When n <= p the dual (``Xc Xc' = Q diag(e) Q'``) is decomposed instead. All
arithmetic is float64; results equal scikit-learn's SVD path to rounding.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg


def _leave_one_out(
    x: np.ndarray, y: np.ndarray, alphas: np.ndarray, gram: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean squared LOO error per alpha (A,) and coefficients (p, A) of centred ``x``."""
    n, p = x.shape
    yc = y - y.mean()
    if n > p:  # primal: decompose X'X (p x p)
        e, v = np.linalg.eigh(x.T @ x if gram is None else gram)
        basis = x @ v  # Z (n, p)
    else:  # dual: decompose X X' (n x n)
        e, basis = np.linalg.eigh(x @ x.T)  # Q (n, n)
    e = np.maximum(e, 0.0)  # round-off can leave tiny negative eigenvalues
    proj = basis.T @ yc
    scale = 1.0 / (e[:, None] + alphas[None, :])  # (r, A)
    if n > p:
        coefs = v @ (scale * proj[:, None])  # (p, A)
        weight = scale  # h = sum Z^2 / (e + a)
    else:
        coefs = x.T @ (basis @ (scale * proj[:, None]))  # X' (K + a)^-1 yc
        weight = e[:, None] * scale  # h = sum Q^2 e / (e + a)
    fitted = basis @ (weight * proj[:, None])  # (n, A)
    np.square(basis, out=basis)  # in place: one (n, r) buffer
    hat = basis @ weight  # (n, A)
    loo = (yc[:, None] - fitted) / (1.0 - hat - 1.0 / n)
    return np.mean(loo**2, axis=0), coefs


def ridge_gcv(
    x: np.ndarray, y: np.ndarray, alphas: tuple[float, ...] | np.ndarray, *, gram: np.ndarray | None = None
) -> tuple[np.ndarray, float, float]:
    """Ridge with intercept, penalty chosen by leave-one-out error.

    Parameters
    ----------
    x : numpy.ndarray, (n, p)
    y : numpy.ndarray, (n,)
    alphas : sequence of float > 0
        Candidates; ties go to the earlier one (as ``RidgeCV``).
    gram : numpy.ndarray, (p, p), optional
        The centred ``X'X`` when already known (see :func:`centred_gram`); saves one
        n p^2 product.

    Returns
    -------
    coef : numpy.ndarray, float64, (p,)
    intercept : float
    alpha : float
        The chosen penalty.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    mu = x.mean(axis=0)
    errors, coefs = _leave_one_out(x - mu, y, alphas, gram)
    best = int(np.argmin(errors))  # first minimum: the earlier alpha on a tie
    coef = coefs[:, best]
    return coef, float(y.mean() - mu @ coef), float(alphas[best])


FoldSums = dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, float, int]]


def fold_sums(x: np.ndarray, y: np.ndarray, folds: np.ndarray) -> FoldSums:
    """Per fold: X'X (p, p), column sums (p,), X'y (p,), sum of y, rows (uncentred)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return {int(f): _sums(x[folds == f], y[folds == f]) for f in np.unique(folds)}


def centred_gram(sums: FoldSums) -> np.ndarray:
    """The centred X'X (p, p) of all rows, from :func:`fold_sums`."""
    xx, sx, n = (sum(g[k] for g in sums.values()) for k in (0, 1, 4))
    return xx - np.outer(sx, sx) / n


def fold_residuals(
    x: np.ndarray, y: np.ndarray, folds: np.ndarray, alpha: float, *, sums: FoldSums | None = None
) -> np.ndarray:
    """Out-of-fold residuals of ridge fits (with intercept) leaving out each fold.

    Fold f's model is fitted on the other folds' rows; its Gram matrix is the total
    minus fold f's, so the n p^2 product is computed once, not once per fold.

    Parameters
    ----------
    x : numpy.ndarray, (n, p)
    y : numpy.ndarray, (n,)
    folds : numpy.ndarray of int, (n,)
        Fold label of each row; every fold must leave at least 2 rows to fit on.
    alpha : float
    sums : FoldSums, optional
        :func:`fold_sums` of the same arrays, when already computed.

    Returns
    -------
    numpy.ndarray, float64, (n,)
        ``y - prediction`` of the model that did not see the row.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    grams = fold_sums(x, y, folds) if sums is None else sums
    total = [sum(g[k] for g in grams.values()) for k in range(5)]
    resid = np.empty_like(y)
    eye = np.eye(x.shape[1])
    for f in grams:
        xx, sx, xy, sy, n = (t - g for t, g in zip(total, grams[f]))
        mu, ybar = sx / n, sy / n
        cov = xx - n * np.outer(mu, mu)  # centred X'X of the rest
        rhs = xy - n * mu * ybar  # centred X'y of the rest
        coef = scipy.linalg.solve(cov + alpha * eye, rhs, assume_a="pos")  # Cholesky
        rows = folds == f
        resid[rows] = y[rows] - (x[rows] @ coef + (ybar - mu @ coef))
    return resid


def _sums(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int]:
    """X'X (p, p), column sums (p,), X'y (p,), sum y, n of one block of rows."""
    return x.T @ x, x.sum(0), x.T @ y, float(y.sum()), len(y)  # x.T @ x: one BLAS syrk
