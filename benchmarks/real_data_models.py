"""Train the built-in models on HepG2 lentiMPRA and report held-out accuracy.

Reproduces the README's real-data table::

    RSBENCH_DATA_DIR=../shared/data python benchmarks/real_data_models.py \
        --models kmer_ridge cnn bilstm transformer cnn+motif cnn+gc --threads 2

Data: the registered ``mpra_hepg2`` task (``$RSBENCH_DATA_DIR/mpra/agarwal2025_lentimpra/
hepg2_folds9-10.tsv.gz``: 24,590 constructs = 12,295 elements x 2 orientations, 230 bp).
Split: exactly the harness's in-distribution split (the ``none`` shift with seed
``--split-seed``), grouped by ``locus`` so both orientations of an element and every
element sharing a 40-mer with it stay in one split; ``--train`` caps the training set.
Reports Pearson r (val, test), mean z^2 = (y - mu)^2 / var and the coverage of the
central 90% predictive interval on test, plus wall time and how training ended
(:class:`regshift_bench.api.FitReport`).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

import regshift_bench
from regshift_bench.api import Budget, SeqDataset, SplitSizes, fit_report


def load_splits(seed: int, train: int | None) -> tuple[SeqDataset, SeqDataset, SeqDataset]:
    """(train, val, test_id) of ``mpra_hepg2`` as the runner builds them (locus-grouped)."""
    task = regshift_bench.get_plugin("task", "mpra_hepg2")
    splits = regshift_bench.get_plugin("shift", "none").split(
        task, np.random.default_rng(seed), SplitSizes(train, None, None)
    )
    return splits.train, splits.val, splits.test_id


def scores(data: SeqDataset, pred: regshift_bench.api.Prediction) -> dict[str, float]:
    """Pearson r, mean z^2 and 90% interval coverage."""
    z2 = (data.y - pred.mean) ** 2 / pred.var
    return {
        "r": float(np.corrcoef(pred.mean, data.y)[0, 1]),
        "z2": float(z2.mean()),
        "cov90": float((z2 <= 1.6448536**2).mean()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["kmer_ridge", "cnn", "bilstm", "transformer"])
    ap.add_argument(
        "--params", default="{}", help='JSON: model name -> constructor params, e.g. \'{"cnn": {"epochs": 8}}\''
    )
    ap.add_argument("--seed", type=int, default=0, help="training seed")
    ap.add_argument("--split-seed", type=int, default=0)
    ap.add_argument("--train", type=int, default=None, help="cap on training examples")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=None)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    params = json.loads(args.params)
    train, val, test = load_splits(args.split_seed, args.train)
    print(
        f"# HepG2 lentiMPRA: train {len(train)}, val {len(val)}, test {len(test)}; "
        f"device {args.device}, {args.threads} threads",
        flush=True,
    )
    print("| model | params | val r | test r | test z2 | test cov90 | seconds |", flush=True)
    print("| --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for name in args.models:
        model = regshift_bench.get_plugin("model", name, **params.get(name, {}))
        t0 = time.perf_counter()
        model.fit(
            train,
            val,
            rng=np.random.default_rng(args.seed),
            device=args.device,
            budget=Budget(max_seconds=args.max_seconds),
        )
        seconds = time.perf_counter() - t0
        sv = scores(val, model.predict(val, device=args.device))
        st = scores(test, model.predict(test, device=args.device))
        report = fit_report(model)
        extra = (
            ""
            if report is None
            else (
                f"{report.epochs_run} epochs, {report.train_steps} steps, best epoch "
                f"{report.best_epoch}, stopped by {report.stopped_by}"
                + (" (UNDERTRAINED)" if report.undertrained else "")
            )
        )
        print(
            f"| {name} | {json.dumps(params.get(name, {}))} | {sv['r']:.3f} | {st['r']:.3f} | "
            f"{st['z2']:.2f} | {st['cov90']:.3f} | {seconds:.0f} |",
            flush=True,
        )
        if extra:
            print(f"#   {name}: {extra}", flush=True)


if __name__ == "__main__":
    main()
