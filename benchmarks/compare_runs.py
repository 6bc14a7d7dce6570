"""Do two run directories hold the same numbers for the cells they share?

A published leaderboard is drawn from cells computed at one commit; when the code that
draws it is later than that, re-running a sample of the cells at the later commit and
comparing them with this script shows whether the later code still computes the same
values. Cells are matched by their id (which names what a cell computes, not when or
where it ran); every result value and every per-example prediction is compared, the
columns that time a cell or name its run, commit or device left out::

    rsbench run --task sim --model cnn --shift gc_shift --preset standard --seeds 1 \\
        --out runs/spot
    python benchmarks/compare_runs.py runs/standard runs/spot

It prints the number of shared cells, values compared and the largest difference, and
exits with status 1 when any value differs (``--atol`` sets the tolerance, 0 by
default: same plan, seeds and thread count on a CPU reproduce bit for bit).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from regshift_bench.results import computed_values

FOLDERS = ("cells", "predictions")


def _frame(path: Path) -> pd.DataFrame:
    """A cell file without its context columns, rows in a canonical order."""
    frame = computed_values(pd.read_parquet(path))
    keys = [
        c
        for c in frame.columns
        if pd.api.types.is_string_dtype(frame[c]) or isinstance(frame[c].dtype, pd.CategoricalDtype)
    ]
    keys += [c for c in ("row", "severity", "seed") if c in frame.columns and c not in keys]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True) if keys else frame


def _differences(a: pd.DataFrame, b: pd.DataFrame, atol: float) -> tuple[int, float, str]:
    """(values compared, largest absolute difference, first mismatch or "")."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return 0, float("inf"), f"columns or rows differ ({a.shape} vs {b.shape})"
    n, worst, first = 0, 0.0, ""
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        n += len(x)
        if np.issubdtype(x.dtype, np.number) and np.issubdtype(y.dtype, np.number):
            xf, yf = x.astype(float), y.astype(float)
            same_nan = np.isnan(xf) & np.isnan(yf)
            diff = np.where(same_nan, 0.0, np.abs(xf - yf))
            gap = float(np.nanmax(diff, initial=0.0)) if len(diff) else 0.0
            gap = float("inf") if np.isnan(diff).any() else gap
            worst = max(worst, gap)
            if gap > atol and not first:
                first = f"{col}: largest difference {gap:.3g}"
        elif (
            not (
                pd.Series(x).fillna("<NA>").astype(str).to_numpy() == pd.Series(y).fillna("<NA>").astype(str).to_numpy()
            ).all()
            and not first
        ):
            first = f"{col}: values differ"
            worst = float("inf")
    return n, worst, first


def compare(first: Path, second: Path, atol: float = 0.0) -> dict[str, object]:
    """Compare every file of the cells both run directories finished.

    Returns
    -------
    dict
        ``cells`` (shared cell ids compared), ``values``, ``max_abs_diff`` and
        ``mismatches`` (list of "folder/cell: what differs").
    """
    shared = sorted(
        {p.stem for p in (first / "cells").glob("*.parquet")} & {p.stem for p in (second / "cells").glob("*.parquet")}
    )
    values, worst, mismatches = 0, 0.0, []
    for cell in shared:
        for folder in FOLDERS:
            pa_, pb = first / folder / f"{cell}.parquet", second / folder / f"{cell}.parquet"
            if pa_.exists() != pb.exists():
                mismatches.append(f"{folder}/{cell}: present in only one run")
                continue
            if not pa_.exists():
                continue
            n, gap, what = _differences(_frame(pa_), _frame(pb), atol)
            values += n
            worst = max(worst, gap)
            if what:
                mismatches.append(f"{folder}/{cell}: {what}")
    return {"cells": len(shared), "values": values, "max_abs_diff": worst, "mismatches": mismatches}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--atol", type=float, default=0.0)
    args = parser.parse_args(argv)
    for run in (args.first, args.second):
        if not (run / "cells").is_dir():
            print(f"{run}: not a run directory (no cells/); give the --out of `rsbench run`", file=sys.stderr)
            return 2
    out = compare(args.first, args.second, args.atol)
    print(
        f"{out['cells']} shared cells, {out['values']} values compared, largest absolute "
        f"difference {out['max_abs_diff']:.3g}"
    )
    for line in out["mismatches"][:20]:
        print(f"  differs: {line}")
    if not out["cells"]:
        print("no cell in common: nothing compared")
        return 1
    return 1 if out["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
