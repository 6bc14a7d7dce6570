"""``kmer_ridge``'s one-eigendecomposition fit equals scikit-learn's SVD path."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV

from regshift_bench.testing.toy import toy_dataset
from rsbench_models.baselines import KmerRidge
from rsbench_models.ridge_gcv import centred_gram, fold_residuals, fold_sums, ridge_gcv


class SvdKmerRidge(KmerRidge):
    """Reference: ``RidgeCV(gcv_mode="svd")`` for the penalty, an SVD ``Ridge`` per fold."""

    def _fit_mean(self, xs, y, folds):
        ridge = RidgeCV(alphas=np.asarray(self.alphas, dtype=float), gcv_mode="svd").fit(xs, y)
        resid = np.empty_like(y)
        for f in np.unique(folds):
            part = Ridge(alpha=ridge.alpha_, solver="svd").fit(xs[folds != f], y[folds != f])
            resid[folds == f] = y[folds == f] - part.predict(xs[folds == f])
        return ridge.coef_, float(ridge.intercept_), float(ridge.alpha_), resid


@pytest.mark.parametrize("n, k_max", [(400, 3), (90, 4)])  # n > p (primal), n < p (dual)
def test_predictions_equal_the_svd_path(n, k_max):
    train, val, test = toy_dataset(n, 40, 0), toy_dataset(20, 40, 1), toy_dataset(50, 40, 2)
    fast = KmerRidge(k_max=k_max).fit(train, val, rng=np.random.default_rng(3))
    ref = SvdKmerRidge(k_max=k_max).fit(train, val, rng=np.random.default_rng(3))
    assert fast.alpha_ == ref.alpha_
    got, want = fast.predict(test), ref.predict(test)
    np.testing.assert_allclose(got.mean, want.mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(got.var, want.var, rtol=1e-8, atol=0)


def test_penalty_choice_follows_the_leave_one_out_error():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 30))
    y = x[:, 0] + rng.normal(size=200) * 0.1  # strong signal: the smallest penalty wins
    assert ridge_gcv(x, y, (1e-2, 1e2, 1e4))[2] == 1e-2
    noise = rng.normal(size=200)  # no signal: the largest penalty wins
    assert ridge_gcv(x, noise, (1e-2, 1e2, 1e4))[2] == 1e4


def test_fold_residuals_equal_separate_fits():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(120, 15)), rng.normal(size=120)
    folds = rng.permutation(120) % 4
    want = np.empty(120)
    for f in range(4):
        part = Ridge(alpha=3.0).fit(x[folds != f], y[folds != f])
        want[folds == f] = y[folds == f] - part.predict(x[folds == f])
    np.testing.assert_allclose(fold_residuals(x, y, folds, 3.0), want, rtol=0, atol=1e-10)


def test_gram_from_fold_sums_gives_the_same_fit():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(150, 12)) + 3.0, rng.normal(size=150)
    folds = rng.permutation(150) % 3
    xc = x - x.mean(0)
    sums = fold_sums(x, y, folds)
    np.testing.assert_allclose(centred_gram(sums), xc.T @ xc, rtol=1e-10, atol=1e-9)
    a, b = ridge_gcv(x, y, (0.1, 10.0)), ridge_gcv(x, y, (0.1, 10.0), gram=centred_gram(sums))
    np.testing.assert_allclose(a[0], b[0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        fold_residuals(x, y, folds, 1.0, sums=sums), fold_residuals(x, y, folds, 1.0), rtol=0, atol=1e-12
    )
