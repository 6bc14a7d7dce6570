"""Findings: the registered claims and each model's "what breaks it", judged on a run.

This module is the toolkit a claim's judge uses (:class:`TaskView`, :func:`judge`,
:class:`Check`); :mod:`.findings_claims` runs the registered claims
(:class:`regshift_bench.api.Claim`, hook ``rsbench_register_claims``) and the core's
per-model "what breaks it" line (:mod:`.findings_breaks`).

Every estimate is a seed-averaged point with a hierarchical bootstrap interval
(:mod:`regshift_bench.bootstrap.hierarchical`, via :mod:`.findings_evidence`). A
check is *inconclusive* when its cells are missing, its interval straddles its
threshold, or it rests on fewer than :data:`MIN_SEEDS` seeds.

Yardsticks
    On a task with an oracle (:attr:`regshift_bench.api.Task.has_oracle`, e.g. the
    simulator's source oracle: the source mechanism applied to each test sequence)
    a model is judged by what it loses *beyond the oracle on the same examples*:
    a shift that moves the labels costs the oracle as much as any model, and is
    not the model's failure. Without an oracle, the controls (constant and
    GC-only predictors a claim names) play that part: a loss they show as strongly
    is a change of the label distribution. Every criterion is relative to the
    model's own in-distribution value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from regshift_bench.api.claim import FAILS, HOLDS, UNSURE, Reads
from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.board import Leaderboard
from regshift_bench.leaderboard.declared import Declared, declared
from regshift_bench.leaderboard.findings_evidence import Est, Evidence, collect, oracle_values
from regshift_bench.leaderboard.tables import fmt

__all__ = [
    "FAILS",
    "HOLDS",
    "MIN_SEEDS",
    "UNSURE",
    "Check",
    "Est",
    "Finding",
    "TaskView",
    "all_of",
    "id_twin",
    "judge",
    "view",
]

#: Fewer seeds leave training variance unmeasured: the hierarchical bootstrap needs
#: several seeds to resample, and the published presets run 3.
MIN_SEEDS = 3


@dataclass
class Finding:
    """One claim, its verdict, a statement from measured values and the per-model evidence."""

    claim: str
    verdict: str
    statement: str
    evidence: list[str] = field(default_factory=list)
    name: str = ""  # the registered claim ("" for a model's "what breaks it" line)
    controls: str = ""  # the controls' values quoted with it
    #: The claim found nothing to check in this run (no cell it reads): the tables
    #: name it in one line instead of a row; the JSON and CSV keep it in full.
    unread: bool = False


@dataclass
class Check:
    """One model×condition test: its verdict, the measured value and the rule applied."""

    verdict: str
    value: str
    rule: str = ""

    @property
    def text(self) -> str:
        return f"{self.value} {self.rule}".strip()


def _iv(label: str, e: Est, ci: float) -> str:
    lo, hi = e.interval(ci)
    return f"{label} {fmt(e.point)} [{fmt(lo)}, {fmt(hi)}]"


def judge(
    label: str, e: Est | None, ci: float, *, below: float | None = None, above: float | None = None, missing: str = ""
) -> Check:
    """Holds when the interval lies entirely below ``below`` / above ``above`` (or between)."""
    if e is None:
        return Check(UNSURE, f"{label}: {missing or 'no cells in this run'}")
    value = _iv(label, e, ci)
    if e.n_seeds < MIN_SEEDS:
        return Check(UNSURE, value, f"from {e.n_seeds} seed(s), ≥ {MIN_SEEDS} needed")
    lo, hi = e.interval(ci)
    ok = (below is None or hi < below) and (above is None or lo > above)
    bad = (below is not None and lo >= below) or (above is not None and hi <= above)
    if above is not None and below is not None:
        span = f"[{fmt(above)}, {fmt(below)}]"
        rule = "within " + span if ok else ("outside " + span if bad else "straddles an edge of " + span)
    else:
        sign, bound = ("<", below) if below is not None else (">", above)
        rule = f"{sign} {fmt(bound)}" if ok else f"{'not' if bad else 'straddles'} {sign} {fmt(bound)}"
    return Check(HOLDS if ok else FAILS if bad else UNSURE, value, rule)


def selective_gain_checks(v: TaskView, conds: Any, floor: float) -> list[Check]:
    """One check per model and condition: ``selective_gain`` above ``floor``.

    A model whose σ² is constant (every resample exactly 1) is left out: abstaining
    on it is random, so there is nothing to test.
    """
    checks = []
    for c in conds:
        for m in v.models:
            e = v.est("selective_gain", m, c)
            if e is not None and e.point == 1.0 and (e.samples == 1.0).all():
                continue
            checks.append(judge(f"{m} {v.task} {c.label}: selective_gain (mse / risk@50)", e, v.ci, above=floor))
    return checks


def all_of(checks: list[Check]) -> str:
    """AND of several checks: any failure fails, all holding holds, else inconclusive."""
    if not checks:
        return UNSURE
    if any(c.verdict == FAILS for c in checks):
        return FAILS
    return HOLDS if all(c.verdict == HOLDS for c in checks) else UNSURE


def id_twin(cond: Condition) -> Condition:
    """The in-distribution split of the same cells."""
    return Condition(cond.shift, cond.severity, "test_id", cond.kind)


@dataclass
class TaskView:
    """One task's evidence and what the claims look up.

    ``models`` are the learned models (claims judge them); ``controls`` the control
    models present in the run (quoted beside them, never judged).
    """

    task: str
    models: list[str]
    conds: list[Condition]
    ev: Evidence
    refs: pd.DataFrame  # reference rows (Aggregate.references)
    ci: float
    oracle: str = ""  # the task's declared oracle reference ("" = none)
    controls: list[str] = field(default_factory=list)
    decl: Declared = field(default_factory=Declared)
    #: The runs themselves, for claims that read beyond the models' own rows (the
    #: intervention cells: regshift_bench.leaderboard.interventions).
    runs: Any = None
    #: What the reader should know about this task's evidence (e.g. an unpaired oracle).
    notes: list[str] = field(default_factory=list)

    @property
    def has_oracle(self) -> bool:
        """Whether the task declares an oracle (:attr:`regshift_bench.api.Task.has_oracle`)."""
        return bool(self.oracle)

    def family(self, cond: Condition) -> str:
        """``"input"`` (the shift moves the test inputs) or ``"label"`` (only the labels)."""
        return self.decl.family(cond.shift, cond.kind)

    def ood(self, family: str | None = None) -> list[Condition]:
        """OOD conditions (of one shift family)."""
        return [c for c in self.conds if not c.is_reference and (family is None or self.family(c) == family)]

    def cond(self, shift: str, severity: float) -> list[Condition]:
        return [c for c in self.conds if c.shift == shift and c.severity == severity and not c.is_reference]

    def est(self, metric: str, model: str, cond: Condition) -> Est | None:
        return self.ev.get(metric, model, cond)

    def rise(self, metric: str, model: str, cond: Condition) -> Est | None:
        """OOD − ID of the same cells (paired over seeds, independent test sets)."""
        ood, ident = self.est(metric, model, cond), self.est(metric, model, id_twin(cond))
        return None if ood is None or ident is None else ood.combine(ident, "-")

    def oracle_est(self, metric: str, cond: Condition) -> Est | None:
        """The oracle's value on ``cond`` (None on a task without one)."""
        return self.ev.get_oracle(metric, cond, self.oracle) if self.oracle else None

    def oracle_rise(self, metric: str, cond: Condition) -> Est | None:
        ood, ident = self.oracle_est(metric, cond), self.oracle_est(metric, id_twin(cond))
        return None if ood is None or ident is None else ood.combine(ident, "-")

    def loss_beyond(
        self, metric: str, model: str, cond: Condition, *, higher_is_better: bool = False, relative: bool = True
    ) -> Est | None:
        """What ``model`` loses on ``cond`` beyond the oracle (or, without one, at all).

        The loss is the rise (``mse``: OOD − ID) or drop (``higher_is_better``: ID − OOD)
        of the model minus the oracle's on the same examples; with ``relative`` it is
        divided by the model's own ID value (a relative rise).
        """
        own = self.rise(metric, model, cond)
        if own is None:
            return None
        if higher_is_better:
            own = Est(-own.point, -own.samples, own.n_seeds)
        if self.oracle:
            ref = self.oracle_rise(metric, cond)
            if ref is None:
                return None
            if higher_is_better:
                ref = Est(-ref.point, -ref.samples, ref.n_seeds)
            own = own.combine(ref, "-")
        if relative:
            ident = self.est(metric, model, id_twin(cond))
            if ident is None or ident.point == 0:
                return None
            own = own.combine(Est(abs(ident.point), abs(ident.samples), ident.n_seeds), "/")
        return own

    def side_by_side(self, metric: str, cond: Condition, models: list[str]) -> str:
        """``model ID → OOD`` for ``models``, then the oracle and the controls (points)."""
        parts = []
        who = [*models, *([self.oracle] if self.oracle else []), *(c for c in self.controls if c not in models)]
        for name in who:
            if name == self.oracle:
                a, b = self.oracle_est(metric, id_twin(cond)), self.oracle_est(metric, cond)
                name = f"{name} (oracle)"
            else:
                a, b = self.est(metric, name, id_twin(cond)), self.est(metric, name, cond)
            if a is not None or b is not None:
                parts.append(f"{name} {fmt(a.point if a else None)} → {fmt(b.point if b else None)}")
        return f"{metric} ID → OOD: " + ", ".join(parts) if parts else ""


