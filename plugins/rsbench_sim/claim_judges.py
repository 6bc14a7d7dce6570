"""The judges of the simulator study's claims (:mod:`rsbench_sim.claims`).

Each reads the leaderboard's per-task evidence (one
:class:`~regshift_bench.leaderboard.findings.TaskView` per task) and returns
``(checks, reason)``. Loaded when a leaderboard judges the claims, not when the
plugin registers them.
"""

from __future__ import annotations

from regshift_bench.api import Threshold
from regshift_bench.leaderboard.findings import (
    FAILS,
    HOLDS,
    UNSURE,
    Check,
    TaskView,
    all_of,
    judge,
    selective_gain_checks,
)
from regshift_bench.leaderboard.findings_evidence import Est, mean_of
from regshift_bench.leaderboard.ranks import prior_pairs
from rsbench_sim.claims import (
    LARGE_COVERAGE_DROP,
    LARGE_RISE,
    MILD_SEVERITY,
    MILD_SHIFT,
    NO_GAIN,
    NOISE_HIGH,
    NOISE_LOW,
    NOISE_SHIFT,
    SEVERE,
    SEVERE_SHIFTS,
    SMALL_COVERAGE_DROP,
    SMALL_RISE,
)


def _beyond(v: TaskView, m: str, c, rise: Threshold, drop: Threshold, want_small: bool) -> Check:
    """mse rise and coverage drop beyond the oracle's, judged small (or large)."""
    e_rise = v.loss_beyond("mse", m, c)
    e_drop = v.loss_beyond("coverage_90", m, c, higher_is_better=True, relative=False)
    tag = f"{m} {c.label} [{v.family(c)} shift]"
    if want_small:
        parts = [
            judge(
                f"{tag}: mse rise beyond the oracle's / own ID mse",
                e_rise,
                v.ci,
                below=rise.value,
                missing="no oracle or ID cells",
            ),
            judge(
                "coverage_90 drop beyond the oracle's", e_drop, v.ci, below=drop.value, missing="no coverage_90 cells"
            ),
        ]
        verdict = all_of(parts)
    else:  # a break: either loss suffices
        parts = [
            judge(
                f"{tag}: mse rise beyond the oracle's / own ID mse",
                e_rise,
                v.ci,
                above=rise.value,
                missing="no oracle or ID cells",
            ),
            judge(
                "coverage_90 drop beyond the oracle's", e_drop, v.ci, above=drop.value, missing="no coverage_90 cells"
            ),
        ]
        verdicts = [p.verdict for p in parts]
        verdict = HOLDS if HOLDS in verdicts else FAILS if all(x == FAILS for x in verdicts) else UNSURE
    quoted = "; ".join(filter(None, (v.side_by_side("mse", c, [m]), v.side_by_side("coverage_90", c, [m]))))
    return Check(verdict, "; ".join(p.text for p in parts) + (f" ({quoted})" if quoted else ""))


def mild_gc(views: list[TaskView]) -> tuple[list[Check], str]:
    checks = [
        _beyond(v, m, c, SMALL_RISE, SMALL_COVERAGE_DROP, True)
        for v in views
        for c in v.ood()
        if c.shift == MILD_SHIFT and 0 < c.severity <= MILD_SEVERITY
        for m in v.models
    ]
    return checks, (f"no {MILD_SHIFT} cells at severity ≤ {MILD_SEVERITY:g} on a task with an oracle")


def severe(views: list[TaskView]) -> tuple[list[Check], str]:
    checks, absent = [], []
    for v in views:
        for shift in SEVERE_SHIFTS:
            conds = v.cond(shift, SEVERE)
            if not conds:
                absent.append(f"no {shift}@{SEVERE:g} cells in {v.task}")
            checks += [_beyond(v, m, c, LARGE_RISE, LARGE_COVERAGE_DROP, False) for c in conds for m in v.models]
    if absent and checks:  # a shift the claim names is missing: the claim cannot hold
        checks.append(Check(UNSURE, "; ".join(absent)))
    return checks, "; ".join(absent) or "no task with an oracle in this run"


def _drop_gain(v: TaskView, prior: str, base: str, kind: str) -> tuple[Est | None, str]:
    """Mean over ``kind`` shifts (largest severity) of mse rise(base) − rise(prior)."""
    top: dict[str, float] = {}
    for c in v.ood():
        if c.kind == kind:
            top[c.shift] = max(top.get(c.shift, 0.0), c.severity)
    ests, used = [], []
    for c in v.ood():
        if c.kind == kind and c.severity == top[c.shift]:
            a, b = v.rise("mse", base, c), v.rise("mse", prior, c)
            if a is not None and b is not None and a.n_seeds == b.n_seeds:
                ests.append(a.combine(b, "-"))
                used.append(c.label)
    return (mean_of(ests) if ests else None), ", ".join(used)


def _no_gain(c: Check) -> Check:
    """'Not more robust under measurement noise': fails only on a significant gain."""
    if c.verdict == HOLDS:
        return Check(FAILS, c.value, "> 0: a significant gain")
    if c.verdict == UNSURE and not c.rule.startswith("straddles"):
        return c  # missing cells or too few seeds
    return Check(HOLDS, c.value, "no significant gain")


def prior(views: list[TaskView]) -> tuple[list[Check], str]:
    checks = []
    for v in views:
        for model, base in prior_pairs(v.models):
            ref = next((c for c in v.conds if c.is_reference), None)
            ident = None
            if ref is not None:
                a, b = v.est("mse", base, ref), v.est("mse", model, ref)
                ident = None if a is None or b is None else a.combine(b, "-")
            mech, mech_on = _drop_gain(v, model, base, "mechanism")
            meas, meas_on = _drop_gain(v, model, base, "measurement")
            parts = [
                judge(f"{model} vs {base}: ID mse gain", ident, v.ci, above=0.0),
                judge(
                    f"robustness gain under mechanism shifts ({mech_on or 'none'})",
                    mech,
                    v.ci,
                    above=0.0,
                    missing="no mechanism-kind shifts",
                ),
                _no_gain(
                    judge(
                        f"under measurement shifts ({meas_on or 'none'})",
                        meas,
                        v.ci,
                        above=0.0,
                        missing="no measurement-kind shifts",
                    )
                ),
            ]
            checks.append(Check(all_of(parts), "; ".join(p.text for p in parts)))
    return checks, "no base+prior model with its base on a task with an oracle"


def selective(views: list[TaskView]) -> tuple[list[Check], str]:
    checks = [
        check
        for v in views
        for check in selective_gain_checks(v, [c for c in v.conds if c.is_reference], NO_GAIN.value)
    ]
    return checks, "no in-distribution cells on a task with an oracle"


def noise_shrink(views: list[TaskView]) -> tuple[list[Check], str]:
    checks, absent = [], []
    for v in views:
        low, high = v.cond(NOISE_SHIFT, NOISE_LOW), v.cond(NOISE_SHIFT, NOISE_HIGH)
        if not low or not high:
            absent.append(f"no {NOISE_SHIFT}@{NOISE_LOW:g} and @{NOISE_HIGH:g} cells in {v.task}")
            continue
        for m in v.models:
            a, b = v.est("selective_gain", m, low[0]), v.est("selective_gain", m, high[0])
            d = None if a is None or b is None else a.combine(b, "-")
            checks.append(judge(f"{m}: selective_gain @{NOISE_LOW:g} − @{NOISE_HIGH:g}", d, v.ci, above=0.0))
    return checks, "; ".join(absent) or "no task with an oracle in this run"
