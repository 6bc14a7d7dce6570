"""The judges of the interventions' claims (:mod:`rsbench_interventions.claims`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench.leaderboard import interventions as ivs
from regshift_bench.leaderboard.findings import Check, TaskView, all_of, judge
from regshift_bench.leaderboard.findings_evidence import Est
from rsbench_interventions.claims import GAP, HIGH, LOW, SAME_ID_R

N_BOOT = 400
VALIDATION_ONLY = ("conformal", "weighted_conformal", "recalibrate")


class _Evidence:
    """The intervention units of one task view, with predictions read once."""

    def __init__(self, view: TaskView) -> None:
        self.view = view
        runs = getattr(view, "runs", None)
        self.runs = runs  # a RunSet: it reads a bundle's cells as well as a run's
        self.dirs: list[Path] = list(runs.dirs) if runs is not None else []
        rows = ivs.read_rows(self.dirs) if self.dirs else pd.DataFrame()
        self.units = (
            ivs.units_of(rows, view.task, view.decl.family)
            if len(rows)
            else pd.DataFrame(columns=["model", "intervention", "family", "shift"])
        )
        self.cache: dict[Any, pd.DataFrame] = {}
        self.rng = np.random.default_rng(0)

    def has(self, intervention: str) -> bool:
        return bool((self.units["intervention"] == intervention).any())

    def models(self, intervention: str) -> list[str]:
        return sorted(set(self.units.loc[self.units["intervention"] == intervention, "model"]))

    def est(self, model: str, intervention: str, fn: Callable[..., np.ndarray], where: pd.Series) -> Est | None:
        pairs = ivs.paired_units(self.units.loc[where], self.runs, model, intervention, self.cache)
        if not pairs:
            return None
        point, samples, seeds = ivs.estimate(pairs, fn, n_boot=N_BOOT, rng=self.rng)
        return Est(point, samples, seeds)

    def shifts(self, family: str) -> list[str]:
        return sorted(set(self.units.loc[self.units["family"] == family, "shift"]))


def _gap(y, m1, v1, m0, v0):  # noqa: ANN001, ANN202 - an estimate() function
    return np.abs(ivs.coverage_of_iv(y, m1, v1, m0, v0) - 0.9)


def _none_gap(y, m1, v1, m0, v0):  # noqa: ANN001, ANN202
    return np.abs(ivs.coverage_of_iv(y, m0, v0, m1, v1) - 0.9)


def _none_cov(y, m1, v1, m0, v0):  # noqa: ANN001, ANN202
    return ivs.coverage_of_iv(y, m0, v0, m1, v1)


def _evidence(views: list[TaskView], needed: str) -> tuple[list[_Evidence], str]:
    evs = [_Evidence(v) for v in views]
    evs = [e for e in evs if e.has(needed)]
    return evs, f"no {needed} cells in this run (rsbench run --intervention {needed})"


def conformal_in_distribution(views: list[TaskView]) -> tuple[list[Check], str]:
    evs, reason = _evidence(views, "conformal")
    checks = []
    for e in evs:
        for model in e.models("conformal"):
            est = e.est(model, "conformal", ivs.coverage_of_iv, e.units["family"] == "ID")
            checks.append(
                judge(
                    f"{e.view.task} {model}: conformal coverage_90 in distribution",
                    est,
                    e.view.ci,
                    above=LOW.value,
                    below=HIGH.value,
                    missing="no ID cells",
                )
            )
    return checks, reason


def weighted_under_input_shift(views: list[TaskView]) -> tuple[list[Check], str]:
    evs, reason = _evidence(views, "weighted_conformal")
    checks, lost_nothing = [], 0
    for e in evs:
        for shift in e.shifts("input"):
            where = e.units["shift"] == shift
            for model in e.models("weighted_conformal"):
                split = e.est(model, "conformal", ivs.coverage_of_iv, where)
                if split is None:
                    continue
                if split.point >= LOW.value:
                    lost_nothing += 1
                    continue
                weighted = e.est(model, "weighted_conformal", ivs.coverage_of_iv, where)
                checks.append(
                    judge(
                        f"{e.view.task} {model} {shift}: weighted conformal "
                        f"coverage_90 (split conformal: {split.point:.3f})",
                        weighted,
                        e.view.ci,
                        above=LOW.value,
                    )
                )
    if evs and not checks:
        reason = (
            f"split conformal kept coverage above {LOW.value:g} in all {lost_nothing} "
            "input-shift conditions of this run: nothing to recover"
        )
    return checks, reason


def kshot_under_label_shift(views: list[TaskView]) -> tuple[list[Check], str]:
    evs, reason = _evidence(views, "kshot_recalibrate")
    checks = []
    for e in evs:
        for shift in e.shifts("label"):
            where = e.units["shift"] == shift
            for model in e.models("kshot_recalibrate"):
                lost = e.est(model, "kshot_recalibrate", _none_gap, where)
                if lost is None or lost.point <= GAP.value:
                    continue  # the model as trained kept coverage: nothing to recover
                tag = f"{e.view.task} {model} {shift}"
                parts = [
                    judge(
                        f"{tag}: kshot_recalibrate |coverage_90 − 0.9|",
                        e.est(model, "kshot_recalibrate", _gap, where),
                        e.view.ci,
                        below=GAP.value,
                    )
                ]
                for other in VALIDATION_ONLY:
                    if model in e.models(other):
                        parts.append(
                            judge(
                                f"{other} |coverage_90 − 0.9|",
                                e.est(model, other, _gap, where),
                                e.view.ci,
                                above=GAP.value,
                            )
                        )
                checks.append(Check(all_of(parts), "; ".join(p.text for p in parts)))
    if evs and not checks:
        reason = (
            f"no label shift of this run took a model's coverage more than {GAP.value:g} from 0.9: nothing to recover"
        )
    return checks, reason


def evoaug_under_covariate_shift(views: list[TaskView]) -> tuple[list[Check], str]:
    evs, reason = _evidence(views, "evoaug")
    checks = []
    for e in evs:
        for model in e.models("evoaug"):
            same = e.est(model, "evoaug", ivs.delta("r"), e.units["family"] == "ID")
            ood = e.est(model, "evoaug", ivs.delta("r"), e.units["family"] == "input")
            parts = [
                judge(
                    f"{e.view.task} {model}: Δr ID (evoaug − none)",
                    same,
                    e.view.ci,
                    above=-SAME_ID_R.value,
                    below=SAME_ID_R.value,
                    missing="no ID cells",
                ),
                judge("Δr under input shifts", ood, e.view.ci, above=0.0, missing="no input-shift cells"),
            ]
            checks.append(Check(all_of(parts), "; ".join(p.text for p in parts)))
    if evs and not checks:
        reason = "evoaug ran on no model with the training hook (every cell skipped)"
    return checks, reason
