"""Load and merge run directories: results, plan, curves, predictions.

Merge rules
-----------
* Every run must carry this rsbench's results ``schema_version`` (checked by
  :func:`regshift_bench.results.read_manifest`), and a suite present in two runs
  must have the same version in both; otherwise :class:`DataError` names the
  suite, the versions and the runs.
* All runs must use the same preset (sizes, epochs and budgets differ between
  presets, so their numbers are not comparable), and a task name must come from
  the same suite in every run.
* A cell ``(task, shift, severity, model, seed)`` present in several runs is taken
  from one run only: a run where it finished (``ok``) beats one where it failed or
  is missing; among equals the run given last wins (pass older runs first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from regshift_bench import results as rs
from regshift_bench.errors import DataError
from regshift_bench.submission.board import board_view, resolve_input
from regshift_bench.submission.cell_files import CellFiles
from regshift_bench.submission.layout import REFERENCES_SUFFIX

KEY = ["task", "shift", "severity", "model", "seed"]
_RESULT_COLUMNS = [
    "suite",
    "task",
    "shift",
    "severity",
    "model",
    "seed",
    "split",
    "metric",
    "value",
    "higher_is_better",
    "n",
    "status",
    "error",
    "cell",
]
#: Result columns other sessions add (reference rows, shift kinds, fit diagnostics,
#: interpretation rows); older runs lack them, so they are read when present and
#: otherwise filled with these defaults.
OPTIONAL_RESULT_FIELDS = (
    pa.field("reference", pa.string()),
    pa.field("shift_kind", pa.string()),
    pa.field("undertrained", pa.bool_()),
    pa.field("explainer", pa.string()),
    pa.field("intervention", pa.string()),
)
_OPTIONAL_DEFAULTS: dict[str, Any] = {
    "reference": "",
    "shift_kind": "",
    "undertrained": False,
    "explainer": "",
    "intervention": "none",
}
#: Suffix of the optional per-cell file of reference predictions (e.g. the source oracle).
REFERENCE_PREDICTIONS = REFERENCES_SUFFIX
_PRED_COLUMNS = ["split", "row", "y", "mean", "var", "y_true", "noise_var"]
_STATUS_ORDER = {"ok": 0, "skipped": 1, "failed": 2, "missing": 3}


#: The intervention value of a model as trained (today's behaviour).
NO_INTERVENTION = "none"


def model_view(res: pd.DataFrame) -> pd.DataFrame:
    """The rows of the models as trained (``intervention`` none or unrecorded)."""
    if "intervention" not in res.columns:
        return res
    kept = res["intervention"].fillna(NO_INTERVENTION).isin([NO_INTERVENTION, ""])
    # Re-infer dtypes: a dropped row (a skipped intervention cell) may have held the
    # only null of a column, which must read as it would in a run without interventions.
    return res if kept.all() else res.loc[kept].infer_objects()


def _fresh(consolidated: Path, per_cell: Path) -> bool:
    """Whether the consolidated file reflects every per-cell file.

    Writing or replacing a file in ``per_cell`` updates that directory's mtime, and
    the runner consolidates after its last cell, so one ``stat`` each decides it.
    """
    if not consolidated.exists():
        return False
    if not per_cell.is_dir():
        return True
    return per_cell.stat().st_mtime_ns <= consolidated.stat().st_mtime_ns


def results_schema() -> pa.Schema:
    """The results schema plus the optional contract columns it does not declare."""
    schema = rs.RESULTS_SCHEMA
    for f in OPTIONAL_RESULT_FIELDS:
        if f.name not in schema.names:
            schema = schema.append(f)
    return schema


def _read_table(run_dir: Path, name: str, folder: str, schema: pa.Schema, columns: list[str]) -> pd.DataFrame:
    consolidated, per_cell = run_dir / f"{name}.parquet", run_dir / folder
    if _fresh(consolidated, per_cell):
        present = set(pq.read_schema(consolidated).names)
        table = pq.read_table(consolidated, columns=[c for c in columns if c in present])
    else:
        files = sorted(str(p) for p in per_cell.glob("*.parquet")) if per_cell.is_dir() else []
        if not files:
            table = schema.empty_table().select(columns)
        else:  # columns a file lacks come back as nulls
            table = pads.dataset(files, schema=schema, format="parquet").to_table(columns=columns)
    frame = table.to_pandas()
    for col, default in _OPTIONAL_DEFAULTS.items():
        if col in columns:
            frame[col] = (
                frame[col].astype(object).where(frame[col].notna(), default) if col in frame.columns else default
            )
            if col == "undertrained":
                frame[col] = frame[col].astype(bool)
    return frame


@dataclass
class RunSet:
    """One or more merged run directories.

    Attributes
    ----------
    dirs : list of Path
        The run directories, in the order given.
    manifests : list of dict
        Their manifests.
    results : DataFrame
        Result rows of the chosen cells, plus ``src`` (index into ``dirs``).
    plan : DataFrame
        One row per expected cell: ``task, shift, severity, model, seed, cell, src,
        status`` (``ok``, ``failed``, ``missing``) and ``error``.
    """

    dirs: list[Path]
    manifests: list[dict[str, Any]]
    results: pd.DataFrame
    plan: pd.DataFrame
    _curves: pd.DataFrame | None = field(default=None, repr=False)
    prediction_rows_read: int = 0
    _files: dict[int, CellFiles] = field(default_factory=dict, repr=False)

    def files(self, src: int) -> CellFiles:
        """The predictions files of input ``src`` (a run directory or a bundle)."""
        if src not in self._files:
            self._files[src] = CellFiles.of(self.dirs[src], self.manifests[src])
        return self._files[src]

    def curves(self) -> pd.DataFrame:
        """Curve points of the chosen cells (read on first use)."""
        if self._curves is None:
            cols = ["cell", "split", "curve", "x", "y"]
            parts = []
            for src, run_dir in enumerate(self.dirs):
                part = _read_table(run_dir, "curves", "curves", rs.CURVES_SCHEMA, cols)
                parts.append(part.assign(src=src))
            frame = pd.concat(parts, ignore_index=True)
            chosen = self.plan.loc[self.plan["status"] == "ok", [*KEY, "cell", "src"]]
            self._curves = frame.merge(chosen, on=["cell", "src"], how="inner")
        return self._curves

    def predictions(self, src: int, cell: str, split: str) -> dict[str, np.ndarray] | None:
        """``row, y, mean, var, y_true, noise_var`` arrays (n,) of one split of one cell,
        by row; None if absent. ``y_true`` / ``noise_var`` are NaN on real data.

        Nothing is cached but a bundle's shared example files: a full run's test sets
        can be large, and each caller (the bootstrap, the curve fallback) reads each
        split once.
        """
        table = self.files(src).predictions(cell, _PRED_COLUMNS, split)
        if table is None:
            return None
        out = {c: table[c].to_numpy() for c in _PRED_COLUMNS[1:]}
        out["row"] = out["row"].astype(np.int64, copy=False)
        if len(out["row"]) > 1 and not (np.diff(out["row"]) > 0).all():
            order = np.argsort(out["row"], kind="stable")
            out = {c: v[order] for c, v in out.items()}
        self.prediction_rows_read += len(out["row"])
        return out

    def reference_predictions(self, src: int, cell: str, split: str, reference: str) -> dict[str, np.ndarray] | None:
        """``row, mean, var`` (n,) of a reference's per-example predictions, or None.

        Read from ``predictions/<cell>.references.parquet`` (columns ``split, row,
        reference, mean, var``) when the run wrote it, or from the bundle's file of the
        cell's data setting; a reference scored on the same rows as the models can then
        be resampled paired with them.
        """
        table = self.files(src).references(cell, split, reference)
        if table is None or not table.num_rows:
            return None
        out = {c: table[c].to_numpy() for c in ("row", "mean", "var")}
        order = np.argsort(out["row"], kind="stable")
        return {c: v[order] for c, v in out.items()}

    def provenance(self) -> dict[str, Any]:
        """What produced these results: presets, suites, seeds, devices, versions."""
        runs = []
        for run_dir, man in zip(self.dirs, self.manifests):
            prov = man.get("provenance", {}) or {}
            runs.append(
                {
                    "run": man.get("run", run_dir.name),
                    "dir": str(run_dir),
                    "preset": man.get("preset", ""),
                    "created": man.get("created", ""),
                    "finished": man.get("finished", ""),
                    "suites": man.get("suites", {}),
                    **{
                        k: prov.get(k, "")
                        for k in (
                            "rsbench",
                            "plugins",
                            "git_commit",
                            "torch",
                            "numpy",
                            "python",
                            "platform",
                            "device",
                            "device_name",
                            "seeds",
                        )
                    },
                    **_timing(man),
                }
            )
        seeds = sorted({int(s) for s in self.plan["seed"].unique()}) if len(self.plan) else []
        status = self.plan["status"].value_counts().to_dict() if len(self.plan) else {}
        return {
            "schema_version": rs.SCHEMA_VERSION,
            "runs": runs,
            "seeds": seeds,
            "cells": {k: int(v) for k, v in status.items()},
        }


def _timing(manifest: dict[str, Any]) -> dict[str, Any]:
    """Wall seconds over the run's sessions and seconds inside cells, summed.

    Parameters
    ----------
    manifest : dict
        A run's ``manifest.json``.

    Returns
    -------
    dict
        ``sessions`` (count), ``wall_seconds`` (None only for a run that predates
        session records: no ``sessions``), ``killed_early`` (sessions killed before any
        cell finished: neither ``seconds`` nor ``last_cell``; they kept no work and
        count 0 in ``wall_seconds``) and ``cell_seconds``.
    """
    sessions = manifest.get("sessions") or []
    early = sum(1 for s in sessions if s.get("seconds") is None and not s.get("last_cell"))
    cells = [c.get("seconds") for c in (manifest.get("cells") or {}).values()]
    return {
        "sessions": len(sessions),
        "killed_early": early,
        "wall_seconds": rs.wall_seconds(sessions) if sessions else None,
        "cell_seconds": round(sum(float(c) for c in cells if c is not None), 3),
    }


def _check_suites(dirs: list[Path], manifests: list[dict[str, Any]]) -> None:
    seen: dict[str, tuple[Any, Path]] = {}
    for run_dir, man in zip(dirs, manifests):
        for suite, version in (man.get("suites") or {}).items():
            if suite in seen and seen[suite][0] != version:
                raise DataError(
                    f"cannot merge runs: suite {suite!r} is version {seen[suite][0]} in "
                    f"{seen[suite][1]} but version {version} in {run_dir}; merge only runs of "
                    "the same task files (re-run the older one)"
                )
            seen.setdefault(suite, (version, run_dir))


def _check_comparable(dirs: list[Path], manifests: list[dict[str, Any]], frames: list[pd.DataFrame]) -> None:
    presets = {str(m.get("preset", "")) for m in manifests}
    if len(presets) > 1:
        which = ", ".join(f"{d} is {m.get('preset', '')!r}" for d, m in zip(dirs, manifests))
        raise DataError(
            f"cannot merge runs of different presets ({which}); their sizes and "
            "budgets differ, so merge only runs of one preset"
        )
    owner: dict[str, tuple[str, Path]] = {}
    for run_dir, res in zip(dirs, frames):
        pairs = res[["task", "suite"]].drop_duplicates().itertuples(index=False)
        for task, suite in pairs:
            if task in owner and owner[task][0] != suite:
                raise DataError(
                    f"cannot merge runs: task {task!r} comes from suite "
                    f"{owner[task][0]!r} in {owner[task][1]} but from suite {suite!r} "
                    f"in {run_dir}; show them separately"
                )
            owner.setdefault(task, (suite, run_dir))


def _plan_of(src: int, man: dict[str, Any], res: pd.DataFrame) -> pd.DataFrame:
    """Expected cells of one run with their status, from the plan and the rows."""
    plan = pd.DataFrame(man.get("plan") or [], columns=None)
    if "intervention" in plan.columns:  # intervention cells have their own tables
        plan = plan.loc[plan["intervention"].fillna("none") == "none"]
    # Cells holding only interpretation rows (or planned with an explainer) are not
    # model cells: they must never stand in for the model's own cell of the same key.
    by_cell = res.groupby("cell", sort=False)["explainer"]
    explainer_cells = set(by_cell.apply(lambda e: bool(len(e)) and (e != "").all()).loc[lambda f: f].index)
    if "explainer" in plan.columns:
        explainer_cells |= set(plan.loc[plan["explainer"].fillna("") != "", "cell"])
    observed = res.drop_duplicates("cell")[[*KEY, "cell"]]
    plan = observed if plan.empty else pd.concat([plan[[*KEY, "cell"]], observed])
    plan = plan.drop_duplicates("cell")
    plan = plan.loc[~plan["cell"].isin(explainer_cells)].reset_index(drop=True)
    plan["severity"] = plan["severity"].astype(float)
    plan["seed"] = plan["seed"].astype(np.int64)
    # Rows decide a cell's status (a cell with ok rows finished); the manifest
    # explains failures the rows do not carry, and planned cells without rows are missing.
    has_ok = set(res.loc[res["status"].isin(["ok", "skipped"]), "cell"].unique())
    failed_err = res.loc[res["status"] == "failed"].drop_duplicates("cell").set_index("cell")["error"]
    cells = man.get("cells") or {}
    status, errors = [], []
    for cell in plan["cell"]:
        info = cells.get(cell, {}) or {}
        if cell in has_ok:
            status.append("ok")
            errors.append("")
        elif cell in failed_err.index or info.get("status") == "failed":
            status.append("failed")
            errors.append(str(failed_err.get(cell, "") or info.get("error", "") or ""))
        else:
            status.append("missing")
            errors.append("")
    return plan.assign(status=status, error=errors, src=src)


def load_runs(run_dirs: Sequence[str | Path]) -> RunSet:
    """Read and merge run directories (see the module docstring for the rules)."""
    if not run_dirs:
        raise DataError("no run directory given; pass the --out directory of `rsbench run`")
    dirs = [resolve_input(d) for d in run_dirs]  # a published folder stands for its bundle
    manifests = [rs.read_manifest(d) for d in dirs]
    files = {src: CellFiles.of(d, m) for src, (d, m) in enumerate(zip(dirs, manifests))}
    _check_suites(dirs, manifests)
    plans, frames = [], []
    for src, run_dir in enumerate(dirs):
        res = _read_table(
            run_dir, "results", "cells", results_schema(), _RESULT_COLUMNS + [f.name for f in OPTIONAL_RESULT_FIELDS]
        )
        res = board_view(run_dir, manifests[src], res.assign(src=src))  # submissions: rescored
        res = model_view(res)  # intervention rows: leaderboard.interventions reads them
        frames.append(res)
        plans.append(_plan_of(src, manifests[src], res))
    _check_comparable(dirs, manifests, frames)
    plan = pd.concat(plans, ignore_index=True)
    plan["_rank"] = plan["status"].map(_STATUS_ORDER).fillna(3)
    plan = (
        plan.sort_values(["_rank", "src"], ascending=[True, False], kind="stable")
        .drop_duplicates(KEY)
        .drop(columns="_rank")
        .sort_values(KEY, kind="stable")
        .reset_index(drop=True)
    )
    results = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(dirs) > 1:  # keep each cell from the one run chosen above
        chosen = plan.loc[plan["status"] != "missing", ["cell", "src"]]
        results = results.merge(chosen, on=["cell", "src"], how="inner")
    results["severity"] = results["severity"].astype(float)
    return RunSet(dirs=dirs, manifests=manifests, results=results, plan=plan, _files=files)
