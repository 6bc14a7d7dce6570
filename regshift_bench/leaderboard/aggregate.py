"""Seed aggregation: OOD value, in-distribution value and drop, mean ± sd over seeds.

Rules
-----
* A *condition* is what a table column shows: ``(shift, severity, split)`` with an
  OOD split (``test_ood`` or ``test_ood/<name>``); the ``none`` shift contributes
  the in-distribution reference, its ``test_id`` split.
* The ID value of a condition is the ``test_id`` value of the same cell (same
  model, seed and, for shifts that retrain, the same training data).
* The *drop* is computed per seed and oriented so that positive means worse:
  ``ID - OOD`` for higher-is-better metrics, ``OOD - ID`` otherwise.
* Mean and sample sd (ddof=1) over the seeds that finished. A condition with
  fewer finished seeds than planned is ``partial`` and shows ``k/N seeds``; one
  with none is ``failed`` or ``missing``; nothing is silently averaged away.
* Derived metric ``risk_at_XX_rel`` = ``risk_at_XX / mse`` per seed: selective
  risk relative to the risk at full coverage (below 1 means abstaining helps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from regshift_bench.leaderboard.load import KEY, RunSet

GROUP = ["task", "shift", "severity", "split", "model", "metric"]
REFERENCE = "none"


@dataclass(frozen=True)
class Condition:
    """One table column: a shift at a severity, on one test split."""

    shift: str
    severity: float
    split: str

    @property
    def is_reference(self) -> bool:
        return self.shift == REFERENCE

    @property
    def label(self) -> str:
        if self.is_reference:
            return "none (ID)"
        name = self.split.partition("/")[2]
        return f"{self.shift}{'/' + name if name else ''} @{self.severity:g}"

    def sort_key(self) -> tuple[int, str, float, str]:
        return (0 if self.is_reference else 1, self.shift, self.severity, self.split)


@dataclass
class Aggregate:
    """Seed-aggregated numbers of a run set.

    Attributes
    ----------
    values : DataFrame
        One row per (task, shift, severity, split, model, metric) with ``mean, sd,
        n_seeds, n_expected, id_mean, id_sd, drop_mean, drop_sd, higher_is_better,
        n, status`` (``ok`` or ``partial``).
    cells : DataFrame
        Per (task, shift, severity, model): ``n_expected, n_ok, n_failed, n_missing``
        and the first failure's ``error``.
    skipped : DataFrame
        Skipped metrics: (task, shift, severity, model, split, metric) -> ``error``.
    metric_failures : DataFrame
        Metrics that raised inside a finished cell, same key (``split`` may be "" when
        the metric could not even be looked up) -> ``error``.
    """

    values: pd.DataFrame
    cells: pd.DataFrame
    skipped: pd.DataFrame
    metric_failures: pd.DataFrame

    def tasks(self) -> list[str]:
        return sorted(set(self.cells["task"]))

    def models(self, task: str) -> list[str]:
        return sorted(set(self.cells.loc[self.cells["task"] == task, "model"]))

    def metrics(self, task: str) -> set[str]:
        return set(self.values.loc[self.values["task"] == task, "metric"])

    def higher_is_better(self, metric: str) -> bool:
        rows = self.values.loc[self.values["metric"] == metric, "higher_is_better"]
        return bool(rows.iloc[0]) if len(rows) else False

    def conditions(self, task: str, severity: str = "max") -> list[Condition]:
        """Columns of a task's tables; ``severity="max"`` keeps each shift's largest."""
        vals = self.values.loc[self.values["task"] == task, ["shift", "severity", "split"]]
        found = {Condition(s, float(v), p) for s, v, p in vals.drop_duplicates().itertuples(index=False)}
        cells = self.cells.loc[self.cells["task"] == task, ["shift", "severity"]].drop_duplicates()
        covered = {(c.shift, c.severity) for c in found}
        for shift, sev in cells.itertuples(index=False):  # shifts where every cell failed
            if (shift, float(sev)) not in covered:
                found.add(Condition(shift, float(sev), "test_id" if shift == REFERENCE else "test_ood"))
        if severity == "max":
            top: dict[str, float] = {}
            for c in found:
                top[c.shift] = max(top.get(c.shift, -np.inf), c.severity)
            found = {c for c in found if c.severity == top[c.shift]}
        return sorted(found, key=Condition.sort_key)


def _derived(seed: pd.DataFrame) -> pd.DataFrame:
    """``risk_at_XX_rel`` rows: selective risk over full-coverage risk (mse), per seed."""
    full = seed.loc[seed["metric"] == "mse", ["src", "cell", "split", "value"]]
    risks = seed.loc[seed["metric"].str.match(r"^risk_at_\d+$")]
    if full.empty or risks.empty:
        return seed.iloc[:0]
    rel = risks.merge(full.rename(columns={"value": "full"}), on=["src", "cell", "split"])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel["value"] = rel["value"] / rel["full"]
    rel["metric"] = rel["metric"] + "_rel"
    return rel.drop(columns="full").assign(higher_is_better=False)


def condition_values(runs: RunSet) -> pd.DataFrame:
    """Per-seed OOD value, ID value and drop of every condition and metric."""
    res = runs.results
    seed = res.loc[(res["status"] == "ok") & (res["metric"] != ""),
                   [*KEY, "src", "cell", "split", "metric", "value", "higher_is_better", "n"]]
    seed = pd.concat([seed, _derived(seed)], ignore_index=True)
    is_id = seed["split"] == "test_id"
    is_ref = seed["shift"] == REFERENCE
    ood = seed.loc[seed["split"].str.startswith("test_ood") & ~is_ref]
    ident = seed.loc[is_id, ["src", "cell", "metric", "value"]].rename(columns={"value": "id_value"})
    ood = ood.merge(ident, on=["src", "cell", "metric"], how="left")
    ref = seed.loc[is_id & is_ref].assign(id_value=lambda f: f["value"])
    out = pd.concat([ood, ref], ignore_index=True)
    hib = out["higher_is_better"].astype(bool).to_numpy()
    gap = out["id_value"].to_numpy() - out["value"].to_numpy()
    out["drop"] = np.where(hib, gap, -gap)
    return out


def aggregate(runs: RunSet) -> Aggregate:
    """Aggregate a run set over seeds (see the module docstring for the rules)."""
    plan = runs.plan
    flags = plan.assign(ok=plan["status"] == "ok", failed=plan["status"] == "failed")
    cells = flags.groupby(KEY[:-1], sort=False).agg(
        n_expected=("seed", "size"), n_ok=("ok", "sum"), n_failed=("failed", "sum")).reset_index()
    errors = (flags.loc[flags["error"].fillna("") != ""].drop_duplicates(KEY[:-1])
              [[*KEY[:-1], "error"]])
    cells = cells.merge(errors, on=KEY[:-1], how="left")
    cells["error"] = cells["error"].fillna("")
    cells["n_missing"] = cells["n_expected"] - cells["n_ok"] - cells["n_failed"]
    cond = condition_values(runs)
    grouped = cond.groupby(GROUP, sort=False, observed=True)
    values = grouped.agg(
        mean=("value", "mean"), sd=("value", "std"), n_seeds=("value", "count"),
        id_mean=("id_value", "mean"), id_sd=("id_value", "std"),
        drop_mean=("drop", "mean"), drop_sd=("drop", "std"),
        higher_is_better=("higher_is_better", "first"), n=("n", "mean")).reset_index()
    values = values.merge(cells[[*KEY[:-1], "n_expected"]], on=KEY[:-1], how="left")
    values["status"] = np.where(values["n_seeds"] >= values["n_expected"], "ok", "partial")
    res = runs.results
    cols = [*KEY[:-1], "split", "metric", "error"]
    skipped = (res.loc[res["status"] == "skipped", cols]
               .drop_duplicates(cols[:-1]).reset_index(drop=True))
    broken = (res.loc[(res["status"] == "failed") & (res["metric"] != ""), cols]
              .drop_duplicates(cols[:-1]).reset_index(drop=True))
    return Aggregate(values=values, cells=cells, skipped=skipped, metric_failures=broken)
