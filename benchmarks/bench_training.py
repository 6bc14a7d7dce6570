"""Overhead of the shared trainer against a bare PyTorch loop.

Trains the same network (``cnn`` defaults unless overridden) on the same resident
tensors for the same number of optimiser steps, once through ``CNN.fit`` (the
harness: y scaling, RC augmentation, one-cycle LR, gradient clipping, per-epoch
RC-averaged validation, best-checkpoint copies) and once with a minimal loop (AdamW +
``OneCycleLR``, precomputed one-hot batches, Gaussian NLL). Prints wall-time and
CPU-time ratios (harness / bare; target <= 1.10) and sequences per second, then the
cost of prediction with and without MC dropout::

    python benchmarks/bench_training.py --n 4096 --epochs 3 --threads 1
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from regshift_bench.api import Budget, SeqDataset
from rsbench_models import CNN
from rsbench_models.heads import gaussian_nll


def random_data(n: int, length: int, seed: int) -> SeqDataset:
    """Random sequences with a GC-driven signal (the content is irrelevant to speed)."""
    rng = np.random.default_rng(seed)
    seqs = rng.integers(0, 4, size=(n, length), dtype=np.uint8)
    gc = ((seqs == 1) | (seqs == 2)).mean(1)
    return SeqDataset(seqs, (4 * gc + rng.normal(0, 0.3, n)).astype(np.float32))


def bare_loop(model: CNN, train: SeqDataset, epochs: int, device: torch.device, seed: int) -> float:
    """The minimal loop; returns wall seconds (CPU seconds in a second value)."""
    torch.manual_seed(seed)
    net = model.build(0).to(device)
    x = torch.as_tensor(train.onehot(), device=device)
    mask = torch.ones(len(train), 1, train.seq_len, device=device)
    y = torch.as_tensor((train.y - train.y.mean()) / train.y.std(), device=device)
    steps = max(1, len(train) // model.batch_size)
    opt = torch.optim.AdamW(net.parameters(), lr=model.lr, weight_decay=model.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=model.lr, total_steps=epochs * steps, pct_start=0.25, cycle_momentum=False
    )
    gen = torch.Generator().manual_seed(seed)
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(len(train), generator=gen).to(device)
        for idx in perm.tensor_split(steps):
            mean, logvar = net(x[idx], mask[idx], None)
            loss = gaussian_nll(mean, logvar, y[idx], floor=model.var_floor)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return epochs * steps


def timed(fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4096, help="training sequences")
    ap.add_argument("--val", type=int, default=256, help="validation sequences")
    ap.add_argument("--length", type=int, default=230)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=2, help="alternating runs; best is kept")
    ap.add_argument("--predict", type=int, default=1024, help="sequences to predict")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    train, val = random_data(args.n, args.length, 0), random_data(args.val, args.length, 1)
    model = CNN(epochs=args.epochs, patience=args.epochs + 1)
    harness, bare = [], []
    for _ in range(args.repeats):  # alternate so load changes hit both alike
        harness.append(
            timed(
                lambda: model.fit(
                    train, val, rng=np.random.default_rng(0), device=args.device, budget=Budget(max_epochs=args.epochs)
                )
            )
        )
        bare.append(timed(lambda: bare_loop(model, train, args.epochs, dev, 0)))
    hw, hc = min(h[0] for h in harness), min(h[1] for h in harness)
    bw, bc = min(b[0] for b in bare), min(b[1] for b in bare)
    steps = model.fit_report_.train_steps
    print(
        f"device {args.device}, {args.threads} thread(s), n={args.n}, val={args.val}, "
        f"L={args.length}, epochs={args.epochs}, steps={steps}"
    )
    print(f"harness fit: {hw:.2f} s wall ({hc:.2f} s CPU), {args.n * args.epochs / hw:.0f} seqs/s")
    print(f"bare loop:   {bw:.2f} s wall ({bc:.2f} s CPU), {args.n * args.epochs / bw:.0f} seqs/s")
    print(f"ratio harness/bare: wall {hw / bw:.3f}, CPU {hc / bc:.3f} (target <= 1.10)")
    # Prediction cost of MC dropout (S thinned networks x 2 strands per sequence).
    test = random_data(args.predict, args.length, 2)
    for samples in (0, model.mc_dropout):
        model.mc_dropout = samples
        pw, pc = timed(lambda: model.predict(test, device=args.device))
        print(
            f"predict {args.predict} seqs, mc_dropout={samples}: {pw:.2f} s wall "
            f"({pc:.2f} s CPU), {1e3 * pc / args.predict:.2f} ms CPU per sequence"
        )


if __name__ == "__main__":
    main()
