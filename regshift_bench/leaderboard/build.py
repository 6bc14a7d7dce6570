"""Assemble a leaderboard: load runs, aggregate, bootstrap, and build the tables."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from regshift_bench.errors import DataError
from regshift_bench.leaderboard.aggregate import Aggregate, Condition, aggregate
from regshift_bench.leaderboard.load import RunSet, load_runs
from regshift_bench.leaderboard.ranks import BootScores, boot_scores, prior_effect, prior_pairs, robustness
from regshift_bench.leaderboard.tables import (Table, accuracy_table, calibration_table,
                                               selective_table)
from regshift_bench.leaderboard.tables_boot import prior_table, robustness_table

#: Accuracy metric used when none is asked for: the first one a task recorded.
DEFAULT_METRICS = ("pearson", "spearman", "r2", "rmse", "mse", "mae")
TABLE_KEYS = ("accuracy", "calibration", "selective", "robustness", "prior")


@dataclass
class TaskBoard:
    """Everything shown for one task."""

    task: str
    metric: str
    models: list[str]
    conditions: list[Condition]
    tables: list[Table]
    ranks: pd.DataFrame
    prior: pd.DataFrame
    boot: BootScores


@dataclass
class Leaderboard:
    """The tables of every task, the aggregated numbers and their provenance."""

    runs: RunSet
    agg: Aggregate
    boards: list[TaskBoard]
    provenance: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)

    def aggregated(self) -> pd.DataFrame:
        """Seed-aggregated numbers of every shown task, condition, model and metric."""
        tasks = [b.task for b in self.boards]
        vals = self.agg.values
        return vals.loc[vals["task"].isin(tasks)].sort_values(
            ["task", "metric", "shift", "severity", "split", "model"]).reset_index(drop=True)


def _pick_tasks(agg: Aggregate, wanted: list[str] | None) -> list[str]:
    known = agg.tasks()
    if not known:
        raise DataError("the run directories hold no cells; run `rsbench run` first")
    for task in wanted or []:
        if task not in known:
            close = difflib.get_close_matches(task, known, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise DataError(f"task {task!r} is not in these runs{hint} (runs hold: "
                            f"{', '.join(known)})")
    return list(wanted) if wanted else known


def _pick_metric(agg: Aggregate, task: str, metric: str | None) -> str:
    present = agg.metrics(task)
    if metric is not None:
        return metric
    for name in DEFAULT_METRICS:
        if name in present:
            return name
    return sorted(present)[0] if present else DEFAULT_METRICS[0]


def build_leaderboard(runs: RunSet | Sequence[str | Path], *, tasks: list[str] | None = None,
                      metric: str | None = None, n_boot: int = 1000, random_state: int = 0,
                      ci: float = 0.95, severity: str = "max") -> Leaderboard:
    """Build every task's five tables from run directories.

    Parameters
    ----------
    runs : RunSet or list of paths
        Run directories (merged by :func:`~regshift_bench.leaderboard.load.load_runs`).
    tasks : list of str, optional
        Tasks to show (default: all in the runs).
    metric : str, optional
        Accuracy metric for tables (a), (d), (e) and the plots; default: the first of
        ``DEFAULT_METRICS`` a task recorded.
    n_boot, random_state, ci
        Bootstrap resamples, their seed, and the interval level.
    severity : {"max", "all"}
        Show each shift at its largest severity, or every severity as its own column.
    """
    if severity not in ("max", "all"):
        raise DataError(f"severity must be 'max' or 'all', not {severity!r}")
    if not 0 < ci < 1:
        raise DataError(f"ci must be in (0, 1), not {ci}")
    runset = runs if isinstance(runs, RunSet) else load_runs(list(runs))
    agg = aggregate(runset)
    chosen = _pick_tasks(agg, tasks)
    if metric is not None and not any(metric in agg.metrics(t) for t in chosen):
        present = sorted(set().union(*(agg.metrics(t) for t in chosen)))
        close = difflib.get_close_matches(metric, present, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise DataError(f"metric {metric!r} was not recorded for {', '.join(chosen)}{hint}")
    boards = []
    for task in chosen:
        name = _pick_metric(agg, task, metric)
        hib = agg.higher_is_better(name)
        models = agg.models(task)
        conds = agg.conditions(task, severity)
        bs = boot_scores(runset, task, name, hib, conds, models, n_boot=n_boot,
                         random_state=random_state, ci=ci)
        ranks = robustness(bs, models, conds)
        prior = prior_effect(bs, prior_pairs(models), conds)
        tables = [accuracy_table(agg, task, name, models, conds),
                  calibration_table(agg, task, models, conds),
                  selective_table(agg, task, models, conds),
                  robustness_table(agg, task, name, ranks, bs, conds),
                  prior_table(task, name, prior, bs, conds)]
        boards.append(TaskBoard(task, name, models, conds, tables, ranks, prior, bs))
    from regshift_bench.leaderboard import interpretation

    interpretation.add_tables(runset.dirs, boards)  # per-task Interpretation table, if any
    options = {"metric": metric, "n_boot": n_boot, "random_state": random_state, "ci": ci,
               "severity": severity}
    return Leaderboard(runset, agg, boards, runset.provenance(), options)
