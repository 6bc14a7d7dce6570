"""Before/after of the organism-aware, robustly scaled motif prior on real data.

Not a test and not part of ``make bench``: it trains small models. Usage::

    RSBENCH_DATA_DIR=... python benchmarks/motif_prior_before_after.py \\
        --train 2000 --test 1000 --epochs 3

For ``dream_yeast`` and ``mpra_wtc11`` (source split of the ``none`` shift; DREAM also
the ``public`` set of ``random_to_native``) it prints: Pearson r of a ridge on the
prior's features alone, the largest |z| of test features standardised with training
statistics, and (unless ``--no-cnn``) Pearson r of ``cnn`` and ``cnn+motif`` with the
old prior (``before``: 32 liver/promoter JASPAR vertebrate TFs, raw occupancies) and the
new one (``after``: panel and database from the task's organism / cell type, robust
scaling).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.linear_model import RidgeCV

import regshift_bench
from regshift_bench.api import Budget, SplitSizes
from rsbench_models.priors import LEGACY_NAMES, MotifPrior


def _priors() -> dict[str, MotifPrior]:
    before = MotifPrior(database="jaspar_vertebrates", names=LEGACY_NAMES, scaling="none")
    return {"before": before, "after": MotifPrior()}


def _r(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=2000)
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-cnn", action="store_true")
    args = ap.parse_args()
    sizes = SplitSizes(args.train, max(args.train // 8, 50), args.test)
    for task_name in ("dream_yeast", "mpra_wtc11"):
        task = regshift_bench.get_plugin("task", task_name)
        shift = "random_to_native" if task_name == "dream_yeast" else "none"
        splits = regshift_bench.get_plugin("shift", shift).split(task, np.random.default_rng(args.seed), sizes)
        tests = {"test_id": splits.test_id}
        if isinstance(splits.test_ood, dict) and "public" in splits.test_ood:
            tests["public"] = splits.test_ood["public"]
        for label, prior in _priors().items():
            t0 = time.perf_counter()
            prior.fit(splits.train)
            xtr = prior.features(splits.train).astype(np.float64)
            mu, sd = xtr.mean(0), np.where(xtr.std(0) > 1e-8, xtr.std(0), 1.0)
            ridge = RidgeCV(alphas=np.logspace(-1, 4, 11)).fit((xtr - mu) / sd, splits.train.y)
            out = [
                f"{task_name:12s} {label:6s} {prior.chosen_['database']:18s} "
                f"{prior.chosen_['panel']:7s} m={len(prior.motifs_):2d}"
            ]
            out.append(f"train max|z| {np.abs((xtr - mu) / sd).max():6.1f}")
            for name, data in tests.items():
                z = (prior.features(data) - mu) / sd
                out.append(
                    f"{name}: ridge r {_r(ridge.predict(z), data.y):+.3f} "
                    f"max|z| {np.abs(z).max():6.1f} "
                    f">10: {100 * (np.abs(z) > 10).any(1).mean():4.1f}%"
                )
            print(" | ".join(out), f"({time.perf_counter() - t0:.0f}s)", flush=True)
        if args.no_cnn:
            continue
        variants = {"cnn": None, **_priors()}
        for label, prior in variants.items():
            t0 = time.perf_counter()
            params = {} if prior is None else {"prior": prior}
            model = regshift_bench.get_plugin("model", "cnn", **params)
            model.fit(
                splits.train, splits.val, rng=np.random.default_rng(args.seed), budget=Budget(max_epochs=args.epochs)
            )
            scores = " ".join(f"{n} r {_r(model.predict(d).mean, d.y):+.3f}" for n, d in tests.items())
            name = "cnn" if prior is None else f"cnn+motif ({label})"
            print(f"{task_name:12s} {name:20s} {scores} ({time.perf_counter() - t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
