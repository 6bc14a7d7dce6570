"""The five tables of a task, as format-neutral cells the renderers turn into text.

Every table carries ``data``, the tidy numbers behind it (for CSV/JSON), and
``notes`` that state the rules used. Cell strings hold raw plugin-provided names;
escaping is the renderers' job (each knows its own syntax).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from regshift_bench.leaderboard.aggregate import Aggregate, Condition

#: Coverage of the 90% interval this far below nominal is flagged as a collapse.
COLLAPSE_MARGIN = 0.15
NOMINAL_90 = 0.90


@dataclass
class Cell:
    """One table cell: a main line, an optional second line, a flag and a tooltip."""

    text: str
    sub: str = ""
    flag: str = ""  # "", partial, missing, failed, n/a, collapse, incomplete, helps, hurts
    title: str = ""


@dataclass
class Table:
    """A rendered-ready table of one task."""

    key: str
    task: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    data: pd.DataFrame = field(default_factory=pd.DataFrame)


def fmt(value: Any) -> str:
    """A number in at most 4 significant-looking characters; an em dash when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(v):
        return "—"
    a = abs(v)
    if a >= 1000 or 0 < a < 1e-3:
        return f"{v:.2e}"
    return f"{v:.1f}" if a >= 100 else f"{v:.3f}"


def pm(mean: Any, sd: Any) -> str:
    """``mean ± sd`` with the sd at the mean's precision (sd omitted for one seed)."""
    text = fmt(mean)
    if fmt(sd) == "—" or text == "—":
        return text
    if "e" in text:
        return f"{text} ± {fmt(sd)}"
    decimals = len(text.partition(".")[2])
    return f"{text} ± {float(sd):.{decimals}f}"


class Lookup:
    """Aggregated rows of one task and a set of metrics, keyed for cell building."""

    def __init__(self, agg: Aggregate, task: str, metrics: list[str]) -> None:
        vals = agg.values
        self.frame = vals.loc[(vals["task"] == task) & vals["metric"].isin(metrics)]
        self.rows = {(r["model"], r["shift"], r["severity"], r["split"], r["metric"]): r
                     for r in self.frame.to_dict("records")}
        cells = agg.cells.loc[agg.cells["task"] == task]
        self.cells = {(r["model"], r["shift"], r["severity"]): r for r in cells.to_dict("records")}
        self.skipped = self._keyed(agg.skipped, task)
        self.broken = self._keyed(agg.metric_failures, task)

    @staticmethod
    def _keyed(frame: pd.DataFrame, task: str) -> dict[tuple[Any, ...], str]:
        part = frame.loc[frame["task"] == task]
        return {(r["model"], r["shift"], r["severity"], r["split"], r["metric"]): str(r["error"])
                for r in part.to_dict("records")}

    def get(self, model: str, cond: Condition, metric: str) -> dict[str, Any] | None:
        return self.rows.get((model, cond.shift, cond.severity, cond.split, metric))

    def absent(self, model: str, cond: Condition, metric: str) -> Cell:
        """The cell shown where no seed produced a value."""
        key = (model, cond.shift, cond.severity, cond.split, metric)
        reason = self.skipped.get(key)
        if reason is not None:
            return Cell("n/a", "skipped", "n/a", reason)
        error = self.broken.get(key, self.broken.get((*key[:3], "", metric)))
        if error is not None:
            return Cell("failed", "metric failed", "failed", error)
        info = self.cells.get((model, cond.shift, cond.severity))
        if info is not None and info["n_failed"]:
            return Cell("failed", f"{info['n_failed']}/{info['n_expected']} seeds failed", "failed",
                        str(info["error"]))
        return Cell("missing", "not run", "missing")


def _seed_note(row: dict[str, Any]) -> str:
    return "" if row["status"] == "ok" else f"{row['n_seeds']}/{row['n_expected']} seeds"


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _model_cell(model: str, cells: list[Cell]) -> Cell:
    bad = [c for c in cells if c.flag in ("partial", "missing", "failed")]
    return Cell(model, "incomplete" if bad else "", "incomplete" if bad else "")


