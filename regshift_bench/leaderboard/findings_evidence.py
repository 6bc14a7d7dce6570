"""Evidence for the findings: paired bootstrap estimates over test examples *and* seeds.

Each (condition, seed) group is read once and every metric the findings need is
scored on it through :func:`regshift_bench.bootstrap.paired_scores` with the
group's own generator (:func:`~regshift_bench.leaderboard.ranks.group_rng`), so
every metric and model of a group is scored on the *same* resampled examples.
Seeds are then resampled too: resample ``b`` averages, over ``S`` seeds drawn with
replacement, each drawn seed's resample ``b``. The seed draws depend only on the
task and ``S``, so an ID split and an OOD split of the same cells (or two models)
share them and differences between them stay paired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from regshift_bench.bootstrap import paired_scores, resolve_metric
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
                return Est(self.point - other.point, self.samples - other.samples,
                           min(self.n_seeds, other.n_seeds))
            return Est(self.point / other.point, self.samples / other.samples,
                       min(self.n_seeds, other.n_seeds))


def mean_of(ests: list[Est]) -> Est:
    """The mean of several estimates (e.g. over the shifts of one kind)."""
    return Est(float(np.mean([e.point for e in ests])),
               np.mean([e.samples for e in ests], axis=0), min(e.n_seeds for e in ests))


@dataclass
class Evidence:
    """Per (metric, model, condition, seed): point and (B,) example-bootstrap samples."""

    task: str
    n_boot: int
    random_state: int
    point: dict[tuple[str, str, Condition, int], float] = field(default_factory=dict)
    samples: dict[tuple[str, str, Condition, int], np.ndarray] = field(default_factory=dict)
    _draws: dict[int, np.ndarray] = field(default_factory=dict)

    def seeds(self, metric: str, model: str, cond: Condition) -> list[int]:
        return sorted(s for (m, mo, c, s) in self.point if (m, mo, c) == (metric, model, cond))

    def _seed_draws(self, n_seeds: int) -> np.ndarray:
        """(B, S) seed indices drawn with replacement, the same for every condition and model."""
        if n_seeds not in self._draws:
            rng = group_rng(self.random_state, self.task, "findings-seeds", n_seeds)
            self._draws[n_seeds] = rng.integers(0, n_seeds, size=(self.n_boot, n_seeds))
        return self._draws[n_seeds]

    def get(self, metric: str, model: str, cond: Condition,
            seeds: Iterable[int] | None = None) -> Est | None:
        """Seed-resampled estimate over ``seeds`` (default: every seed scored); None if absent."""
        use = sorted(seeds) if seeds is not None else self.seeds(metric, model, cond)
        keys = [(metric, model, cond, s) for s in use]
        if not use or any(k not in self.point for k in keys):
            return None
        stack = np.vstack([self.samples[k] for k in keys])  # (S, B)
        draws = self._seed_draws(len(use))
        cols = np.arange(stack.shape[1])[:, None]
        samples = stack.T[cols, draws].mean(axis=1)  # resample b: mean of its drawn seeds' b
        return Est(float(np.mean([self.point[k] for k in keys])), samples, len(use))


def collect(runs: RunSet, task: str, wanted: dict[str, set[Condition]], models: list[str], *,
            n_boot: int, random_state: int) -> tuple[Evidence, list[str]]:
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
                examples = _examples(runs, group, cond.split)
                if not examples:
                    continue
                for name, plugin in plugins.items():
                    if cond not in wanted[name]:
                        continue
                    rng = group_rng(random_state, task, cond.shift, cond.severity, cond.split,
                                    int(seed))
                    try:
                        res = paired_scores(plugin, examples, n_boot=n_boot, rng=rng)
                    except MetricSkipped:
                        continue  # e.g. oracle metrics on real data: the claim says so itself
                    for model, (point, samples) in res.items():
                        ev.point[(name, model, cond, int(seed))] = point
                        ev.samples[(name, model, cond, int(seed))] = samples
    return ev, notes
