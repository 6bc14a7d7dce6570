"""The built leaderboard: one :class:`TaskBoard` per task inside a :class:`Leaderboard`.

Kept apart from :mod:`regshift_bench.leaderboard.build` so the sections that read a
leaderboard (findings, anchors, renderers) import the type without importing the
builder that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from regshift_bench.leaderboard.aggregate import Aggregate, Condition
from regshift_bench.leaderboard.load import RunSet
from regshift_bench.leaderboard.ranks import BootScores
from regshift_bench.leaderboard.tables import Table


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
    #: The conditions whose split recorded ``metric`` (ranked and plotted); None: all.
    scored: list[Condition] | None = None
    #: The task's oracle reference ("" = none): plots draw the loss beyond it.
    oracle: str = ""

    def plotted(self) -> list[Condition]:
        """Conditions the plots draw: only splits scored row by row with the metric."""
        return self.conditions if self.scored is None else self.scored


@dataclass
class Leaderboard:
    """The tables of every task, the aggregated numbers and their provenance."""

    runs: RunSet
    agg: Aggregate
    boards: list[TaskBoard]
    provenance: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)
    #: Run-wide sections (Findings first, before the tasks; Anchors after them), and the findings themselves.
    sections: list[Table] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    #: Run-wide tables shown after the Findings and before the tasks (the overview).
    overview: list[Table] = field(default_factory=list)
    #: Fit diagnostics: one row per task, model, seed and training set (see ``fit``).
    fits: pd.DataFrame = field(default_factory=pd.DataFrame)

    def aggregated(self) -> pd.DataFrame:
        """Seed-aggregated numbers of every shown task, condition, model and metric."""
        tasks = [b.task for b in self.boards]
        vals = self.agg.values
        return (
            vals.loc[vals["task"].isin(tasks)]
            .sort_values(["task", "metric", "shift", "severity", "split", "model"])
            .reset_index(drop=True)
        )
