"""Evidence for the findings: hierarchical bootstrap estimates over seeds and test examples.

Each (condition, seed) group is read once and every metric the findings need is
scored on it through :func:`regshift_bench.bootstrap.paired_scores` with the
group's own generator (:func:`~regshift_bench.leaderboard.ranks.group_rng`), so
every metric and model of a group is scored on the *same* resampled examples.
Seeds are then resampled too: resample ``b`` averages, over ``S`` seeds drawn with
replacement, each drawn seed's resample ``b``. The seed draws depend only on the
task and ``S``, so an ID split and an OOD split of the same cells (or two models)
share them and differences between them stay paired.

The task's oracle (a reference, :mod:`.declared`) is scored on the same examples as
the models. Where the run stored its per-example predictions
(``predictions/<cell>.references.parquet``) it is resampled with the models, on the
same indices, so model − oracle differences are paired example by example;
otherwise its per-seed values from the results are resampled over seeds only (the
interval of a difference then carries the model's example variance unpaired:
wider, never narrower, than the paired one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regshift_bench.bootstrap import Examples, paired_scores, resolve_metric, seed_average, seed_draws
from regshift_bench.errors import BootstrapUnavailable, MetricSkipped
from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.load import RunSet
from regshift_bench.leaderboard.ranks import _examples, _one_blas_thread, group_rng


@dataclass(frozen=True)
class Est:
    """A seed-averaged point value and its (B,) bootstrap samples over examples and seeds."""

    point: float
    samples: np.ndarray
    n_seeds: int

    def interval(self, ci: float) -> tuple[float, float]:
        """Central ``ci`` percentile interval of the samples (NaN when none is finite)."""
        finite = self.samples[np.isfinite(self.samples)]
        if not finite.size:
            return float("nan"), float("nan")
        lo, hi = np.percentile(finite, [50 * (1 - ci), 50 * (1 + ci)])
        return float(lo), float(hi)

    def combine(self, other: Est, op: str) -> Est:
        """``self op other`` sample by sample (op in - / ÷); paired when both share seeds."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if op == "-":
                return Est(self.point - other.point, self.samples - other.samples, min(self.n_seeds, other.n_seeds))
            if op == "+":
                return Est(self.point + other.point, self.samples + other.samples, min(self.n_seeds, other.n_seeds))
            return Est(self.point / other.point, self.samples / other.samples, min(self.n_seeds, other.n_seeds))


def mean_of(ests: list[Est]) -> Est:
    """The mean of several estimates (e.g. over the shifts of one kind)."""
    return Est(
        float(np.mean([e.point for e in ests])),
        np.mean([e.samples for e in ests], axis=0),
        min(e.n_seeds for e in ests),
    )


@dataclass
class Evidence:
    """Per (metric, model, condition, seed): point and (B,) example-bootstrap samples."""

    task: str
    n_boot: int
    random_state: int
    point: dict[tuple[str, str, Condition, int], float] = field(default_factory=dict)
    samples: dict[tuple[str, str, Condition, int], np.ndarray] = field(default_factory=dict)
    _draws: dict[int, np.ndarray] = field(default_factory=dict)
    #: (metric, condition, seed) -> the oracle's value on that seed's examples.
    oracle: dict[tuple[str, Condition, int], float] = field(default_factory=dict)

    def seeds(self, metric: str, model: str, cond: Condition) -> list[int]:
        return sorted(s for (m, mo, c, s) in self.point if (m, mo, c) == (metric, model, cond))

    def _seed_draws(self, n_seeds: int) -> np.ndarray:
        """(B, S) seed indices drawn with replacement, the same for every condition and model."""
        if n_seeds not in self._draws:
            rng = group_rng(self.random_state, self.task, "findings-seeds", n_seeds)
            self._draws[n_seeds] = seed_draws(rng, self.n_boot, n_seeds)
        return self._draws[n_seeds]

    def get_oracle(self, metric: str, cond: Condition, name: str = "") -> Est | None:
        """The oracle's estimate on ``cond``: paired with the models when its per-example
        predictions (``name``) were scored, else seed-resampled per-seed values."""
        paired = self.get(metric, name, cond) if name else None
        if paired is not None:
            return paired
        seeds = sorted(s for (m, c, s) in self.oracle if (m, c) == (metric, cond))
        if not seeds:
            return None
        values = np.array([self.oracle[(metric, cond, s)] for s in seeds])
        samples = values[self._seed_draws(len(seeds))].mean(axis=1)
        return Est(float(values.mean()), samples, len(seeds))

    def get(self, metric: str, model: str, cond: Condition, seeds: Iterable[int] | None = None) -> Est | None:
        """Seed-resampled estimate over ``seeds`` (default: every seed scored); None if absent."""
        use = sorted(seeds) if seeds is not None else self.seeds(metric, model, cond)
        keys = [(metric, model, cond, s) for s in use]
        if not use or any(k not in self.point for k in keys):
            return None
        stack = np.vstack([self.samples[k] for k in keys])  # (S, B)
        samples = seed_average(stack, self._seed_draws(len(use)))
        return Est(float(np.mean([self.point[k] for k in keys])), samples, len(use))