#: Metrics every view collects: the "what breaks it" line reads them on every condition.
CORE_METRICS = ("mse", "coverage_90")


def _wanted(
    lb: Leaderboard, task: str, conds: list[Condition], decl: Declared, reads: list[Reads]
) -> dict[str, set[Condition]]:
    """Per metric, the conditions (and their ID twins) some claim or the core reads."""
    everywhere = set(conds) | {id_twin(c) for c in conds if not c.is_reference}
    wanted: dict[str, set[Condition]] = {m: set(everywhere) for m in CORE_METRICS}
    for r in reads:
        if r.tasks and task not in r.tasks:
            continue
        picked = {
            c
            for c in conds
            if (not r.shifts or c.shift in r.shifts)
            and (not r.families or c.is_reference or decl.family(c.shift, c.kind) in r.families)
        }
        picked |= {id_twin(c) for c in picked if not c.is_reference}
        for m in r.metrics:
            wanted.setdefault(m, set()).update(picked)
    # An OOD split only where the runner recorded the metric (Aggregate.recorded).
    agg = lb.agg
    out = {}
    for m, cs in wanted.items():
        recorded = agg.recorded(task, m)
        out[m] = {c for c in cs if not c.split.startswith("test_ood") or (c.shift, c.severity, c.split) in recorded}
    return out


