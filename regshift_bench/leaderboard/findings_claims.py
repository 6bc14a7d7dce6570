"""The claims of issue #18, each evaluated on the tasks of a leaderboard (see :mod:`.findings`)."""

from __future__ import annotations

from collections.abc import Callable

from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.findings import (
    BASELINES, COLLAPSED_COVERAGE, COVERAGE_TOLERANCE, EXCESS_FACTOR, FAILS, GC_EXTREMES, HOLDS,
    MILD_GC_SHIFT, MILD_SEVERITY, MIN_SEEDS, NOISE_HIGH, NOISE_LOW, NOISE_SHIFT, NOMINAL_COVERAGE,
    SEVERE, SEVERE_SHIFTS, SMALL_MSE_RISE, UNSURE, WELL_BEYOND_FACTOR, Z2_FAR_FACTOR, Check, Finding,
    TaskView, all_of, id_twin, judge, view)
from regshift_bench.leaderboard.findings_evidence import Est, mean_of
from regshift_bench.leaderboard.ranks import prior_pairs
from regshift_bench.leaderboard.tables import Cell, Table, fmt
from regshift_bench.leaderboard.board import Leaderboard


Claim = Callable[[list[TaskView]], tuple[list[Check], str]]


def _sim(views: list[TaskView]) -> list[TaskView]:
    return [v for v in views if v.simulated]


def mild_gc(views: list[TaskView]) -> tuple[list[Check], str]:
    checks = []
    for v in _sim(views):
        conds = [c for c in v.conds if c.shift == MILD_GC_SHIFT and 0 < c.severity <= MILD_SEVERITY]
        for c in conds:
            for m in v.models:
                rise = v.rise("mse", m, c)
                rel = None
                ident = v.est("mse", m, id_twin(c))
                if rise is not None and ident is not None:
                    rel = rise.combine(ident, "/")
                cov = v.est("coverage_90", m, c)
                parts = [judge(f"{m} {c.label}: relative mse rise", rel, v.ci, below=SMALL_MSE_RISE),
                         judge("coverage_90", cov, v.ci, above=NOMINAL_COVERAGE - COVERAGE_TOLERANCE,
                               below=NOMINAL_COVERAGE + COVERAGE_TOLERANCE)]
                checks.append(Check(all_of(parts), "; ".join(p.text for p in parts)))
    return checks, f"no {MILD_GC_SHIFT} cells at severity ≤ {MILD_SEVERITY:g} on simulated tasks"


def severe(views: list[TaskView]) -> tuple[list[Check], str]:
    checks, absent = [], []
    for v in _sim(views):
        for shift in SEVERE_SHIFTS:
            conds = v.cond(shift, SEVERE)
            if not conds:
                absent.append(f"no {shift}@{SEVERE:g} cells in {v.task}")
            for c in conds:
                ceil = v.ceiling_rise(c)
                for m in v.models:
                    rise = v.rise("mse", m, c)
                    if ceil is None:
                        parts = [Check(UNSURE, f"{m} {c.label}: no *ceiling reference rows")]
                    else:
                        name, up = ceil
                        parts = [judge(f"{m} {c.label}: mse rise (vs {WELL_BEYOND_FACTOR:g}× {name} rise "
                                       f"{fmt(up)})",
                                       rise, v.ci, above=WELL_BEYOND_FACTOR * max(up, 0.0))]
                    parts += [_far_z2(v, m, c),
                              judge("coverage_90", v.est("coverage_90", m, c), v.ci,
                                    below=COLLAPSED_COVERAGE)]
                    checks.append(Check(all_of(parts), "; ".join(p.text for p in parts)))
    if absent and checks:  # a shift the claim names is missing: the claim cannot hold
        checks.append(Check(UNSURE, "; ".join(absent)))
    return checks, "; ".join(absent) or "no simulated task in this run"


def _far_z2(v: TaskView, m: str, c: Condition) -> Check:
    """z² far from 1: its interval lies above Z2_FAR_FACTOR or below its inverse."""
    e = v.est("z2", m, c)
    high = judge("z2", e, v.ci, above=Z2_FAR_FACTOR)
    low = judge("z2", e, v.ci, below=1.0 / Z2_FAR_FACTOR)
    if e is None or HOLDS in (high.verdict, low.verdict):
        return high if high.verdict == HOLDS or e is None else low
    if high.verdict == FAILS and low.verdict == FAILS:
        return Check(FAILS, high.value, f"within [{fmt(1 / Z2_FAR_FACTOR)}, {fmt(Z2_FAR_FACTOR)}]")
    return high if e.point >= 1 else low


