"""Run directories: what may be written where, stale cells, and status from the files.

A run directory holds one plan (growing as it is resumed or extended). Cells are
the ground truth; the manifest is brought in line with them after every session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regshift_bench import results
from regshift_bench.errors import RegshiftError
from regshift_bench.plan import Plan
from regshift_bench.runner import cell_done


def stale_cells(previous: dict[str, Any], plan: Plan) -> set[str]:
    """Cells of the earlier plan computed from files whose contents have since changed.

    A cell of a file-backed task (a task file's table) is stale when ``plan`` has
    the same task (suite and label) reading other contents (``task_data``).
    """
    current = {(c.suite, c.task): c.task_data for c in plan.cells if c.task_data}
    return {
        e["cell"]
        for e in previous.get("plan", [])
        if e.get("task_data")
        and (e.get("suite"), e.get("task")) in current
        and current[(e.get("suite"), e.get("task"))] != e["task_data"]
    }


def drop_stale(previous: dict[str, Any], stale: set[str], run_dir: Path) -> None:
    """Forget ``stale`` cells: out of the manifest, their files deleted (they describe
    data that no longer exists, and would otherwise enter the leaderboard)."""
    if not stale:
        return
    previous["plan"] = [e for e in previous.get("plan", []) if e.get("cell") not in stale]
    previous["cells"] = {k: v for k, v in previous.get("cells", {}).items() if k not in stale}
    for cell in stale:
        for folder in ("cells", "predictions", "curves"):
            (run_dir / folder / f"{cell}.parquet").unlink(missing_ok=True)
        (run_dir / "predictions" / f"{cell}.references.parquet").unlink(missing_ok=True)


def check_run_dir(plan: Plan, run_dir: Path, overwrite: bool, merge: bool) -> dict[str, Any] | None:
    """The previous manifest of ``run_dir``, after refusing what would lose or mix work.

    Raises
    ------
    RegshiftError
        ``run_dir`` is a file, a non-empty folder that is not a run directory, or a
        run directory holding cells this plan lacks, while this plan has cells it
        lacks (two different plans; allowed with ``merge``).
    """
    if run_dir.exists() and not run_dir.is_dir():
        raise RegshiftError(f"--out {run_dir} is a file; a run needs a directory: pass a new or existing run directory")
    has_manifest = (run_dir / "manifest.json").exists()
    if run_dir.is_dir() and not has_manifest and any(run_dir.iterdir()):
        # Never write into, or --overwrite, a folder that is not a run directory.
        raise RegshiftError(
            f"--out {run_dir} is a non-empty directory but not a run directory (no manifest.json); pass a new directory"
        )
    if overwrite or not has_manifest:
        return None
    previous = results.read_manifest(run_dir)
    known = {e.get("cell") for e in previous.get("plan", [])} - stale_cells(previous, plan)
    ids = {c.cell for c in plan.cells}
    new = ids - known
    # A subset resumes; a superset extends the same run (more seeds, a suite whose data
    # arrived); anything else mixes two plans into one leaderboard: only with --merge.
    if new and not known <= ids and not merge:
        raise RegshiftError(
            f"{run_dir} holds a run of another plan ({len(new)} of {len(plan.cells)} cells "
            "are not in it); pass --merge to add them to that run, another --out for a new "
            "run, or --overwrite to start over"
        )
    return previous


def extension_note(previous: dict[str, Any] | None, plan: Plan) -> str:
    """One line when ``plan`` adds cells to a run directory's earlier plan, else ``""``."""
    if not previous:
        return ""
    stale = stale_cells(previous, plan)
    if stale:
        changed = sorted({e["task"] for e in previous.get("plan", []) if e.get("cell") in stale})
        return (
            f"the data of task(s) {', '.join(changed)} changed since the last run here: "
            f"its {len(stale)} old cells are replaced"
        )
    known = {e.get("cell") for e in previous.get("plan", [])}
    new = {c.cell for c in plan.cells} - known
    if not new:
        return ""
    return (
        f"adding {len(new)} new cells to the {len(known)} of the run already in this "
        "directory (one leaderboard for both)"
    )


def reconcile(manifest: dict[str, Any], plan: Plan, run_dir: Path, seen: set[str]) -> int:
    """Set each cell's status from its file (the ground truth); return the finished count.

    Cells whose outcome this process never heard (a pool worker stopped by Ctrl-C
    right after writing) are read from disk, so the manifest matches the files.
    """
    kept = 0
    for c in plan.cells:
        entry = manifest["cells"][c.cell]
        if c.cell not in seen and entry["status"] != "ok":
            path = run_dir / "cells" / f"{c.cell}.parquet"
            if path.exists():
                entry["status"] = "ok" if cell_done(run_dir, c.cell) else "failed"
            else:
                entry["status"] = "pending"
        kept += entry["status"] == "ok"
    return kept
