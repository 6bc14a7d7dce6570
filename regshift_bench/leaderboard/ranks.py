"""Bootstrap rank intervals, tie groups and the prior effect.

Robustness score
    The mean over a task's OOD conditions (each shift at the severity shown) of
    the chosen metric, each condition first averaged over seeds.
Rank interval
    Test examples are resampled (``n_boot`` times, indices shared by all models of
    a (condition, seed) group); each resample gives every model a score and a rank
    (1 = best, ties averaged). Reported: the median rank and the central 95%
    interval of the ranks.
Tie groups (leader chain)
    Models are ordered by their score on the full data. The first model leads
    group 1. Each next model joins the current group when the 95% paired-bootstrap
    interval of ``score(leader) - score(model)`` (oriented so larger is better)
    contains 0 - the two are not separable on these examples. The first model
    the current leader beats significantly leads the next group. Comparing with
    the leader, not the previous model, stops long chains of small steps from
    tying everything together.
Incomplete models
    A model without predictions for every planned (condition, seed) is not ranked;
    its score over what it has is shown, marked incomplete.
Prior effect
    For each ``base+prior`` with its ``base`` present: the paired bootstrap
    difference on the seeds both finished, oriented so positive means the prior
    helps, with its 95% interval; significant when the interval excludes 0.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.load import RunSet
from regshift_bench.leaderboard.resample import BootstrapUnavailable, group_rng, paired_bootstrap

Entry = tuple[str, Condition, int]  # model, condition, seed


def _one_blas_thread() -> AbstractContextManager[object]:
    """One BLAS thread: the products are small, and spinning threads cost more than they save."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(1, user_api="blas")


