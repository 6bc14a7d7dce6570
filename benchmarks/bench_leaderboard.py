"""Time the leaderboard on a synthetic run with ~1M result rows and ~10M prediction rows.

Usage::

    python benchmarks/bench_leaderboard.py [--dir /tmp/rsbench-bench-lb] [--n-boot 1000]
                                           [--scale 1.0] [--rebuild]

The run directory is written once by :func:`regshift_bench.leaderboard.synthetic.
write_synthetic_run` (4 tasks x 25 shift/severity conditions x 10 models x 4 seeds =
4,000 cells; untimed, reused on later calls) and then timed:

* ``read``: reading every Parquet file of the run (results, curves, all predictions),
  the floor any leaderboard has to beat if it looked at everything;
* ``tables``: loading, seed aggregation, the paired bootstrap (``--n-boot``) and the
  five tables of every task, rendered as terminal text, Markdown, CSV and JSON;
* ``publish``: the above plus every plot (SVG + PNG) and the HTML report.

Prints each time and its ratio to ``read``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RSBENCH_DISABLE_PLUGIN_AUTOLOAD", "1")

import pyarrow.parquet as pq  # noqa: E402
from rich.console import Console  # noqa: E402

from regshift_bench.leaderboard import (build_leaderboard, publish, render_csv,  # noqa: E402
                                        render_json, render_markdown, terminal_renderables)
from regshift_bench.testing.synthetic_run import write_synthetic_run  # noqa: E402

TASKS = ("sim_a", "sim_b", "sim_c", "sim_d")
MODELS = ("mean", "cnn", "cnn+motif", "cnn+gc", "bilstm", "bilstm+motif", "transformer",
          "transformer+motif", "ridge", "gbm")
SHIFTS = {"none": (0.0,), **{f"shift_{c}": (0.25, 0.5, 1.0) for c in "abcdefgh"}}
# 20 standard metrics + 65 more coverage levels = 85 metrics per split
EXTRA = [lv for lv in range(1, 100) if lv not in (50, 80, 90, 95)][:65]


def build_run(path: Path, scale: float) -> dict[str, object]:
    """Write (or reuse) the synthetic run; returns its parameters."""
    params = {"n_test": int(1020 * scale), "n_val": int(500 * scale), "seeds": 4, "v": 1}
    stamp = path / "bench.json"
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return params
    t0 = time.perf_counter()
    write_synthetic_run(path, tasks=TASKS, shifts=SHIFTS, models=MODELS, seeds=4,
                        n_test=params["n_test"], n_val=params["n_val"], extra_levels=EXTRA,
                        per_cell_files=False, consolidated=True, run_name="bench")
    stamp.write_text(json.dumps(params))
    print(f"wrote synthetic run in {time.perf_counter() - t0:.1f} s (untimed)")
    return params


def read_everything(path: Path) -> tuple[float, int, int]:
    """Seconds to read every Parquet file; result rows; prediction rows."""
    t0 = time.perf_counter()
    n_res = pq.read_table(path / "results.parquet").num_rows
    pq.read_table(path / "curves.parquet")
    n_pred = sum(pq.read_table(p).num_rows for p in sorted((path / "predictions").glob("*.parquet")))
    return time.perf_counter() - t0, n_res, n_pred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "rsbench-bench-lb")
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=1.0, help="example counts x this")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and (args.dir / "bench.json").exists():
        (args.dir / "bench.json").unlink()
    build_run(args.dir, args.scale)

    t_read, n_res, n_pred = read_everything(args.dir)
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
    read_rows = lb.runs.prediction_rows_read
    with tempfile.TemporaryDirectory() as out:
        t1 = time.perf_counter()
        publish(lb, out)
        t_plots = time.perf_counter() - t1
    print(f"result rows {n_res:,}; prediction rows {n_pred:,}; prediction rows the "
          f"leaderboard read {read_rows:,}; tasks {len(lb.boards)}; n_boot {args.n_boot}")
    print(f"read all Parquet files      {t_read:7.2f} s   (ratio 1.00)")
    print(f"load+aggregate+bootstrap    {t_build:7.2f} s   (ratio {t_build / t_read:.2f})")
    print(f"tables in 4 text formats    {t_tables:7.2f} s   (ratio {t_tables / t_read:.2f})")
    print(f"publish (plots, html, ...)  {t_tables + t_plots:7.2f} s   "
          f"(ratio {(t_tables + t_plots) / t_read:.2f})")


if __name__ == "__main__":
    main()
