"""What keeping freed memory (``regshift_bench.memory``) saves on a real cell group.

Runs the same ``rsbench run`` twice in fresh processes, once as shipped and once with
:func:`regshift_bench.memory.retain_freed_memory` replaced by a no-op (glibc's
defaults; a process cannot undo the setting, hence the two processes), and prints
wall, user and system CPU seconds of each and the ratio::

    OMP_NUM_THREADS=1 python benchmarks/bench_malloc.py --out /tmp/bench-malloc

Defaults: one `legnet` group on `sim` at `standard`, shift `none`, cut to 60 steps.
The two runs' results are compared value by value (``benchmarks/compare_runs.py``):
only where memory comes from changes, so the largest difference must be 0.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_RUN = [
    "--task", "sim", "--shift", "none", "--preset", "standard", "--seeds", "1", "--max-steps", "60",
    "--model", "legnet(batch_size=128, epochs=10, lr=0.003, mc_dropout=0)",
]  # fmt: skip


def child(mode: str, run_args: list[str]) -> None:
    """Run the CLI in this process; with ``mode == "default"`` glibc keeps its defaults."""
    if mode == "default":
        import regshift_bench.memory as memory

        memory.retain_freed_memory = lambda: False  # type: ignore[assignment]
    from regshift_bench.cli.main import main as cli

    sys.argv = ["rsbench", "run", *run_args]
    cli()


def timed(mode: str, run_args: list[str]) -> tuple[float, float, float]:
    """Wall, user and system seconds of one child process."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    cmd = [sys.executable, __file__, "--child", mode, "--", *run_args]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - start, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-malloc"))
    parser.add_argument("--child", choices=["default", "retain"], help=argparse.SUPPRESS)
    parser.add_argument("run_args", nargs="*", help="rsbench run options (default: one legnet group)")
    args = parser.parse_args()
    run_args = args.run_args or DEFAULT_RUN
    if args.child:
        child(args.child, run_args)
        return
    times = {}
    for mode in ("default", "retain"):
        times[mode] = timed(mode, [*run_args, "--out", str(args.out / mode), "--overwrite"])
        wall, user, system = times[mode]
        print(f"{mode:8s} wall {wall:7.1f} s  user {user:7.1f} s  sys {system:6.1f} s")
    print(f"wall, glibc defaults / freed memory kept: {times['default'][0] / times['retain'][0]:.2f}")
    compare = Path(__file__).with_name("compare_runs.py")
    subprocess.run([sys.executable, str(compare), str(args.out / "default"), str(args.out / "retain")], check=False)


if __name__ == "__main__":
    main()