def _matrix(key: str, task: str, title: str, look: Lookup, models: list[str],
            conds: list[Condition], make: Any, notes: list[str]) -> Table:
    rows = []
    for model in models:
        cells = [make(model, c) for c in conds]
        rows.append([_model_cell(model, cells), *cells])
    return Table(key, task, title, ["model", *(c.label for c in conds)], rows, notes,
                 look.frame.reset_index(drop=True))


def accuracy_table(agg: Aggregate, task: str, metric: str, models: list[str],
                   conds: list[Condition]) -> Table:
    """(a) OOD value, ID value of the same cells and the drop, per model and shift."""
    look = Lookup(agg, task, [metric])

    def make(model: str, cond: Condition) -> Cell:
        row = look.get(model, cond, metric)
        if row is None:
            return look.absent(model, cond, metric)
        note = _seed_note(row)
        flag = "partial" if note else ""
        if cond.is_reference:
            return Cell(pm(row["mean"], row["sd"]), _join("in-distribution", note), flag)
        return Cell(pm(row["mean"], row["sd"]),
                    _join(f"ID {fmt(row['id_mean'])}", f"drop {fmt(row['drop_mean'])}", note), flag)

    direction = "higher" if agg.higher_is_better(metric) else "lower"
    notes = [f"{metric} on the OOD test split ({direction} is better), mean ± sd over seeds; "
             "ID = test_id of the same cells; drop > 0 means worse out of distribution."]
    return _matrix("accuracy", task, f"Accuracy — {metric}", look, models, conds, make, notes)


def _multi(key: str, title: str, parts: list[tuple[str, str]], agg: Aggregate, task: str,
           models: list[str], conds: list[Condition], notes: list[str], flagger: Any = None) -> Table:
    present = agg.metrics(task)
    parts = [(label, m) for label, m in parts if m in present]
    look = Lookup(agg, task, [m for _, m in parts])
    if not parts:
        return Table(key, task, title, ["model"], [[Cell(m)] for m in models],
                     [f"no {key} metrics were recorded for this task"], look.frame)

    def make(model: str, cond: Condition) -> Cell:
        texts, flag, note = [], "", ""
        for label, metric in parts:
            row = look.get(model, cond, metric)
            if row is None:
                texts.append(f"{label} —")
                continue
            texts.append(f"{label} {pm(row['mean'], row['sd'])}" if not texts
                         else f"{label} {fmt(row['mean'])}")
            note = note or _seed_note(row)
            flag = flag or (flagger(metric, row) if flagger else "")
        if all(t.endswith("—") for t in texts):
            return look.absent(model, cond, parts[0][1])
        return Cell(texts[0], _join(*texts[1:], note), flag or ("partial" if note else ""))

    return _matrix(key, task, title, look, models, conds, make, notes)


def calibration_table(agg: Aggregate, task: str, models: list[str], conds: list[Condition]) -> Table:
    """(b) coverage of the 90% interval, z² and ENCE; coverage collapse flagged."""
    def collapse(metric: str, row: dict[str, Any]) -> str:
        hit = metric == "coverage_90" and row["mean"] < NOMINAL_90 - COLLAPSE_MARGIN
        return "collapse" if hit else ""

    notes = [f"cov90 = fraction of y inside the 90% predictive interval (nominal 0.90); "
             f"'collapse' marks mean coverage below {NOMINAL_90 - COLLAPSE_MARGIN:.2f}. "
             "z² = mean squared standardised error (1 is calibrated, > 1 over-confident); "
             "ENCE = expected normalised calibration error (0 is best)."]
    return _multi("calibration", "Calibration", [("cov90", "coverage_90"), ("z²", "z2"),
                                                 ("ENCE", "ence")],
                  agg, task, models, conds, notes, collapse)


def selective_table(agg: Aggregate, task: str, models: list[str], conds: list[Condition]) -> Table:
    """(c) AURC, risk at 50% coverage, and that risk relative to full coverage."""
    notes = ["AURC = area under the risk–coverage curve (squared error, examples ranked by "
             "predicted variance; lower is better). risk@50 = MSE of the 50% most confident "
             "examples; rel = risk@50 / MSE at full coverage (below 1: abstaining helps)."]
    return _multi("selective", "Selective prediction",
                  [("AURC", "aurc"), ("risk@50", "risk_at_50"), ("rel", "risk_at_50_rel")],
                  agg, task, models, conds, notes)