def _drop_gain(v: TaskView, prior: str, base: str, kind: str) -> tuple[Est | None, str]:
    """Mean over ``kind`` shifts (largest severity) of mse drop(base) − drop(prior)."""
    top: dict[str, float] = {}
    for c in v.conds:
        if c.kind == kind and not c.is_reference:
            top[c.shift] = max(top.get(c.shift, 0.0), c.severity)
    ests, used = [], []
    for c in v.conds:
        if c.kind == kind and not c.is_reference and c.severity == top[c.shift]:
            a, b = v.rise("mse", base, c), v.rise("mse", prior, c)
            if a is not None and b is not None and a.n_seeds == b.n_seeds:
                ests.append(a.combine(b, "-"))
                used.append(c.label)
    return (mean_of(ests) if ests else None), ", ".join(used)


def prior(views: list[TaskView]) -> tuple[list[Check], str]:
    checks = []
    for v in _sim(views):
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
    return checks, "no base+prior model with its base on a simulated task"


def _no_gain(c: Check) -> Check:
    """'Not more robust under measurement noise': fails only on a significant gain."""
    if c.verdict == HOLDS:
        return Check(FAILS, c.value, "> 0: a significant gain")
    if c.verdict == UNSURE and not c.rule.startswith("straddles"):
        return c  # missing cells or too few seeds
    return Check(HOLDS, c.value, "no significant gain")


def selective(views: list[TaskView]) -> tuple[list[Check], str]:
    checks, real_seen = [], False
    for v in views:
        if v.simulated:
            conds = [c for c in v.conds if c.is_reference]
        else:
            top = max((c.severity for c in v.conds if c.shift == GC_EXTREMES), default=None)
            conds = [c for c in v.conds if c.shift == GC_EXTREMES and c.severity == top]
            real_seen = real_seen or bool(conds)
        for c in conds:
            for m in v.models:
                e = v.est("selective_gain", m, c)
                if e is not None and e.point == 1.0 and (e.samples == 1.0).all():
                    continue  # constant σ²: abstaining is random, nothing to test
                checks.append(judge(f"{m} {v.task} {c.label}: selective_gain (mse / risk@50)",
                                    e, v.ci, above=1.0))
    if checks and not real_seen:
        checks.append(Check(UNSURE, "no real-data gc_extremes cells in this run"))
    return checks, "no cells for selective prediction in this run"


def noise_shrink(views: list[TaskView]) -> tuple[list[Check], str]:
    checks, absent = [], []
    for v in _sim(views):
        low, high = v.cond(NOISE_SHIFT, NOISE_LOW), v.cond(NOISE_SHIFT, NOISE_HIGH)
        if not low or not high:
            absent.append(f"no {NOISE_SHIFT}@{NOISE_LOW:g} and @{NOISE_HIGH:g} cells in {v.task}")
            continue
        for m in v.models:
            a, b = v.est("selective_gain", m, low[0]), v.est("selective_gain", m, high[0])
            d = None if a is None or b is None else a.combine(b, "-")
            checks.append(judge(f"{m}: selective_gain @{NOISE_LOW:g} − @{NOISE_HIGH:g}", d, v.ci,
                                above=0.0))
    return checks, "; ".join(absent) or "no simulated task in this run"


CLAIMS: list[tuple[str, Claim]] = [
    (f"Mild GC shift (severity ≤ {MILD_SEVERITY:g}): mse rises ≤ {SMALL_MSE_RISE:.0%} and "
     f"coverage_90 stays within {COVERAGE_TOLERANCE:g} of {NOMINAL_COVERAGE:g}", mild_gc),
    (f"motif_rewiring and noise_inflation @{SEVERE:g}: mse rises > {WELL_BEYOND_FACTOR:g}× the "
     f"noise ceiling's rise, z2 outside [{1 / Z2_FAR_FACTOR:g}, {Z2_FAR_FACTOR:g}], coverage_90 "
     f"< {COLLAPSED_COVERAGE:g}", severe),
    ("Prior-augmented models (base+prior vs base): better ID mse, more robust under mechanism "
     "shifts, not under measurement shifts", prior),
    ("Selective prediction lowers risk at 50% coverage (ID of simulated tasks and the real "
     "gc_extremes split)", selective),
    (f"The gain from selection shrinks as noise dominates ({NOISE_SHIFT} {NOISE_LOW:g} → "
     f"{NOISE_HIGH:g})", noise_shrink),
]


