"""The simulator study's claims, judged against the source oracle on the same examples.

Each claim is phrased so that a run could contradict it, reads the shifts it names,
and quotes every model beside the source oracle and the controls (``mean``, a
constant predictor, and ``gc_linear``, GC content alone). Registered through
``rsbench_register_claims`` (see ``docs/findings.md``).
"""

from __future__ import annotations

from regshift_bench.api import Claim, Reads, Threshold
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

#: Constant and GC-only predictors: quoted beside every model, never judged.
CONTROLS = ("mean", "gc_linear")
MILD_SHIFT, MILD_SEVERITY = "gc_shift", 0.25
SEVERE_SHIFTS, SEVERE = ("motif_rewiring", "noise_inflation"), 1.0
NOISE_SHIFT, NOISE_LOW, NOISE_HIGH = "noise_inflation", 0.25, 1.0

SMALL_RISE = Threshold(
    "small_mse_rise", 0.10,
    "a 10% rise of the model's own ID mse beyond the oracle's rise: a mild input shift that "
    "leaves the mechanism intact should cost a model that learned it about what it costs "
    "the oracle")
SMALL_COVERAGE_DROP = Threshold(
    "small_coverage_drop", 0.05,
    "0.05 of 90% coverage beyond the oracle's drop: about 1.5 binomial sd of a coverage "
    "measured on 500 test examples, i.e. no detectable loss")
LARGE_RISE = Threshold(
    "large_mse_rise", 0.25,
    "a quarter of the model's own ID mse beyond the oracle's rise: a loss the oracle, which "
    "knows the source mechanism exactly, does not share")
LARGE_COVERAGE_DROP = Threshold(
    "large_coverage_drop", 0.10,
    "0.10 of 90% coverage beyond the oracle's drop: one test example in ten more falls outside "
    "the model's interval than outside the oracle's")
NO_GAIN = Threshold("selective_gain_floor", 1.0,
                    "selective_gain = mse / risk at 50% coverage; 1 = abstaining at random")


def _beyond(v: TaskView, m: str, c, rise: Threshold, drop: Threshold,
            want_small: bool) -> Check:
    """mse rise and coverage drop beyond the oracle's, judged small (or large)."""
    e_rise = v.loss_beyond("mse", m, c)
    e_drop = v.loss_beyond("coverage_90", m, c, higher_is_better=True, relative=False)
    tag = f"{m} {c.label} [{v.family(c)} shift]"
    if want_small:
        parts = [judge(f"{tag}: mse rise beyond the oracle's / own ID mse", e_rise, v.ci,
                       below=rise.value, missing="no oracle or ID cells"),
                 judge("coverage_90 drop beyond the oracle's", e_drop, v.ci, below=drop.value,
                       missing="no coverage_90 cells")]
        verdict = all_of(parts)
    else:  # a break: either loss suffices
        parts = [judge(f"{tag}: mse rise beyond the oracle's / own ID mse", e_rise, v.ci,
                       above=rise.value, missing="no oracle or ID cells"),
                 judge("coverage_90 drop beyond the oracle's", e_drop, v.ci, above=drop.value,
                       missing="no coverage_90 cells")]
        verdicts = [p.verdict for p in parts]
        verdict = HOLDS if HOLDS in verdicts else FAILS if all(x == FAILS for x in verdicts) else UNSURE
    quoted = "; ".join(filter(None, (v.side_by_side("mse", c, [m]),
                                     v.side_by_side("coverage_90", c, [m]))))
    return Check(verdict, "; ".join(p.text for p in parts) + (f" ({quoted})" if quoted else ""))


def mild_gc(views: list[TaskView]) -> tuple[list[Check], str]:
    checks = [_beyond(v, m, c, SMALL_RISE, SMALL_COVERAGE_DROP, True)
              for v in views for c in v.ood() if c.shift == MILD_SHIFT
              and 0 < c.severity <= MILD_SEVERITY for m in v.models]
    return checks, (f"no {MILD_SHIFT} cells at severity ≤ {MILD_SEVERITY:g} on a task with an "
                    "oracle")


def severe(views: list[TaskView]) -> tuple[list[Check], str]:
    checks, absent = [], []
    for v in views:
        for shift in SEVERE_SHIFTS:
            conds = v.cond(shift, SEVERE)
            if not conds:
                absent.append(f"no {shift}@{SEVERE:g} cells in {v.task}")
            checks += [_beyond(v, m, c, LARGE_RISE, LARGE_COVERAGE_DROP, False)
                       for c in conds for m in v.models]
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
            parts = [judge(f"{model} vs {base}: ID mse gain", ident, v.ci, above=0.0),
                     judge(f"robustness gain under mechanism shifts ({mech_on or 'none'})",
                           mech, v.ci, above=0.0, missing="no mechanism-kind shifts"),
                     _no_gain(judge(f"under measurement shifts ({meas_on or 'none'})", meas, v.ci,
                                    above=0.0, missing="no measurement-kind shifts"))]
            checks.append(Check(all_of(parts), "; ".join(p.text for p in parts)))
    return checks, "no base+prior model with its base on a task with an oracle"


def selective(views: list[TaskView]) -> tuple[list[Check], str]:
    checks = [check for v in views for check in selective_gain_checks(
        v, [c for c in v.conds if c.is_reference], NO_GAIN.value)]
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
            checks.append(judge(f"{m}: selective_gain @{NOISE_LOW:g} − @{NOISE_HIGH:g}", d, v.ci,
                                above=0.0))
    return checks, "; ".join(absent) or "no task with an oracle in this run"


CLAIMS: tuple[Claim, ...] = (
    Claim("sim_mild_gc_shift",
          f"Mild GC shift (severity ≤ {MILD_SEVERITY:g}): each model's mse rises at most "
          f"{SMALL_RISE.value:.0%} of its ID mse and its coverage_90 drops at most "
          f"{SMALL_COVERAGE_DROP.value:g} beyond what the source oracle loses",
          mild_gc, Reads(shifts=(MILD_SHIFT,), needs_oracle=True),
          (SMALL_RISE, SMALL_COVERAGE_DROP), CONTROLS),
    Claim("sim_severe_shifts_break",
          f"{' and '.join(SEVERE_SHIFTS)} @{SEVERE:g} break every learned model beyond the source "
          f"oracle: mse rises > {LARGE_RISE.value:g} of its ID mse or coverage_90 drops > "
          f"{LARGE_COVERAGE_DROP.value:g} more than the oracle's",
          severe, Reads(shifts=SEVERE_SHIFTS, needs_oracle=True),
          (LARGE_RISE, LARGE_COVERAGE_DROP), CONTROLS),
    Claim("sim_prior_robustness",
          "Prior-augmented models (base+prior vs base): better ID mse, more robust under "
          "mechanism shifts, not under measurement shifts",
          prior, Reads(needs_oracle=True), (), CONTROLS),
    Claim("sim_selective_id",
          "Selective prediction lowers risk at 50% coverage in distribution (simulated tasks)",
          selective, Reads(shifts=("none",), metrics=("selective_gain",), needs_oracle=True),
          (NO_GAIN,), CONTROLS),
    Claim("sim_selection_shrinks_with_noise",
          f"The gain from selection shrinks as noise dominates ({NOISE_SHIFT} {NOISE_LOW:g} → "
          f"{NOISE_HIGH:g})",
          noise_shrink, Reads(shifts=(NOISE_SHIFT,), metrics=("selective_gain",),
                              needs_oracle=True), (), CONTROLS),
)
