"""Train the built-in models on HepG2 lentiMPRA and report held-out accuracy.

Reproduces the README's real-data table::

    RSBENCH_DATA_DIR=../shared/data python benchmarks/real_data_models.py \
        --models kmer_ridge cnn bilstm transformer cnn+motif cnn+gc --threads 2

Data: ``$RSBENCH_DATA_DIR/mpra/agarwal2025_lentimpra/hepg2_folds9-10.tsv.gz``
(24,590 constructs = 12,295 elements x 2 orientations, 230 bp). Split: random
70/10/20 over ``pair_key`` (seed ``--split-seed``), so both orientations of an element
stay in the same split. Reports Pearson r (val, test), mean z^2 = (y - mu)^2 / var and
the coverage of the central 90% predictive interval on test, plus wall time.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
import torch

import regshift_bench
from regshift_bench.api import Budget, SeqDataset
from regshift_bench.paths import dataset_path

REL = "mpra/agarwal2025_lentimpra/hepg2_folds9-10.tsv.gz"


def load_splits(seed: int) -> tuple[SeqDataset, SeqDataset, SeqDataset]:
    """HepG2 data split 70/10/20 by ``pair_key``."""
    df = pd.read_csv(dataset_path(REL, what="HepG2 lentiMPRA subset"), sep="\t")
    data = SeqDataset.from_strings(df["seq"].tolist(), df["mean_value"].to_numpy(),
                                   source=REL, meta=df[["seq_id", "pair_key", "orientation"]])
    keys = df["pair_key"].unique()
    perm = np.random.default_rng(seed).permutation(len(keys))
    cut1, cut2 = int(0.7 * len(keys)), int(0.8 * len(keys))
    part = pd.Series(np.zeros(len(keys), dtype=int), index=keys[perm])
    part.iloc[cut1:cut2], part.iloc[cut2:] = 1, 2
    lab = part.loc[df["pair_key"]].to_numpy()
    return tuple(data.subset(np.flatnonzero(lab == i)) for i in range(3))  # type: ignore[return-value]


def scores(data: SeqDataset, pred: regshift_bench.api.Prediction) -> dict[str, float]:
    """Pearson r, mean z^2 and 90% interval coverage."""
    z2 = (data.y - pred.mean) ** 2 / pred.var
    return {"r": float(np.corrcoef(pred.mean, data.y)[0, 1]), "z2": float(z2.mean()),
            "cov90": float((z2 <= 1.6448536**2).mean())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["kmer_ridge", "cnn", "bilstm", "transformer"])
    ap.add_argument("--params", default="{}",
                    help='JSON: model name -> constructor params, e.g. \'{"cnn": {"epochs": 8}}\'')
    ap.add_argument("--seed", type=int, default=0, help="training seed")
    ap.add_argument("--split-seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=None)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    params = json.loads(args.params)
    train, val, test = load_splits(args.split_seed)
    print(f"# HepG2 lentiMPRA: train {len(train)}, val {len(val)}, test {len(test)}; "
          f"device {args.device}, {args.threads} threads", flush=True)
    print("| model | params | val r | test r | test z2 | test cov90 | seconds |", flush=True)
    print("| --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for name in args.models:
        model = regshift_bench.get_plugin("model", name, **params.get(name, {}))
        t0 = time.perf_counter()
        model.fit(train, val, rng=np.random.default_rng(args.seed), device=args.device,
                  budget=Budget(max_seconds=args.max_seconds))
        seconds = time.perf_counter() - t0
        sv = scores(val, model.predict(val, device=args.device))
        st = scores(test, model.predict(test, device=args.device))
        extra = getattr(model, "report_", "")
        print(f"| {name} | {json.dumps(params.get(name, {}))} | {sv['r']:.3f} | {st['r']:.3f} | "
              f"{st['z2']:.2f} | {st['cov90']:.3f} | {seconds:.0f} |", flush=True)
        if extra:
            print(f"#   {name}: {extra}", flush=True)


if __name__ == "__main__":
    main()
