"""Where a run's time goes: seconds inside cells by task and model, split into fitting,
predicting, drawing the shifted data and the rest (scoring, explaining, writing).

Reads a run directory (finished or still going) and prints one row per task x model:
the groups finished, the trainings (distinct trained models), and the hours of each
part summed over workers. For a run still going it also projects the remaining cell
time of each task x model from its finished groups (groups of one task and model run
the same cells, so their times are alike)::

    python benchmarks/run_time_breakdown.py runs/standard

The figures are time inside cells; divide by the worker count for wall time on an
otherwise idle machine (``benchmarks/run_wall_time.py`` measures the wall time itself).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from regshift_bench.results import read_manifest

PARTS = ("fit_seconds", "predict_seconds", "split_seconds")


def cell_times(run_dir: Path) -> pd.DataFrame:
    """One row per finished cell: task, model, seed, model key, its seconds and parts."""
    manifest = read_manifest(run_dir)
    rows = []
    for path in sorted((run_dir / "cells").glob("*.parquet")):
        cols = ["cell", "task", "model", "seed", "model_key", *PARTS]
        frame = pd.read_parquet(path, columns=cols).drop_duplicates("cell")
        rows.append(frame)
    if not rows:
        return pd.DataFrame(columns=["cell", "task", "model", "seed", "model_key", *PARTS, "seconds"])
    cells = pd.concat(rows, ignore_index=True)
    cells["seconds"] = [(manifest["cells"].get(c) or {}).get("seconds") or 0.0 for c in cells["cell"]]
    return cells


def planned_groups(run_dir: Path) -> pd.DataFrame:
    """Planned cells per (task, model, seed) group, from the manifest's plan."""
    plan = pd.DataFrame(read_manifest(run_dir)["plan"])
    return plan.groupby(["task", "model", "seed"]).size().rename("planned").reset_index()


def breakdown(run_dir: Path) -> pd.DataFrame:
    """Hours by task x model: finished, fit, predict, split, other, projected remainder."""
    cells = cell_times(run_dir)
    plan = planned_groups(run_dir)
    done = cells.groupby(["task", "model", "seed"]).size().rename("done").reset_index()
    groups = plan.merge(done, how="left", on=["task", "model", "seed"]).fillna({"done": 0})
    groups["finished"] = groups["done"] >= groups["planned"]
    out = []
    for (task, model), g in groups.groupby(["task", "model"]):
        mine = cells[(cells.task == task) & (cells.model == model)]
        total = mine["seconds"].sum()
        parts = {p: mine[p].fillna(0).sum() for p in PARTS}
        finished = g[g.finished]
        per_group = (
            mine[mine.seed.isin(finished.seed)]["seconds"].sum() / len(finished) if len(finished) else float("nan")
        )
        left = float((g["planned"] - g["done"]).clip(lower=0).sum() / g["planned"].iloc[0])
        out.append(
            {
                "task": task,
                "model": model,
                "groups": f"{len(finished)}/{len(g)}",
                "trainings": mine["model_key"].nunique(),
                "cell_h": total / 3600,
                "fit_h": parts["fit_seconds"] / 3600,
                "predict_h": parts["predict_seconds"] / 3600,
                "split_h": parts["split_seconds"] / 3600,
                "other_h": (total - sum(parts.values())) / 3600,
                "projected_left_h": per_group * left / 3600,
            }
        )
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run_dir", type=Path)
    args = ap.parse_args()
    table = breakdown(args.run_dir)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"\ncell time so far: {table['cell_h'].sum():.2f} h; projected remaining cell time "
        f"(task x model with a finished group): {table['projected_left_h'].sum(min_count=1):.2f} h; "
        f"task x model with no finished group yet: "
        f"{int(table['projected_left_h'].isna().sum())}"
    )


if __name__ == "__main__":
    main()
