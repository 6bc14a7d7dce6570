"""Explainer throughput: sequences explained per second, per method, on CPU.

A ``cnn`` (default size, briefly fitted: speed does not depend on the weights) and a
``kmer_ridge`` explain simulated 200 bp sequences with every registered explainer
that applies; prints sequences/s and the cost of ``explain_n`` sequences::

    OMP_NUM_THREADS=1 python benchmarks/bench_explainers.py --n 32 --threads 1
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from regshift_bench import get_plugin, plugins


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=32, help="sequences explained per method")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--models", nargs="+", default=["cnn", "kmer_ridge"])
    ap.add_argument("--explain-n", type=int, default=200, help="report the cost of this many")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    task = get_plugin("task", "sim")
    rng = np.random.default_rng(0)
    cfg = task.config()
    train, test = task.sample(cfg, 256, rng), task.sample(cfg, args.n, rng)
    names = plugins.current().registry.names("explainer")
    print(f"{'model':<12} {'explainer':<22} {'seq/s':>8} {'s per ' + str(args.explain_n):>10}")
    for model_name in args.models:
        model = get_plugin("model", model_name, **({"epochs": 1} if model_name == "cnn" else {}))
        model.fit(train, train, rng=np.random.default_rng(0))
        for name in names:
            explainer = get_plugin("explainer", name)
            if explainer.applicable(model):
                print(f"{model_name:<12} {name:<22} {'n/a':>8}")
                continue
            start = time.perf_counter()
            explainer.explain(model, test, rng=np.random.default_rng(0))
            rate = args.n / (time.perf_counter() - start)
            print(f"{model_name:<12} {name:<22} {rate:8.1f} {args.explain_n / rate:10.1f}", flush=True)


if __name__ == "__main__":
    main()
