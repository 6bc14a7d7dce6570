"""Runner overhead: time outside model fit/predict as a fraction of the whole run.

Runs a preset (default: the `quick` preset of the `sim` suite) into a fresh
directory and prints, from the per-cell timings the runner records,

    overhead = 1 - (sum of fit + predict seconds) / wall seconds
    harness  = (wall - fit - predict - split seconds) / wall seconds

where the wall time covers planning, splitting/simulation, caching, metric
evaluation and writing, and the harness share leaves out the shifts' own data
generation (simulating or splitting; the `split_seconds` column). Target: harness
< 0.05. Peak RSS is printed too.

Usage: python benchmarks/bench_runner.py [--suite sim] [--preset quick] [--model cnn ...]
       python benchmarks/bench_runner.py --from-run runs/quick   # measure a finished run
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from regshift_bench import results, tasks
from regshift_bench.execute import run_plan
from regshift_bench.plan import expand


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="sim")
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--shift", action="append", default=[])
    parser.add_argument("--from-run", type=Path, help="read the timings of an existing run")
    args = parser.parse_args()
    if args.from_run:
        report_existing(args.from_run)
        return
    start = time.perf_counter()
    plan = expand([tasks.find_suite(args.suite)], args.preset, models=args.model, shifts=args.shift)
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_plan(plan, Path(tmp) / "run", device="cpu")
        wall = time.perf_counter() - start
        frame = results.read_results(Path(tmp) / "run")
    per_cell = frame.groupby("cell")[["fit_seconds", "predict_seconds", "split_seconds"]].first()
    model_time = float(per_cell[["fit_seconds", "predict_seconds"]].to_numpy().sum())
    data_time = float(per_cell["split_seconds"].sum())
    overhead = 1.0 - model_time / wall
    harness = (wall - model_time - data_time) / wall
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"suite={args.suite} preset={args.preset} cells={len(plan.cells)} failed={len(summary.failed)}")
    print(
        f"wall {wall:.1f}s  model fit+predict {model_time:.1f}s  data generation/splits "
        f"{data_time:.1f}s  peak RSS {rss_mb:.0f} MB"
    )
    print(
        f"outside fit/predict: {overhead:.3f} of the whole; of which harness (planning, "
        f"caching, evaluation, writing) {harness:.3f} (target < 0.05), "
        f"data generation {data_time / wall:.3f}"
    )


def report_existing(run_dir: Path) -> None:
    """Overhead of the last session of a run: its wall time (manifest ``sessions``)
    against the fit + predict seconds of the cells that session computed."""
    import json

    manifest = json.loads((run_dir / "manifest.json").read_text())
    frame = results.read_results(run_dir)
    per_cell = frame.groupby("cell")[["fit_seconds", "predict_seconds"]].first()
    session = len(manifest["sessions"]) - 1
    ran = [k for k, v in manifest["cells"].items() if v.get("session") == session]
    model_time = float(per_cell.loc[per_cell.index.isin(ran)].to_numpy().sum())
    wall = float(manifest["sessions"][-1]["seconds"])
    print(
        f"run={run_dir} cells={len(per_cell)} wall(last session) {wall:.1f}s "
        f"model fit+predict {model_time:.1f}s overhead fraction {1 - model_time / wall:.3f} "
        "(target < 0.05)"
    )


if __name__ == "__main__":
    main()
