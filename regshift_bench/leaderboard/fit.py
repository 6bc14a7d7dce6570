"""Fit diagnostics beside the tables: how each model's training ended.

The runner writes a model's :class:`~regshift_bench.api.FitReport` into every result
row of its cells (``epochs_run``, ``train_steps``, ``best_epoch``, ``stopped_by``,
``best_val_loss``, ``undertrained``). :func:`fit_frame` reads them back as one row per
task, model, seed and training set (``model_key``: cells that share a trained model
share a row), and :func:`training_table` shows per model how its fits ended. A model
stopped by its step or time budget is *starved*: its numbers say how far the budget
got, not how good the model is, and the table says so plainly.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from regshift_bench.api.fit_report import BUDGET_STOPS
from regshift_bench.api.fit_report import COLUMNS as FIT_COLUMNS
from regshift_bench.leaderboard.load import KEY, RunSet, _read_table, model_view, results_schema
from regshift_bench.leaderboard.tables import MARKS, Cell, Table

#: Columns of the published ``fit_diagnostics`` file, in order.
FIT_FILE_COLUMNS = ["task", "model", "seed", "model_key", "shifts", "cells", *FIT_COLUMNS, "fit_seconds"]
STARVED_NOTE = (
    f"{MARKS['collapse']} starved: a step or time budget (max_steps / max_seconds) "
    "stopped training, so the model was cut short, not evaluated at its best; "
    "'still improving' counts the fits whose last epoch was their best (undertrained)."
)


def _read_fit_rows(runs: RunSet) -> pd.DataFrame:
    """One row per chosen finished cell with its fit columns (null where not recorded)."""
    cols = [*KEY, "cell", "status", "explainer", "reference", "intervention", "model_key", "fit_seconds", *FIT_COLUMNS]
    parts = []
    for src, run_dir in enumerate(runs.dirs):
        frame = _read_table(run_dir, "results", "cells", results_schema(), cols)
        for col in cols:
            if col not in frame.columns:
                frame[col] = None
        parts.append(model_view(frame).assign(src=src))
    res = pd.concat(parts, ignore_index=True)
    res = res.loc[(res["status"] == "ok") & (res["explainer"] == "")]
    chosen = runs.plan.loc[runs.plan["status"] == "ok", ["cell", "src"]]
    return res.merge(chosen, on=["cell", "src"]).drop_duplicates("cell")


def _shift_label(shift: str, severity: float) -> str:
    return shift if shift == "none" else f"{shift}@{severity:g}"


def fit_frame(runs: RunSet, tasks: list[str]) -> pd.DataFrame:
    """Fit diagnostics of ``tasks``: one row per task, model, seed and training set.

    Returns
    -------
    DataFrame
        Columns :data:`FIT_FILE_COLUMNS`; ``shifts`` names the conditions whose cells
        used that trained model, ``cells`` counts them; fit columns are null for a
        model that reports no fit (e.g. a closed-form one).
    """
    rows = _read_fit_rows(runs)
    rows = rows.loc[rows["task"].isin(tasks)].copy()
    if rows.empty:
        return pd.DataFrame(columns=FIT_FILE_COLUMNS)
    rows["model_key"] = rows["model_key"].fillna("").astype(str)
    rows.loc[rows["model_key"] == "", "model_key"] = rows["cell"]  # older runs: one per cell
    rows["label"] = [_shift_label(s, float(v)) for s, v in zip(rows["shift"], rows["severity"])]
    out = []
    for (task, model, seed, key), part in rows.groupby(["task", "model", "seed", "model_key"], sort=True):
        # One trained model: its cells carry one report (the first recorded value of each).
        first = {c: next(iter(part[c].dropna()), None) for c in FIT_COLUMNS}
        # Only the cell that trained spent fit time; the cells reusing its model record 0.
        first["fit_seconds"] = pd.to_numeric(part["fit_seconds"], errors="coerce").max()
        first["undertrained"] = bool(part["undertrained"].fillna(False).astype(bool).any())
        out.append(
            {
                "task": task,
                "model": model,
                "seed": int(seed),
                "model_key": key,
                "shifts": ", ".join(sorted(set(part["label"]))),
                "cells": len(part),
                **first,
            }
        )
    frame = pd.DataFrame(out, columns=FIT_FILE_COLUMNS)
    for col in ("epochs_run", "train_steps", "best_epoch"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    frame["undertrained"] = frame["undertrained"].astype("boolean")
    frame["stopped_by"] = frame["stopped_by"].astype("string")
    return frame


def _median(part: pd.DataFrame, col: str) -> str:
    vals = pd.to_numeric(part[col], errors="coerce").dropna()
    return f"{int(vals.median())}" if len(vals) else "—"


def _model_row(model: str, part: pd.DataFrame) -> list[Cell]:
    """Cells of one model: fits, how they stopped, epochs, steps and the verdict."""
    improved = part["undertrained"].fillna(False).astype(bool)
    reported = part.loc[part["stopped_by"].notna() | improved]
    if reported.empty:
        return [
            Cell(model),
            Cell(str(len(part))),
            *(Cell("—", "", "n/a") for _ in range(3)),
            Cell("no fit report", "not iterative, or reports nothing", "n/a"),
        ]
    counts = reported["stopped_by"].fillna("not recorded").value_counts()
    stops = ", ".join(f"{k} ×{int(v)}" for k, v in sorted(counts.items()))
    improving = int(improved.sum())
    starved = reported["stopped_by"].isin(sorted(BUDGET_STOPS)) | improved.loc[reported.index]
    if starved.any():
        verdict = Cell(
            "starved",
            f"{int(starved.sum())}/{len(reported)} fits stopped by the budget; {improving} still improving",
            "collapse",
        )
    else:
        verdict = Cell("trained", "ended by its epochs or early stopping")
    return [
        Cell(model),
        Cell(str(len(part))),
        Cell(stops),
        Cell(f"{_median(reported, 'epochs_run')} / {_median(reported, 'best_epoch')}"),
        Cell(_median(reported, "train_steps")),
        verdict,
    ]


def training_table(task: str, fits: pd.DataFrame, models: list[str]) -> Table:
    """Per model of ``task``: how its fits (one per seed and training set) ended.

    A model with no fit report has dashes (nothing to show); the table is omitted by
    :func:`~regshift_bench.leaderboard.overview.prune` when no model has one.
    """
    part = fits.loc[fits["task"] == task] if len(fits) else fits
    rows = [_model_row(m, part.loc[part["model"] == m]) for m in models if len(part) and (part["model"] == m).any()]
    notes = [
        "One fit per seed and training set (cells sharing a trained model count once); "
        "epochs run / best epoch and train steps are medians over the fits; every fit is in "
        "fit_diagnostics.csv."
    ]
    if any(r[-1].flag == "collapse" for r in rows):
        notes.append(STARVED_NOTE)
    return Table(
        "training",
        task,
        "Training",
        ["model", "fits", "stopped by", "epochs run / best", "train steps", "verdict"],
        rows,
        notes,
        part.reset_index(drop=True) if len(part) else pd.DataFrame(),
    )


def starved_models(fits: pd.DataFrame, task: str) -> list[str]:
    """Models of ``task`` with at least one fit stopped by its budget (or undertrained)."""
    if fits.empty:
        return []
    budget = fits["stopped_by"].isin(sorted(BUDGET_STOPS)).fillna(False).astype(bool)
    budget |= fits["undertrained"].fillna(False).astype(bool)
    part = fits.loc[(fits["task"] == task) & budget]
    return sorted(set(part["model"]))


def fit_records(fits: pd.DataFrame) -> list[dict[str, Any]]:
    """The fit diagnostics as JSON-ready records (nulls as None)."""
    return fits.astype(object).where(fits.notna(), None).to_dict("records")
