"""Bootstrap rank intervals, tie groups and the prior effect.

Robustness score
    The mean over a task's OOD conditions (each shift at the severity shown) of
    the chosen metric, each condition first averaged over seeds.
Rank interval
    Hierarchical bootstrap (:mod:`regshift_bench.bootstrap.hierarchical`): each
    resample draws the seeds with replacement (the same draws for every model and
    condition with the same seeds) and, within each drawn seed, the test examples
    (``n_boot`` times, indices shared by all models of a (condition, seed) group);
    each resample gives every model a score and a rank (1 = best, ties averaged).
    Reported: the median rank and the central 95% interval of the ranks, so
    training variance between seeds widens them as much as test-sample variance.
Tie groups (leader chain)
    Models are ordered by their score on the full data. The first model leads
    group 1. Each next model joins the current group when the 95% paired-bootstrap
    interval of ``score(leader) - score(model)`` (oriented so larger is better)
    contains 0 - the two are not separable on these examples. The first model
    the current leader beats significantly leads the next group. Comparing with
    the leader, not the previous model, stops long chains of small steps from
    tying everything together.
Shared conditions
    A preset may leave an expensive model out of some shifts (e.g. a selection shift
    that retrains). A task's models are then ranked over the set of OOD conditions
    that covers the most (model, condition) pairs: the task's full set, or the set one
    of the models ran (:func:`shared_conditions`; ties go to the larger set). Models
    that lack a condition of the chosen set are shown unranked; the conditions left
    out are named in a note with the models that did not run them.
Incomplete models
    A model without predictions for every seed of a ranked condition is not ranked;
    its score over what it has is shown, marked incomplete.
Prior effect
    For each ``base+prior`` with its ``base`` present: the paired bootstrap
    difference on the seeds both finished, oriented so positive means the prior
    helps, with its 95% interval; significant when the Holm-adjusted two-sided
    bootstrap p-value over the pair's conditions (one family: they share the models
    and often the test inputs) is below 1 − ci.
"""

from __future__ import annotations

import zlib
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from regshift_bench.bootstrap import (
    Examples,
    holm,
    paired_scores,
    resolve_metric,
    seed_average,
    seed_draws,
    two_sided_pvalue,
)
from regshift_bench.bootstrap.paired import resample_path
from regshift_bench.errors import BootstrapUnavailable, MetricSkipped
from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.load import RunSet

Entry = tuple[str, Condition, int]  # model, condition, seed
#: Most resamples for a metric scored only through its ``__call__`` (one Python call
#: per resample, model and group).
CALL_PATH_MAX_BOOT = 200


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
    #: Seeds the seed draws of the hierarchical bootstrap (with the task's name).
    random_state: int = 0
    task: str = ""
    _draws: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict, repr=False)

    def sign(self) -> float:
        return 1.0 if self.higher_is_better else -1.0

    def has(self, model: str, cond: Condition, seeds: list[int] | None = None) -> bool:
        want = self.seeds.get(cond, []) if seeds is None else seeds
        return bool(want) and all((model, cond, s) in self.point for s in want)

    def draws(self, seeds: list[int]) -> np.ndarray:
        """(B, S) seed draws for averaging over ``seeds``; shared by every model and condition."""
        key = tuple(sorted(seeds))
        if key not in self._draws:
            rng = group_rng(self.random_state, self.task, "seeds", key)
            self._draws[key] = seed_draws(rng, self.n_boot, len(key))
        return self._draws[key]

    def mean(self, model: str, cond: Condition, seeds: list[int]) -> tuple[float, np.ndarray]:
        """Seed-averaged point and hierarchical samples (B,) over ``seeds`` (all present)."""
        use = sorted(seeds)
        pts = [self.point[(model, cond, s)] for s in use]
        stack = np.vstack([self.samples[(model, cond, s)] for s in use])  # (S, B)
        return float(np.mean(pts)), seed_average(stack, self.draws(use))


def group_rng(random_state: int, *parts: object) -> np.random.Generator:
    """A generator for one resampling group, independent of which other groups exist."""
    words = [zlib.crc32(repr(p).encode()) for p in parts]
    return np.random.default_rng(np.random.SeedSequence([int(random_state), *words]))


def _examples(runs: RunSet, group: pd.DataFrame, split: str) -> dict[str, Examples]:
    """Each model's split of one (condition, seed) group, paired on the rows all models have."""
    data = {}
    for model, src, cell in group[["model", "src", "cell"]].itertuples(index=False):
        pred = runs.predictions(int(src), str(cell), split)
        if pred is not None and len(pred["row"]):
            data[model] = pred
    if not data:
        return {}
    common = next(iter(data.values()))["row"]
    for pred in data.values():
        if len(pred["row"]) != len(common) or not np.array_equal(pred["row"], common):
            common = np.intersect1d(common, pred["row"])
    out = {}
    for model, pred in data.items():
        keep = slice(None) if len(pred["row"]) == len(common) else np.isin(pred["row"], common)
        out[model] = Examples.of(*(pred[c][keep] for c in ("y", "mean", "var", "y_true", "noise_var")))
    return out


