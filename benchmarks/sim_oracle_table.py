"""Print, for every simulator shift, the source oracle's Pearson r against the ceiling.

Usage::

    python benchmarks/sim_oracle_table.py [--severity 1.0] [--n 4000] [--seed 0] [--markdown]

One row per shift that applies to the default ``sim`` task: its kind, the Pearson r of
the source oracle (source mechanism on the shifted sequences) and of the noise
ceiling (``y_true``) with the measured ``y`` of ``test_ood``, their ratio, and
sd(y_true). Mechanism shifts should have ratio <= 0.95, covariate shifts ~1.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("RSBENCH_DISABLE_PLUGIN_AUTOLOAD", "1")

from regshift_bench import plugins  # noqa: E402
from regshift_bench.plugins import get_plugin  # noqa: E402
from rsbench_sim.diagnostics import oracle_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--severity", type=float, default=1.0)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    task = get_plugin("task", "sim")
    names = [e.name for e in plugins.current().registry.entries("shift") if e.name != "none"]
    rows = oracle_table(task, names, args.severity, args.n, args.seed)
    rows.sort(key=lambda r: (r["kind"], r["shift"]))
    cols = ["shift", "kind", "oracle_r", "ceiling_r", "ratio", "sd_y_true"]
    if args.markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
    else:
        print("  ".join(f"{c:>18}" for c in cols))
    for r in rows:
        cells = [r["shift"], r["kind"]] + [f"{r[c]:.3f}" for c in cols[2:]]
        print(("| " + " | ".join(cells) + " |") if args.markdown else "  ".join(f"{c:>18}" for c in cells))


if __name__ == "__main__":
    main()
