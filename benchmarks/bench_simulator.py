"""Benchmark of the simulator (task ``sim``): throughput, memory, cost vs. a CNN epoch.

Prints sequences per second for N sequences (default 100k, L=200, 20 motifs)
generated in bounded-memory batches, the peak resident memory, and the ratio of
simulating N_ratio sequences to one training epoch of the built-in ``cnn`` on the
same sequences (target: below 0.1). Run::

    .venv/bin/python benchmarks/bench_simulator.py [--n 100000] [--ratio-n 10000] [--threads 1]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch

from regshift_bench import get_plugin
from regshift_bench.api import Budget
from regshift_bench.errors import RegshiftError


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def simulate_stream(task, n: int, batch: int, seed: int) -> float:
    """Simulate n sequences in batches (each dropped after use); return seconds."""
    config = task.config()
    rngs = np.random.default_rng(seed).spawn(-(-n // batch))
    start = time.perf_counter()
    done = 0
    for r in rngs:
        k = min(batch, n - done)
        data = task.sample(config, k, r)
        done += len(data)
        del data
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=8192, help="sequences held in memory at once")
    ap.add_argument("--seq-len", type=int, default=200)
    ap.add_argument("--motifs", type=int, default=20)
    ap.add_argument("--ratio-n", type=int, default=10_000, help="N for the simulation / CNN-epoch ratio")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    task = get_plugin("task", "sim", seq_len=args.seq_len, n_motifs=args.motifs)
    task.sample(task.config(), 64, np.random.default_rng(0))  # warm-up: thresholds, noise tables
    rss0 = peak_rss_mb()
    secs = simulate_stream(task, args.n, args.batch, seed=1)
    print(
        f"simulate: {args.n} sequences (L={args.seq_len}, {args.motifs} motifs, batches of {args.batch}, "
        f"{args.threads} thread(s)) in {secs:.1f} s = {args.n / secs:,.0f} seq/s"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MiB (before the run {rss0:.0f} MiB)")

    data = None
    t0 = time.perf_counter()
    data = task.sample(task.config(), args.ratio_n, np.random.default_rng(2))
    sim_secs = time.perf_counter() - t0
    val = task.sample(task.config(), 256, np.random.default_rng(3))
    try:
        model = get_plugin("model", "cnn")
    except RegshiftError as exc:
        print(f"ratio: unavailable (no built-in cnn: {exc})")
        return
    t0 = time.perf_counter()
    model.fit(data, val, rng=np.random.default_rng(0), budget=Budget(max_epochs=1))
    epoch_secs = time.perf_counter() - t0
    ratio = sim_secs / epoch_secs
    print(
        f"ratio: simulating {args.ratio_n} sequences {sim_secs:.2f} s / one cnn epoch on them "
        f"{epoch_secs:.2f} s = {ratio:.3f} (target < 0.1: {'met' if ratio < 0.1 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
