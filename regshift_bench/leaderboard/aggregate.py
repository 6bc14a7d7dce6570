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
* Rows with a non-empty ``explainer`` (interpretation results) and reference rows
  (non-empty ``reference``: noise ceilings, oracles, ...) are not model values.
  Reference rows are aggregated apart (:attr:`Aggregate.references`): metric
  ``f"{ref}_{m}"`` becomes metric ``m`` of reference ``ref``, mean over every cell
  and seed of the condition.
* Conditions carry their shift's ``shift_kind`` (when the run recorded it); tables
  group columns by kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regshift_bench.leaderboard.load import KEY, RunSet

GROUP = ["task", "shift", "severity", "split", "model", "metric"]
REFERENCE = "none"
#: Column order of the shift kinds; unknown kinds come last.
KIND_ORDER = ("covariate", "mechanism", "measurement", "selection")


@dataclass(frozen=True)
class Condition:
    """One table column: a shift at a severity, on one test split."""

    shift: str
    severity: float
    split: str
    kind: str = field(default="", compare=False)

    @property
    def is_reference(self) -> bool:
        return self.shift == REFERENCE

    @property
    def label(self) -> str:
        if self.is_reference:
            return "none (ID)"
        name = self.split.partition("/")[2]
        return f"{self.shift}{'/' + name if name else ''} @{self.severity:g}"

    def sort_key(self) -> tuple[int, int, str, float, str]:
        kind = KIND_ORDER.index(self.kind) if self.kind in KIND_ORDER else len(KIND_ORDER)
        return (0 if self.is_reference else 1, kind, self.shift, self.severity, self.split)


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
    references : DataFrame
        Reference rows: (task, shift, severity, split, reference, metric) -> ``mean,
        sd`` (over seeds) and ``n_seeds``.
    kinds : dict
        Shift name -> its recorded ``shift_kind`` ("" when unknown).
    """

    values: pd.DataFrame
    cells: pd.DataFrame
    skipped: pd.DataFrame
    metric_failures: pd.DataFrame
    references: pd.DataFrame = field(default_factory=pd.DataFrame)
    kinds: dict[str, str] = field(default_factory=dict)

    def tasks(self) -> list[str]:
        return sorted(set(self.cells["task"]))

    def models(self, task: str) -> list[str]:
        return sorted(set(self.cells.loc[self.cells["task"] == task, "model"]))

    def metrics(self, task: str) -> set[str]:
        return set(self.values.loc[self.values["task"] == task, "metric"])

    def planned(self, task: str, model: str, shift: str, severity: float) -> bool:
        """Whether the runs' plans hold any cell of ``model`` under this shift and severity
        (a preset may leave an expensive model out of a shift: nothing is missing there)."""
        c = self.cells
        hit = (c["task"] == task) & (c["model"] == model) & (c["shift"] == shift) & (c["severity"] == severity)
        return bool(hit.any())

    def recorded(self, task: str, metric: str) -> set[tuple[str, float, str]]:
        """(shift, severity, split) on which some model of ``task`` recorded ``metric``.

        A split the runner does not score with a metric (a variant-effect set and its
        row metrics) has predictions, but that metric means nothing there.
        """
        vals = self.values
        sel = vals.loc[(vals["task"] == task) & (vals["metric"] == metric)]
        return set(zip(sel["shift"], sel["severity"], sel["split"]))

    def own_id(self, task: str, metric: str) -> set[tuple[str, str, float, str]]:
        """(model, shift, severity, split) whose ID value is not the ``none`` cells' value.

        The ID value of a condition is the ``test_id`` value of the same cells. A shift
        that keeps the source split shares it with the ``none`` cells (same examples, same
        trained model); one that re-splits the data and retrains (a selection shift such
        as ``gc_extremes``) tests in distribution on a split of its own, and so does a
        condition whose finished seeds differ from the ``none`` cells'. Tables label
        those "own ID", so that one name never stands for two numbers.

        Parameters
        ----------
        task, metric : str
            The task and the metric whose values are compared.

        Returns
        -------
        set of tuple
            The OOD conditions (per model) whose ID mean differs from the model's
            ``none`` mean, or whose model has no ``none`` value.
        """
        vals = self.values
        sel = vals.loc[(vals["task"] == task) & (vals["metric"] == metric)]
        base = dict(zip(sel.loc[sel["shift"] == REFERENCE, "model"], sel.loc[sel["shift"] == REFERENCE, "mean"]))
        ood = sel.loc[sel["shift"] != REFERENCE]
        out = set()
        for model, shift, sev, split, ident in zip(
            ood["model"], ood["shift"], ood["severity"], ood["split"], ood["id_mean"]
        ):
            ref = base.get(model)
            if ref is None or not np.isclose(float(ident), float(ref), rtol=1e-9, atol=1e-12):
                out.add((str(model), str(shift), float(sev), str(split)))
        return out

    def higher_is_better(self, metric: str) -> bool:
        rows = self.values.loc[self.values["metric"] == metric, "higher_is_better"]
        return bool(rows.iloc[0]) if len(rows) else False

    def conditions(self, task: str, severity: str = "max") -> list[Condition]:
        """Columns of a task's tables; ``severity="max"`` keeps each shift's largest."""
        vals = self.values.loc[self.values["task"] == task, ["shift", "severity", "split"]]
        found = {
            Condition(s, float(v), p, self.kinds.get(s, ""))
            for s, v, p in vals.drop_duplicates().itertuples(index=False)
        }
        cells = self.cells.loc[self.cells["task"] == task, ["shift", "severity"]].drop_duplicates()
        covered = {(c.shift, c.severity) for c in found}
        for shift, sev in cells.itertuples(index=False):  # shifts where every cell failed
            if (shift, float(sev)) not in covered:
                found.add(
                    Condition(
                        shift, float(sev), "test_id" if shift == REFERENCE else "test_ood", self.kinds.get(shift, "")
                    )
                )
        if severity == "max":
            top: dict[str, float] = {}
            for c in found:
                top[c.shift] = max(top.get(c.shift, -np.inf), c.severity)
            found = {c for c in found if c.severity == top[c.shift]}
        return sorted(found, key=Condition.sort_key)


def model_rows(results: pd.DataFrame) -> pd.DataFrame:
    """Result rows of models: no interpretation rows, no reference rows."""
    return results.loc[(results["explainer"] == "") & (results["reference"] == "")]


def reference_values(runs: RunSet) -> pd.DataFrame:
    """Reference rows aggregated per condition: mean over cells per seed, then over seeds."""
    res = runs.results
    refs = res.loc[(res["explainer"] == "") & (res["reference"] != "") & (res["status"] == "ok")]
    cols = ["task", "shift", "severity", "split", "reference", "metric", "mean", "sd", "n_seeds"]
    if refs.empty:
        return pd.DataFrame(columns=cols)
    prefix = refs["reference"] + "_"
    keep = [m.startswith(p) for m, p in zip(refs["metric"], prefix)]
    refs = refs.loc[keep]
    refs = refs.assign(metric=[m[len(p) :] for m, p in zip(refs["metric"], prefix[keep])])
    key = ["task", "shift", "severity", "split", "reference", "metric"]
    per_seed = refs.groupby([*key, "seed"], sort=False)["value"].mean().reset_index()
    out = per_seed.groupby(key, sort=False)["value"].agg(["mean", "std", "count"]).reset_index()
    return out.rename(columns={"std": "sd", "count": "n_seeds"})[cols]


def condition_values(runs: RunSet) -> pd.DataFrame:
    """Per-seed OOD value, ID value and drop of every condition and metric."""
    res = model_rows(runs.results)
    seed = res.loc[
        (res["status"] == "ok") & (res["metric"] != ""),
        [*KEY, "src", "cell", "split", "metric", "value", "higher_is_better", "n"],
    ]
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
    cells = (
        flags.groupby(KEY[:-1], sort=False)
        .agg(n_expected=("seed", "size"), n_ok=("ok", "sum"), n_failed=("failed", "sum"))
        .reset_index()
    )
    errors = flags.loc[flags["error"].fillna("") != ""].drop_duplicates(KEY[:-1])[[*KEY[:-1], "error"]]
    cells = cells.merge(errors, on=KEY[:-1], how="left")
    cells["error"] = cells["error"].fillna("")
    cells["n_missing"] = cells["n_expected"] - cells["n_ok"] - cells["n_failed"]
    res = runs.results
    under = (
        res.loc[res["undertrained"].astype(bool), [*KEY]]
        .drop_duplicates()
        .groupby(KEY[:-1], sort=False)
        .size()
        .rename("n_undertrained")
        .reset_index()
    )
    cells = cells.merge(under, on=KEY[:-1], how="left")
    cells["n_undertrained"] = cells["n_undertrained"].fillna(0).astype(int)
    cond = condition_values(runs)
    grouped = cond.groupby(GROUP, sort=False, observed=True)
    values = grouped.agg(
        mean=("value", "mean"),
        sd=("value", "std"),
        n_seeds=("value", "count"),
        id_mean=("id_value", "mean"),
        id_sd=("id_value", "std"),
        drop_mean=("drop", "mean"),
        drop_sd=("drop", "std"),
        higher_is_better=("higher_is_better", "first"),
        n=("n", "mean"),
    ).reset_index()
    values = values.merge(cells[[*KEY[:-1], "n_expected"]], on=KEY[:-1], how="left")
    values["status"] = np.where(values["n_seeds"] >= values["n_expected"], "ok", "partial")
    res = model_rows(runs.results)
    cols = [*KEY[:-1], "split", "metric", "error"]
    skipped = res.loc[res["status"] == "skipped", cols].drop_duplicates(cols[:-1]).reset_index(drop=True)
    broken = (
        res.loc[(res["status"] == "failed") & (res["metric"] != ""), cols]
        .drop_duplicates(cols[:-1])
        .reset_index(drop=True)
    )
    kinds = runs.results.loc[runs.results["shift_kind"] != "", ["shift", "shift_kind"]].drop_duplicates("shift")
    return Aggregate(
        values=values,
        cells=cells,
        skipped=skipped,
        metric_failures=broken,
        references=reference_values(runs),
        kinds=dict(zip(kinds["shift"], kinds["shift_kind"])),
    )
