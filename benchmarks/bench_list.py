"""Time the CLI's start: ``rsbench list KIND`` and ``rsbench --help``, each in a fresh process.

Usage::

    python benchmarks/bench_list.py [--repeat 7] [--kind models] [--kind tasks] ...
                                    [--json]

Each command runs ``--repeat`` times in a new interpreter (``python -m
regshift_bench.cli``, the code ``rsbench`` runs), output discarded; the median and the
range of the wall times are printed in seconds. The listing builds the plugin set,
which registers the built-ins lazily, so it should cost little more than ``--help``;
``--json`` adds ``list KIND --json``, which loads every factory it lists. The times
are the machine's: run it on an idle one, and compare two versions on the same one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def wall_times(args: list[str], repeat: int) -> list[float]:
    """Seconds of ``python -m regshift_bench.cli ARGS`` in ``repeat`` fresh processes."""
    env = {**os.environ, "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "120"}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "regshift_bench.cli", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (median)")
    parser.add_argument("--kind", action="append", help="kinds to list (default: models)")
    parser.add_argument("--json", action="store_true", help="also time `list KIND --json`")
    opts = parser.parse_args()
    commands = [["--help"]] + [["list", kind] for kind in opts.kind or ["models"]]
    if opts.json:
        commands += [["list", kind, "--json"] for kind in opts.kind or ["models"]]
    print(f"python {sys.version.split()[0]}, {opts.repeat} runs each, wall seconds")
    for args in commands:
        times = wall_times(args, opts.repeat)
        print(
            f"rsbench {' '.join(args):<24} median {statistics.median(times):6.3f}  "
            f"min {min(times):6.3f}  max {max(times):6.3f}"
        )


if __name__ == "__main__":
    main()