def view(
    lb: Leaderboard,
    task: str,
    *,
    reads: list[Reads] | None = None,
    controls: list[str] | None = None,
    decl: Declared | None = None,
) -> TaskView:
    """Collect the findings' evidence for ``task`` of a built leaderboard.

    ``reads`` are the registered claims' :class:`~regshift_bench.api.Reads` (what to
    collect); ``controls`` the control models (quoted, not judged).
    """
    agg = lb.agg
    decl = decl or declared(lb.runs)
    # Class sub-splits (test_ood/<set>/<class>) are parts of a set already counted.
    conds = [c for c in agg.conditions(task, "all") if c.split.count("/") <= 1]
    wanted = _wanted(lb, task, conds, decl, reads or [])
    present = agg.models(task)
    ctl = [m for m in (controls or []) if m in present]
    models = [m for m in present if m not in ctl]
    opts = lb.options
    oracle = decl.oracle_of(task)
    ev, _ = collect(
        lb.runs,
        task,
        wanted,
        present,
        n_boot=int(opts.get("n_boot", 1000)),
        random_state=int(opts.get("random_state", 0)),
        oracle=oracle,
    )
    notes = []
    if oracle:
        ev.oracle = oracle_values(lb.runs, task, oracle, set(wanted), set().union(*wanted.values()))
        if not any(key[1] == oracle for key in ev.point):
            notes.append(
                f"{task}: the run stored no per-example {oracle} predictions, so the "
                "oracle is resampled over seeds only and differences to it are not "
                "paired by example (wider intervals)"
            )
    return TaskView(
        task, models, conds, ev, agg.references, float(opts.get("ci", 0.95)), oracle, ctl, decl, lb.runs, notes
    )