@dataclass
class BootScores:
    """Per (model, condition, seed): a point value and its bootstrap samples (B,)."""

    metric: str
    higher_is_better: bool
    n_boot: int
    ci: float
    seeds: dict[Condition, list[int]]
    point: dict[Entry, float] = field(default_factory=dict)
    samples: dict[Entry, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def sign(self) -> float:
        return 1.0 if self.higher_is_better else -1.0

    def has(self, model: str, cond: Condition, seeds: list[int] | None = None) -> bool:
        want = self.seeds.get(cond, []) if seeds is None else seeds
        return bool(want) and all((model, cond, s) in self.point for s in want)

    def mean(self, model: str, cond: Condition, seeds: list[int]) -> tuple[float, np.ndarray]:
        """Seed-averaged point and samples over ``seeds`` (all must be present)."""
        pts = [self.point[(model, cond, s)] for s in seeds]
        return float(np.mean(pts)), np.mean([self.samples[(model, cond, s)] for s in seeds], axis=0)


def boot_scores(runs: RunSet, task: str, metric: str, higher_is_better: bool,
                conditions: list[Condition], models: list[str], *, n_boot: int = 1000,
                random_state: int = 0, ci: float = 0.95) -> BootScores:
    """Bootstrap ``metric`` for every model on every condition and seed of ``task``.

    Only the predictions of these cells and splits are read (columns row, y, mean, var).
    """
    plan = runs.plan.loc[runs.plan["task"] == task]
    seeds = {c: sorted(int(s) for s in plan.loc[(plan["shift"] == c.shift)
                                                & (plan["severity"] == c.severity), "seed"].unique())
             for c in conditions}
    out = BootScores(metric, higher_is_better, n_boot, ci, seeds)
    ok = plan.loc[(plan["status"] == "ok") & plan["model"].isin(models)]
    for cond in conditions:
        rows = ok.loc[(ok["shift"] == cond.shift) & (ok["severity"] == cond.severity)]
        for seed, group in rows.groupby("seed", sort=True):
            data = {}
            for model, src, cell in group[["model", "src", "cell"]].itertuples(index=False):
                pred = runs.predictions(int(src), str(cell), cond.split)
                if pred is not None and len(pred["row"]):
                    data[model] = pred
            if not data:
                continue
            common = next(iter(data.values()))["row"]
            for pred in data.values():  # pair on example rows present for every model
                if len(pred["row"]) != len(common) or not np.array_equal(pred["row"], common):
                    common = np.intersect1d(common, pred["row"])
            arrays: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
            for model, pred in data.items():
                keep = (slice(None) if len(pred["row"]) == len(common)
                        else np.isin(pred["row"], common))
                y, mean, var = (np.asarray(pred[c][keep], dtype=np.float64)
                                for c in ("y", "mean", "var"))
                arrays[model] = (y, mean, var)
            rng = group_rng(random_state, task, cond.shift, cond.severity, cond.split, int(seed))
            try:
                with _one_blas_thread():
                    res = paired_bootstrap(arrays, metric, n_boot=n_boot, rng=rng)
            except BootstrapUnavailable as exc:
                out.notes.append(str(exc))
                return out
            for model, (point, samples) in res.items():
                out.point[(model, cond, int(seed))] = point
                out.samples[(model, cond, int(seed))] = samples
    return out


def _interval(samples: np.ndarray, ci: float) -> tuple[float, float]:
    if not np.isfinite(samples).any() and not np.isinf(samples).any():
        return float("nan"), float("nan")
    lo, hi = np.nanpercentile(samples, [50 * (1 - ci), 50 * (1 + ci)])
    return float(lo), float(hi)


def tie_groups(order: list[str], oriented: dict[str, np.ndarray], ci: float) -> dict[str, int]:
    """Tie groups by the leader-chain rule; ``order`` is best first, samples oriented."""
    groups: dict[str, int] = {}
    leader, group = None, 0
    for model in order:
        if leader is not None:
            low, _ = _interval(oriented[leader] - oriented[model], ci)
            if low > 0:  # the leader is significantly better: open a new group
                leader = None
        if leader is None:
            leader, group = model, group + 1
        groups[model] = group
    return groups


def robustness(bs: BootScores, models: list[str], conditions: list[Condition]) -> pd.DataFrame:
    """One row per model: score with CI, median rank with CI, tie group, completeness."""
    ood = [c for c in conditions if not c.is_reference] or list(conditions)
    rows, oriented = [], {}
    for model in models:
        have = [c for c in ood if bs.has(model, c)]
        row: dict[str, Any] = {"model": model, "score": np.nan, "score_low": np.nan, "score_high": np.nan,
               "n_conditions": len(have), "n_planned": len(ood),
               "complete": bool(bs.point) and len(have) == len(ood),
               "note": "" if len(have) == len(ood) else
               f"predictions for {len(have)}/{len(ood)} conditions"}
        if have:
            means = [bs.mean(model, c, bs.seeds[c]) for c in have]
            samples = np.mean([s for _, s in means], axis=0)
            row["score"] = float(np.mean([p for p, _ in means]))
            row["score_low"], row["score_high"] = _interval(samples, bs.ci)
            # An undefined score (e.g. pearson of a constant predictor) cannot be ranked.
            if row["complete"] and not np.isfinite(row["score"]):
                row["complete"], row["note"] = False, f"{bs.metric} undefined (e.g. constant predictions)"
            if row["complete"]:  # a rare undefined resample counts as the worst score
                oriented[model] = np.nan_to_num(bs.sign() * samples, nan=-np.inf)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["rank"] = frame["rank_low"] = frame["rank_high"] = np.nan
    frame["tie_group"] = np.nan
    ranked = [m for m in models if m in oriented]
    if ranked:
        matrix = np.vstack([oriented[m] for m in ranked])  # (M, B)
        ranks = stats.rankdata(-matrix, axis=0, method="average")
        pos = frame.set_index("model").index
        for i, model in enumerate(ranked):
            lo, hi = _interval(ranks[i], bs.ci)
            frame.loc[pos.get_loc(model), ["rank", "rank_low", "rank_high"]] = (
                float(np.median(ranks[i])), lo, hi)
        score = frame.set_index("model")["score"]
        order = sorted(ranked, key=lambda m: -bs.sign() * score[m])
        for model, g in tie_groups(order, oriented, bs.ci).items():
            frame.loc[pos.get_loc(model), "tie_group"] = g
    key = np.where(frame["complete"], -bs.sign() * frame["score"], np.inf)
    return frame.iloc[np.lexsort((frame["model"].to_numpy(), key))].reset_index(drop=True)


def prior_pairs(models: list[str]) -> list[tuple[str, str]]:
    """(``base+prior``, ``base``) pairs whose base is present (base = text before '+')."""
    present = set(models)
    return [(m, m.split("+", 1)[0]) for m in sorted(models)
            if "+" in m and m.split("+", 1)[0] in present]


def prior_effect(bs: BootScores, pairs: list[tuple[str, str]],
                 conditions: list[Condition]) -> pd.DataFrame:
    """Paired bootstrap difference prior - base per condition (positive = prior helps)."""
    rows = []
    for model, base in pairs:
        for cond in conditions:
            seeds = [s for s in bs.seeds.get(cond, [])
                     if (model, cond, s) in bs.point and (base, cond, s) in bs.point]
            row: dict[str, Any] = {"model": model, "base": base, "condition": cond.label, "shift": cond.shift,
                   "severity": cond.severity, "split": cond.split, "n_seeds": len(seeds),
                   "n_expected": len(bs.seeds.get(cond, [])), "diff": np.nan, "low": np.nan,
                   "high": np.nan, "significant": False}
            if seeds:
                p_m, s_m = bs.mean(model, cond, seeds)
                p_b, s_b = bs.mean(base, cond, seeds)
                row["diff"] = bs.sign() * (p_m - p_b)
                row["low"], row["high"] = _interval(bs.sign() * (s_m - s_b), bs.ci)
                row["significant"] = bool(row["low"] > 0 or row["high"] < 0)
            rows.append(row)
    return pd.DataFrame(rows, columns=["model", "base", "condition", "shift", "severity", "split",
                                       "n_seeds", "n_expected", "diff", "low", "high",
                                       "significant"])