def _with_oracle(
    runs: RunSet, group: pd.DataFrame, split: str, examples: dict[str, Examples], oracle: str
) -> dict[str, Examples]:
    """``examples`` plus the oracle's, on the same rows, when the run stored them."""
    if not oracle or not examples:
        return examples
    first = next(iter(examples.values()))
    for src, cell in group[["src", "cell"]].itertuples(index=False):
        ref = runs.reference_predictions(int(src), str(cell), split, oracle)
        if ref is None or len(ref["row"]) != len(first.y):
            continue
        return {**examples, oracle: Examples.of(first.y, ref["mean"], ref["var"], first.y_true, first.noise_var)}
    return examples


def collect(
    runs: RunSet,
    task: str,
    wanted: dict[str, set[Condition]],
    models: list[str],
    *,
    n_boot: int,
    random_state: int,
    oracle: str = "",
) -> tuple[Evidence, list[str]]:
    """Score each metric of ``wanted`` for ``models`` on its conditions (every seed) of ``task``.

    Returns the evidence and notes (metrics no plugin computes).
    Metrics that need a ``reference`` split are not supported here (none of the
    findings uses one).
    """
    notes: list[str] = []
    plugins = {}
    for name in wanted:
        try:
            plugins[name] = resolve_metric(name)
        except BootstrapUnavailable as exc:
            notes.append(str(exc))
    ev = Evidence(task, n_boot, random_state)
    plan = runs.plan
    ok = plan.loc[(plan["task"] == task) & (plan["status"] == "ok") & plan["model"].isin(models)]
    conditions = sorted(set().union(*wanted.values()), key=Condition.sort_key)
    with _one_blas_thread():
        for cond in conditions:
            rows = ok.loc[(ok["shift"] == cond.shift) & (ok["severity"] == cond.severity)]
            for seed, group in rows.groupby("seed", sort=True):
                examples = _with_oracle(runs, group, cond.split, _examples(runs, group, cond.split), oracle)
                if not examples:
                    continue
                for name, plugin in plugins.items():
                    if cond not in wanted[name]:
                        continue
                    rng = group_rng(random_state, task, cond.shift, cond.severity, cond.split, int(seed))
                    try:
                        res = paired_scores(plugin, examples, n_boot=n_boot, rng=rng)
                    except MetricSkipped:
                        continue  # e.g. oracle metrics on real data: the claim says so itself
                    for model, (point, samples) in res.items():
                        ev.point[(name, model, cond, int(seed))] = point
                        ev.samples[(name, model, cond, int(seed))] = samples
    return ev, notes


def oracle_values(
    runs: RunSet, task: str, oracle: str, metrics: set[str], conds: set[Condition]
) -> dict[tuple[str, Condition, int], float]:
    """Per (metric, condition, seed): the ``oracle`` reference's value (mean over its cells)."""
    res = runs.results
    if not oracle or res.empty:
        return {}
    names = {f"{oracle}_{m}": m for m in metrics}
    rows = res.loc[
        (res["task"] == task) & (res["reference"] == oracle) & (res["status"] == "ok") & res["metric"].isin(list(names))
    ]
    wanted = {(c.shift, c.severity, c.split): c for c in conds}
    out: dict[tuple[str, Condition, int], float] = {}
    key = ["shift", "severity", "split", "metric", "seed"]
    for (shift, sev, split, metric, seed), value in rows.groupby(key)["value"].mean().items():
        cond = wanted.get((shift, float(sev), split))
        if cond is not None and np.isfinite(value):
            out[(names[metric], cond, int(seed))] = float(value)
    return out
