"""Time the leaderboard on a synthetic run, and its plugin-path bootstrap against the old one.

Usage::

    python benchmarks/bench_leaderboard.py [--dir /tmp/rsbench-bench-lb] [--n-boot 1000]
                                           [--tasks 1] [--seeds 2] [--scale 1.0] [--rebuild]

The run directory is written once by
:func:`regshift_bench.testing.synthetic_run.write_synthetic_run` (``--tasks`` x 25
shift/severity conditions x 10 models x ``--seeds`` cells, every registered metric
scored through the plugins; untimed, reused on later calls) and then timed:

* ``read``: reading every Parquet file of the run (results, curves, all predictions);
* ``bootstrap``: :func:`regshift_bench.leaderboard.ranks.boot_scores` (the paired
  bootstrap through the metric plugins) for several ranking metrics, against the
  leaderboard's former moment formulas (``_legacy_bootstrap.py``) on the
  same predictions; printed with their ratio (new / old);
* ``tables``: loading, seed aggregation, bootstrap and the five tables of every task in
  four text formats; ``publish``: plus every plot and the HTML report.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RSBENCH_DISABLE_PLUGIN_AUTOLOAD", "1")

import numpy as np  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from rich.console import Console  # noqa: E402

from regshift_bench.bootstrap import resolve_metric  # noqa: E402
from regshift_bench.leaderboard import (  # noqa: E402
    build_leaderboard,
    load_runs,
    publish,
    render_csv,
    render_json,
    render_markdown,
    terminal_renderables,
)
from regshift_bench.leaderboard.aggregate import aggregate  # noqa: E402
from regshift_bench.leaderboard.ranks import boot_scores, group_rng  # noqa: E402
from regshift_bench.testing.synthetic_run import write_synthetic_run  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import _legacy_bootstrap as legacy  # noqa: E402

MODELS = (
    "mean",
    "cnn",
    "cnn+motif",
    "cnn+gc",
    "bilstm",
    "bilstm+motif",
    "transformer",
    "transformer+motif",
    "ridge",
    "gbm",
)
SHIFTS = {"none": (0.0,), **{f"shift_{c}": (0.25, 0.5, 1.0) for c in "abcdefgh"}}
RANK_METRICS = ("pearson", "mse", "nll", "spearman", "aurc")


def build_run(path: Path, tasks: int, seeds: int, scale: float) -> None:
    """Write (or reuse) the synthetic run."""
    params = {"n_test": int(1020 * scale), "n_val": int(250 * scale), "seeds": seeds, "tasks": tasks, "v": 2}
    stamp = path / "bench.json"
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return
    t0 = time.perf_counter()
    write_synthetic_run(
        path,
        tasks=tuple(f"sim_{i}" for i in range(tasks)),
        shifts=SHIFTS,
        models=MODELS,
        seeds=seeds,
        n_test=params["n_test"],
        n_val=params["n_val"],
        per_cell_files=False,
        run_name="bench",
    )
    stamp.write_text(json.dumps(params))
    print(f"wrote synthetic run in {time.perf_counter() - t0:.1f} s (untimed)")


def read_everything(path: Path) -> float:
    t0 = time.perf_counter()
    pq.read_table(path / "results.parquet")
    pq.read_table(path / "curves.parquet")
    for p in sorted((path / "predictions").glob("*.parquet")):
        pq.read_table(p)
    return time.perf_counter() - t0


def legacy_boot(runs, task, metric, conds, models, n_boot) -> float:  # type: ignore[no-untyped-def]
    """Seconds of the pre-issue-15 bootstrap over the same groups (predictions read too)."""
    plan = runs.plan.loc[(runs.plan["task"] == task) & (runs.plan["status"] == "ok")]
    t0 = time.perf_counter()
    for cond in conds:
        rows = plan.loc[(plan["shift"] == cond.shift) & (plan["severity"] == cond.severity)]
        for seed, group in rows.groupby("seed"):
            data = {}
            for model, src, cell in group[["model", "src", "cell"]].itertuples(index=False):
                pred = runs.predictions(int(src), str(cell), cond.split)
                data[model] = tuple(np.asarray(pred[c], np.float64) for c in ("y", "mean", "var"))
            rng = group_rng(0, task, cond.shift, cond.severity, cond.split, int(seed))
            legacy.paired_bootstrap(data, metric, n_boot=n_boot, rng=rng)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "rsbench-bench-lb")
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0, help="example counts x this")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and (args.dir / "bench.json").exists():
        (args.dir / "bench.json").unlink()
    build_run(args.dir, args.tasks, args.seeds, args.scale)

    t_read = read_everything(args.dir)
    runs = load_runs([args.dir])
    agg = aggregate(runs)
    task = agg.tasks()[0]
    conds, models = agg.conditions(task), agg.models(task)
    print(
        f"bootstrap of one task ({len(conds)} conditions x {len(models)} models x "
        f"{args.seeds} seeds, n_boot {args.n_boot}):"
    )
    resolve_metric(RANK_METRICS[0])  # load the plugin set (imports torch) before timing
    for metric in RANK_METRICS:
        t0 = time.perf_counter()
        boot_scores(runs, task, metric, agg.higher_is_better(metric), conds, models, n_boot=args.n_boot)
        t_new = time.perf_counter() - t0
        t_old = legacy_boot(runs, task, metric, conds, models, args.n_boot)
        print(f"  {metric:<10} plugins {t_new:7.2f} s   former       {t_old:7.2f} s   ratio {t_new / t_old:5.2f}")

    t0 = time.perf_counter()
    lb = build_leaderboard([args.dir], n_boot=args.n_boot)
    t_build = time.perf_counter() - t0
    console = Console(file=io.StringIO(), width=200, color_system=None)
    for item in terminal_renderables(lb):
        console.print(item)
    render_markdown(lb)
    render_csv(lb)
    json.dumps(render_json(lb))
    t_tables = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as out:
        t1 = time.perf_counter()
        publish(lb, out)
        t_plots = time.perf_counter() - t1
    print(f"read all Parquet files      {t_read:7.2f} s   (ratio 1.00)")
    print(f"load+aggregate+bootstrap    {t_build:7.2f} s   (ratio {t_build / t_read:.2f})")
    print(f"tables in 4 text formats    {t_tables:7.2f} s   (ratio {t_tables / t_read:.2f})")
    print(f"publish (plots, html, ...)  {t_tables + t_plots:7.2f} s   (ratio {(t_tables + t_plots) / t_read:.2f})")


if __name__ == "__main__":
    main()