def boot_scores(
    runs: RunSet,
    task: str,
    metric: str,
    higher_is_better: bool,
    conditions: list[Condition],
    models: list[str],
    *,
    n_boot: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
) -> BootScores:
    """Bootstrap ``metric`` for every model on every condition and seed of ``task``.

    The metric plugin scores the per-example predictions (``predictions/<cell>.parquet``)
    through :func:`regshift_bench.bootstrap.paired_scores`: the full-sample value is the
    plugin's own call (equal to ``results.parquet``), resamples share indices across
    models. A metric that needs ``reference`` gets the same cell's ``test_id`` split.
    """
    plan = runs.plan.loc[runs.plan["task"] == task]
    seeds = {
        c: sorted(
            int(s) for s in plan.loc[(plan["shift"] == c.shift) & (plan["severity"] == c.severity), "seed"].unique()
        )
        for c in conditions
    }
    out = BootScores(metric, higher_is_better, n_boot, ci, seeds, random_state=random_state, task=task)
    try:
        plugin = resolve_metric(metric)
    except BootstrapUnavailable as exc:
        out.notes.append(str(exc))
        return out
    needs_ref = "reference" in getattr(plugin, "needs", ())
    if resample_path(plugin, needs_ref) == "call" and n_boot > CALL_PATH_MAX_BOOT:
        # One Python call per resample: cap the count so big grids stay minutes, not hours.
        out.notes.append(
            f"{metric} offers only the plugin call (no array path), so it was "
            f"resampled {CALL_PATH_MAX_BOOT} times instead of {n_boot}"
        )
        n_boot = out.n_boot = CALL_PATH_MAX_BOOT
    ok = plan.loc[(plan["status"] == "ok") & plan["model"].isin(models)]
    with _one_blas_thread():  # set up once: finding the BLAS libraries costs ~10 ms
        _score_groups(runs, task, plugin, needs_ref, ok, conditions, out, n_boot, random_state)
    return out


def _score_groups(
    runs: RunSet,
    task: str,
    plugin: Any,
    needs_ref: bool,
    ok: pd.DataFrame,
    conditions: list[Condition],
    out: BootScores,
    n_boot: int,
    random_state: int,
) -> None:
    skipped: list[str] = []
    for cond in conditions:
        if needs_ref and not cond.split.startswith("test_ood"):
            continue  # as in the runner: a reference metric scores shifted splits only
        rows = ok.loc[(ok["shift"] == cond.shift) & (ok["severity"] == cond.severity)]
        for seed, group in rows.groupby("seed", sort=True):
            examples = _examples(runs, group, cond.split)
            if not examples:
                continue
            reference = _examples(runs, group, "test_id") if needs_ref else None
            rng = group_rng(random_state, task, cond.shift, cond.severity, cond.split, int(seed))
            try:
                res = paired_scores(plugin, examples, n_boot=n_boot, rng=rng, reference=reference)
            except MetricSkipped as exc:
                if cond.label not in skipped:
                    skipped.append(cond.label)
                    out.notes.append(f"{cond.label}: {exc}")
                continue
            for model, (point, samples) in res.items():
                out.point[(model, cond, int(seed))] = point
                out.samples[(model, cond, int(seed))] = samples


def ceiling_relative(bs: BootScores, ceilings: dict[Condition, float]) -> BootScores:
    """Scores relative to a ceiling per condition: ``x / c`` when higher is better
    (1 = as good as the ceiling), else ``x − c`` (excess over the floor; 0 = at it).

    Conditions without a ceiling keep their raw values.
    """
    out = BootScores(
        bs.metric,
        bs.higher_is_better,
        bs.n_boot,
        bs.ci,
        bs.seeds,
        notes=list(bs.notes),
        random_state=bs.random_state,
        task=bs.task,
    )
    for key, point in bs.point.items():
        c = ceilings.get(key[1])
        if c is None:
            out.point[key], out.samples[key] = point, bs.samples[key]
        elif bs.higher_is_better:
            out.point[key], out.samples[key] = point / c, bs.samples[key] / c
        else:
            out.point[key], out.samples[key] = point - c, bs.samples[key] - c
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


