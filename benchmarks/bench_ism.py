"""``ism`` before/after: scoring mutants with ``predict`` vs ``predict_mean``.

Before: every mutant went through ``predict``, i.e. the CNN's 8 MC-dropout samples on
both strands (16 forward passes per mutant). After: ``predict_mean``, one eval-mode
pass per strand. Both are timed on the same fitted default-size ``cnn`` and the same
sequences; the script prints both wall times and their ratio.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_ism.py [--n 2] [--length 150]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from regshift_bench import get_plugin
from regshift_bench.api import Model, Prediction, SeqDataset
from regshift_bench.testing.toy import toy_dataset


class _PredictOnly(Model):
    """The pre-change path: a model whose point prediction is ``predict(...).mean``."""

    def __init__(self, inner: Model) -> None:
        self.inner = inner

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        return self.inner.predict(data, device=device)


def _time(explainer, model: Model, data: SeqDataset, repeats: int) -> tuple[float, np.ndarray]:
    best, attr = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        attr = explainer.explain(model, data, rng=np.random.default_rng(0))
        best = min(best, time.perf_counter() - start)
    return best, attr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2, help="sequences explained")
    ap.add_argument("--length", type=int, default=150, help="sequence length")
    ap.add_argument("--repeats", type=int, default=2, help="best of this many runs")
    ap.add_argument("--threads", type=int, default=1, help="torch threads")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    train, val = toy_dataset(256, args.length, 0), toy_dataset(64, args.length, 1)
    model = get_plugin("model", "cnn", epochs=1).fit(train, val, rng=np.random.default_rng(0))
    data = toy_dataset(args.n, args.length, 2)
    ism = get_plugin("explainer", "ism")
    before, _ = _time(ism, _PredictOnly(model), data, args.repeats)
    after, _ = _time(ism, model, data, args.repeats)
    mutants = args.n * 3 * args.length
    print(
        f"ism on default cnn (mc_dropout={model.mc_dropout}), {args.n} x {args.length} bp "
        f"= {mutants} mutants, torch {torch.__version__}, {args.threads} thread(s)"
    )
    print(f"before (predict):      {before:8.2f} s  ({mutants / before:8.0f} mutants/s)")
    print(f"after  (predict_mean): {after:8.2f} s  ({mutants / after:8.0f} mutants/s)")
    print(f"speed-up before/after: {before / after:.2f}x")


if __name__ == "__main__":
    main()
