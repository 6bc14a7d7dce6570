"""``kmer_ridge`` fit before/after: sklearn ``RidgeCV`` + a ``Ridge`` per fold vs one
eigendecomposition (:mod:`rsbench_models.ridge_gcv`).

Before is the previous code path (float32 standardised counts into ``RidgeCV``, whose
leave-one-out hat diagonal costs n p^2 per penalty, then one ``Ridge`` fit per fold);
after is the shipped one. Same data, same folds; prints both fit times, their ratio
and the largest difference of the predicted means.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_kmer_ridge.py [--n 4000] [--length 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from regshift_bench.testing.toy import toy_dataset
from rsbench_models.baselines import KmerRidge


class LegacyKmerRidge(KmerRidge):
    """The pre-change mean fit: sklearn ``RidgeCV`` then ``Ridge`` per fold (float32 in)."""

    def _fit_mean(self, xs, y, folds):
        from sklearn.linear_model import Ridge, RidgeCV

        xs = xs.astype(np.float32)
        ridge = RidgeCV(alphas=np.asarray(self.alphas, dtype=float)).fit(xs, y)
        resid = np.empty_like(y)
        for f in np.unique(folds):
            part = Ridge(alpha=ridge.alpha_).fit(xs[folds != f], y[folds != f])
            resid[folds == f] = y[folds == f] - part.predict(xs[folds == f])
        return ridge.coef_.astype(np.float64), float(ridge.intercept_), float(ridge.alpha_), resid


def _fit(cls, train, val, test):
    start = time.perf_counter()
    model = cls().fit(train, val, rng=np.random.default_rng(0))
    return time.perf_counter() - start, model.predict(test).mean


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000, help="training sequences")
    ap.add_argument("--length", type=int, default=200, help="sequence length")
    args = ap.parse_args()
    train, val, test = (
        toy_dataset(args.n, args.length, 0),
        toy_dataset(50, args.length, 1),
        toy_dataset(500, args.length, 2),
    )
    before, m_before = _fit(LegacyKmerRidge, train, val, test)
    after, m_after = _fit(KmerRidge, train, val, test)
    print(f"kmer_ridge fit (k = 1..6, 2772 features), {args.n} sequences x {args.length} bp")
    print(f"before (RidgeCV + Ridge per fold): {before:7.2f} s")
    print(f"after  (one eigendecomposition):   {after:7.2f} s")
    print(f"speed-up before/after: {before / after:.2f}x; max |mean difference| {np.abs(m_before - m_after).max():.2e}")


if __name__ == "__main__":
    main()