def breaks(v: TaskView, model: str) -> Finding:
    """The shift and severity at which ``model``'s coverage first collapses or excess error doubles."""
    # Worded so the verdict reads right: "holds" = something here breaks the model,
    # "does not hold" = nothing in this run does.
    claim = f"A shift in this run breaks {model} ({v.task})"
    hits: list[tuple[float, str]] = []
    unsure, clean, unscored = 0, 0, 0
    for c in sorted((c for c in v.conds if not c.is_reference), key=lambda c: (c.severity, c.shift)):
        coverage = v.est("coverage_90", model, c)
        ood, ident = v.est("excess_mse", model, c), v.est("excess_mse", model, id_twin(c))
        if coverage is None and ood is None:
            unscored += 1  # e.g. a variant-effect set, scored by its own metrics
            continue
        parts = [judge(f"{c.label}: coverage_90", coverage, v.ci, below=COLLAPSED_COVERAGE)]
        if ood is not None and ident is not None and ident.point > 0:
            parts.append(judge(f"{c.label}: excess_mse OOD / ID", ood.combine(ident, "/"), v.ci,
                               above=EXCESS_FACTOR))
        hit = [p.text for p in parts if p.verdict == HOLDS]
        if hit:
            hits.append((c.severity, "; ".join(hit)))
        elif all(p.verdict == FAILS for p in parts):
            clean += 1
        else:
            unsure += 1
    if hits:
        first = min(s for s, _ in hits)
        texts = [t for s, t in hits if s == first]
        note = f" ({unsure} condition(s) inconclusive)" if unsure else ""
        return Finding(claim, HOLDS, f"breaks first at severity {first:g}: {texts[0]}{note}",
                       [t for _, t in hits])
    if not (clean or unsure):
        return Finding(claim, UNSURE, f"its {unscored} OOD condition(s) have no coverage_90 "
                       "or excess_mse value (not run, or scored by their own metrics)")
    if clean and not unsure:
        return Finding(claim, FAILS, f"nothing in the {clean} OOD condition(s) of this run "
                       f"collapses coverage_90 below {COLLAPSED_COVERAGE:g} or doubles its excess error")
    return Finding(claim, UNSURE, f"no clear break; {unsure} condition(s) inconclusive "
                   f"(e.g. < {MIN_SEEDS} seeds or intervals straddling the thresholds)")


def _finding(claim: str, checks: list[Check], reason: str) -> Finding:
    if not checks:
        return Finding(claim, UNSURE, reason)
    verdict = all_of(checks)
    evidence = [f"{c.verdict}: {c.text}" for c in checks]
    if verdict == HOLDS:
        return Finding(claim, verdict, f"holds in all {len(checks)} checks, e.g. {checks[0].text}",
                       evidence)
    pick = [c.text for c in checks if c.verdict == verdict]
    more = f" (and {len(pick) - 1} more)" if len(pick) > 1 else ""
    return Finding(claim, verdict, f"{pick[0]}{more}", evidence)


def smoke_reason(lb: Leaderboard) -> str | None:
    """Why every finding is inconclusive on smoke-preset runs (models are not trained)."""
    presets = {str(r.get("preset", "")) for r in lb.provenance["runs"]}
    return ("smoke preset: the models are not trained, so this run can neither support nor "
            "refute a claim" if "smoke" in presets else None)


def evaluate(lb: Leaderboard) -> list[Finding]:
    """Every claim and each learned model's 'what breaks it' line, from a built leaderboard."""
    views = [view(lb, b.task) for b in lb.boards]
    out = [_finding(claim, *fn(views)) for claim, fn in CLAIMS]
    out += [breaks(v, m) for v in views for m in v.models if m not in BASELINES]
    smoke = smoke_reason(lb)
    if smoke:  # the values are shown, but no verdict rests on untrained models
        out = [Finding(f.claim, UNSURE, f"{smoke}; measured: {f.statement}", f.evidence)
               for f in out]
    return out


#: Evidence lines shown under a finding in the tables (all of them are in the JSON / CSV).
SHOWN_EVIDENCE = 6
_FLAG = {HOLDS: "helps", FAILS: "hurts", UNSURE: "partial"}


def findings_table(findings: list[Finding], ci: float) -> Table:
    """The Findings section as a table: claim, verdict, statement with its evidence."""
    rows = []
    for f in findings:
        shown = f.evidence[:SHOWN_EVIDENCE]
        more = len(f.evidence) - len(shown)
        sub = " · ".join(shown) + (f" · (+{more} more in leaderboard.json)" if more else "")
        rows.append([Cell(f.claim), Cell(f.verdict, "", _FLAG[f.verdict]),
                     Cell(f.statement, sub if len(f.evidence) > 1 else "",
                          title="\n".join(f.evidence))])
    notes = [f"Values: seed-averaged point [{round(100 * ci)}% paired bootstrap interval over test "
             f"examples and seeds]. A claim holds when its interval clears the threshold for every "
             f"learned model (baselines {', '.join(BASELINES)} excluded), does not hold when it "
             f"fails for any, and is inconclusive when cells are missing, an interval straddles "
             f"a threshold, or fewer than {MIN_SEEDS} seeds were run. Thresholds: "
             "regshift_bench/leaderboard/findings.py (from issue #18)."]
    return Table("findings", "", "Findings", ["claim", "verdict", "evidence"], rows, notes)