def shared_conditions(
    bs: BootScores, models: list[str], conditions: list[Condition]
) -> tuple[list[Condition], dict[Condition, list[str]]]:
    """The conditions to rank a task's models over, and those left out.

    A model *ran* a condition when it has a prediction for at least one of its seeds
    (a model missing some seeds keeps the condition and is shown incomplete). The
    candidates are the full ``conditions`` and the set each model ran; the one whose
    conditions every one of the most models ran, counted as models x conditions,
    wins, the larger set on a tie, the earlier candidate after that.

    Parameters
    ----------
    bs : BootScores
    models : list of str
    conditions : list of Condition

    Returns
    -------
    chosen : list of Condition
        In the order of ``conditions``.
    left_out : dict
        Each condition not chosen -> the models that did not run it.
    """

    def ran(model: str, cond: Condition) -> bool:
        return any((model, cond, s) in bs.point for s in bs.seeds.get(cond, []))

    active = [m for m in models if any(ran(m, c) for c in conditions)]
    candidates: list[tuple[Condition, ...]] = [tuple(conditions)]
    for m in active:
        own = tuple(c for c in conditions if ran(m, c))
        if own not in candidates:
            candidates.append(own)

    def coverage(cs: tuple[Condition, ...]) -> tuple[int, int]:
        complete = sum(all(ran(m, c) for c in cs) for m in active)
        return complete * len(cs), len(cs)

    chosen = max(candidates, key=coverage)  # max keeps the first of equals
    if not chosen:
        return list(conditions), {}
    left_out = {c: [m for m in active if not ran(m, c)] for c in conditions if c not in chosen}
    return list(chosen), left_out


def robustness(bs: BootScores, models: list[str], conditions: list[Condition]) -> pd.DataFrame:
    """One row per model: score with CI, median rank with CI, tie group, completeness."""
    ood = [c for c in conditions if not c.is_reference] or list(conditions)
    rows, oriented = [], {}
    for model in models:
        have = [c for c in ood if bs.has(model, c)]
        row: dict[str, Any] = {
            "model": model,
            "score": np.nan,
            "score_low": np.nan,
            "score_high": np.nan,
            "n_conditions": len(have),
            "n_planned": len(ood),
            "complete": bool(bs.point) and bool(ood) and len(have) == len(ood),
            "note": "" if len(have) == len(ood) else f"predictions for {len(have)}/{len(ood)} conditions",
        }
        if not ood:
            row["note"] = f"no OOD condition records {bs.metric}"
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
            frame.loc[pos.get_loc(model), ["rank", "rank_low", "rank_high"]] = (float(np.median(ranks[i])), lo, hi)
        score = frame.set_index("model")["score"]
        order = sorted(ranked, key=lambda m: -bs.sign() * score[m])
        for model, g in tie_groups(order, oriented, bs.ci).items():
            frame.loc[pos.get_loc(model), "tie_group"] = g
    key = np.where(frame["complete"], -bs.sign() * frame["score"], np.inf)
    return frame.iloc[np.lexsort((frame["model"].to_numpy(), key))].reset_index(drop=True)


def prior_pairs(models: list[str]) -> list[tuple[str, str]]:
    """(``base+prior``, ``base``) pairs whose base is present (base = text before '+')."""
    present = set(models)
    return [(m, m.split("+", 1)[0]) for m in sorted(models) if "+" in m and m.split("+", 1)[0] in present]


def prior_effect(bs: BootScores, pairs: list[tuple[str, str]], conditions: list[Condition]) -> pd.DataFrame:
    """Paired bootstrap difference prior - base per condition (positive = prior helps)."""
    rows = []
    for model, base in pairs:
        for cond in conditions:
            seeds = [s for s in bs.seeds.get(cond, []) if (model, cond, s) in bs.point and (base, cond, s) in bs.point]
            row: dict[str, Any] = {
                "model": model,
                "base": base,
                "condition": cond.label,
                "shift": cond.shift,
                "severity": cond.severity,
                "split": cond.split,
                "n_seeds": len(seeds),
                "n_expected": len(bs.seeds.get(cond, [])),
                "diff": np.nan,
                "low": np.nan,
                "high": np.nan,
                "p": np.nan,
                "p_holm": np.nan,
                "significant": False,
            }
            if seeds:
                p_m, s_m = bs.mean(model, cond, seeds)
                p_b, s_b = bs.mean(base, cond, seeds)
                row["diff"] = bs.sign() * (p_m - p_b)
                row["low"], row["high"] = _interval(bs.sign() * (s_m - s_b), bs.ci)
                row["p"] = two_sided_pvalue(s_m - s_b)
            rows.append(row)
    frame = pd.DataFrame(
        rows,
        columns=[
            "model",
            "base",
            "condition",
            "shift",
            "severity",
            "split",
            "n_seeds",
            "n_expected",
            "diff",
            "low",
            "high",
            "p",
            "p_holm",
            "significant",
        ],
    )
    for _, idx in frame.groupby("model").groups.items():  # one family per prior pair
        tested = [i for i in idx if np.isfinite(frame.at[i, "p"])]
        if tested:
            frame.loc[tested, "p_holm"] = holm(frame.loc[tested, "p"].to_numpy())
    frame["significant"] = (frame["p_holm"] < 1 - bs.ci).fillna(False).astype(bool)
    return frame
