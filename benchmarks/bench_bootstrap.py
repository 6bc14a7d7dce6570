"""Time the per-example bootstrap: 1,000 resamples of 100k examples per metric.

Usage::

    python benchmarks/bench_bootstrap.py [--n 100000] [--n-boot 1000] [--metrics mse,aurc]

Prints, per metric, the wall and CPU seconds for the bootstrap, the seconds for one
plain evaluation on the full sample, and their ratio (the cost of one resample in units
of one evaluation is ratio / n_boot).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

os.environ.setdefault("RSBENCH_DISABLE_PLUGIN_AUTOLOAD", "1")

import regshift_bench  # noqa: E402
from regshift_bench.bootstrap import bootstrap_metric  # noqa: E402

DEFAULT = "mse,pearson,coverage_90,nll,spearman,aurc,miscal_area"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--metrics", default=DEFAULT)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    y_true = rng.normal(size=args.n)
    y = y_true + rng.normal(0, 0.5, size=args.n)
    mean = y_true + rng.normal(0, 0.3, size=args.n)
    # Rounded variances give ties, the slow case for rank-based metrics.
    var = np.round(0.25 + rng.gamma(2.0, 0.05, size=args.n), 3)

    print(f"n={args.n} n_boot={args.n_boot}")
    # CPU seconds are printed too: wall time on a shared machine overstates the cost.
    print(f"{'metric':<14}{'boot wall s':>12}{'boot cpu s':>11}{'single s':>10}{'ratio':>8}  estimate [95% CI]")
    for name in args.metrics.split(","):
        metric = regshift_bench.get_plugin("metric", name)
        t0 = time.perf_counter()
        single = metric.compute(y, mean, var)
        t_single = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        res = bootstrap_metric(metric, y, mean, var, n_boot=args.n_boot, random_state=args.seed)
        t_boot, c_boot = time.perf_counter() - t0, time.process_time() - c0
        assert np.isclose(res.estimate, single)
        print(
            f"{name:<14}{t_boot:>12.2f}{c_boot:>11.2f}{t_single:>10.4f}{t_boot / t_single:>8.0f}  "
            f"{res.estimate:.4f} [{res.low:.4f}, {res.high:.4f}]"
        )


if __name__ == "__main__":
    main()
