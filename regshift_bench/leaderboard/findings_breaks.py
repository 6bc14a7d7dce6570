"""Each learned model's "what breaks it": the first severity at which a shift breaks it.

A condition *breaks* a model when, relative to the model's own in-distribution
value and beyond what the task's oracle loses on the same examples (where the task
has one),

* its mse rises by more than :data:`BREAK_MSE_RISE` of its ID mse, or
* its 90% interval coverage drops by more than :data:`BREAK_COVERAGE_DROP`,

significantly: the one-sided hierarchical-bootstrap p-value, Holm-adjusted over all
of the model's conditions of the task (one family: they share the model and often
the test inputs), is below ``(1 − ci) / 2``. A break that a control (the constant
``mean`` predictor, say) shows as strongly, its loss reaching the model's lower
bound, is reported as a shift of the label distribution, not a model failure.

"Breaks first" walks the severity grid upward; among the breaks at the first
severity that has any, the largest (effect over its threshold) is named. Shifts are
never ordered by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from regshift_bench.bootstrap import exceed_pvalue, holm
from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.findings import FAILS, HOLDS, MIN_SEEDS, UNSURE, Est, Finding, TaskView, judge
from regshift_bench.leaderboard.tables import fmt

#: An error rise beyond the oracle's of a quarter of the model's own ID mse: well above
#: the seed-to-seed spread of a trained model's mse (a few percent in the standard preset)
#: and well below the doubling that every predictor shows under a label shift.
BREAK_MSE_RISE = 0.25
#: A 90% coverage drop of 0.10 beyond the oracle's: one test example in ten more falls
#: outside the model's interval than in distribution; twice the ±0.05 a calibrated model
#: of 500 test examples shows by chance (binomial sd ≈ 0.013, 95% ≈ ±0.03).
BREAK_COVERAGE_DROP = 0.10


@dataclass
class Hit:
    """One condition's break test for one model."""

    cond: Condition
    quantity: str
    est: Est | None
    threshold: float
    p: float = 1.0
    control: str = ""  # a control that loses as much ("" = none)

    @property
    def effect(self) -> float:
        """Effect over the threshold (1 = at it), for ordering breaks at one severity."""
        return self.est.point / self.threshold if self.est is not None else float("-inf")


def _tests(v: TaskView, model: str, c: Condition) -> list[Hit]:
    beyond = " beyond the oracle's" if v.has_oracle else ""
    return [
        Hit(c, f"mse rise{beyond} / own ID mse", v.loss_beyond("mse", model, c), BREAK_MSE_RISE),
        Hit(
            c,
            f"coverage_90 drop{beyond}",
            v.loss_beyond("coverage_90", model, c, higher_is_better=True, relative=False),
            BREAK_COVERAGE_DROP,
        ),
    ]


def _control_explains(v: TaskView, model: str, hit: Hit) -> str:
    """A control whose loss (absolute, in the metric's units) reaches ``model``'s lower bound.

    Absolute, not relative to each one's ID value: a constant predictor's large ID error
    would otherwise shrink its relative rise. "" when no control does.
    """
    hib = hit.quantity.startswith("coverage")
    metric = "coverage_90" if hib else "mse"
    own = v.loss_beyond(metric, model, hit.cond, higher_is_better=hib, relative=False)
    if own is None:
        return ""
    low, _ = own.interval(v.ci)
    for ctl in v.controls:
        e = v.loss_beyond(metric, ctl, hit.cond, higher_is_better=hib, relative=False)
        if e is not None and e.point >= low:
            what = "coverage_90 drop" if hib else "mse rise"
            return f"{ctl} ({what} {fmt(e.point)}; {model} {fmt(own.point)} [{fmt(low)}, …])"
    return ""


def _line(v: TaskView, model: str, hit: Hit) -> str:
    metric = "coverage_90" if hit.quantity.startswith("coverage") else "mse"
    check = judge(f"{hit.cond.label} [{v.family(hit.cond)} shift]: {hit.quantity}", hit.est, v.ci, above=hit.threshold)
    extra = f"; p_Holm {fmt(hit.p)}" if hit.est is not None else ""
    quoted = v.side_by_side(metric, hit.cond, [model])
    return f"{check.text}{extra} ({quoted})" if quoted else check.text + extra


def breaks(v: TaskView, model: str) -> Finding:
    """Whether, and where first, a shift of ``v``'s run breaks ``model`` (see the module doc)."""
    # Worded so the verdict reads right: "holds" = something here breaks the model,
    # "does not hold" = nothing in this run does.
    claim = f"A shift in this run breaks {model} ({v.task})"
    tests = [h for c in v.ood() for h in _tests(v, model, c)]
    scored = [h for h in tests if h.est is not None and h.est.n_seeds >= MIN_SEEDS]
    pvalues = [exceed_pvalue(h.est.samples, h.threshold) for h in scored if h.est is not None]
    for h, p in zip(scored, holm(pvalues)):
        h.p = float(p)
    alpha = (1 - v.ci) / 2
    hits = [h for h in scored if h.p < alpha]
    for h in hits:
        h.control = _control_explains(v, model, h)
    failures = [h for h in hits if not h.control]
    labels = [h for h in hits if h.control]
    clean = {h.cond for h in scored if h.est is not None and h.est.interval(v.ci)[1] < h.threshold}
    conds = {h.cond for h in tests}
    unscored = [c for c in conds if all(h.est is None for h in tests if h.cond == c)]
    label_note = (
        f"; {len(labels)} loss(es) a control shows as strongly (a shift of the label "
        f"distribution, not a model failure), e.g. {_line(v, model, labels[0])} — "
        f"control {labels[0].control}"
        if labels
        else ""
    )
    if failures:
        first = min(h.cond.severity for h in failures)
        at = sorted((h for h in failures if h.cond.severity == first), key=lambda h: -h.effect)
        evidence = [_line(v, model, h) for h in sorted(failures, key=lambda h: (h.cond.severity, -h.effect))]
        return Finding(
            claim,
            HOLDS,
            f"breaks first at severity {first:g}: "
            f"{_line(v, model, at[0])} (largest of {len(at)} break(s) there; "
            f"{len(failures)} of {len(tests)} tests, Holm-adjusted){label_note}",
            evidence,
        )
    if len(unscored) == len(conds):
        return Finding(
            claim,
            UNSURE,
            f"its {len(conds)} OOD condition(s) have no coverage_90 "
            "or mse value to compare with ID (not run, or scored by their own "
            "metrics)" + ("" if not v.has_oracle else ", or no oracle rows"),
        )
    settled = clean | {h.cond for h in labels}
    if all(c in settled or c in unscored for c in conds):
        return Finding(
            claim,
            FAILS,
            f"nothing in the {len(conds) - len(unscored)} scored OOD "
            f"condition(s) raises mse by > {BREAK_MSE_RISE:g} of its ID mse or drops "
            f"coverage_90 by > {BREAK_COVERAGE_DROP:g}"
            f"{' beyond the oracle' if v.has_oracle else ''}{label_note}",
            [_line(v, model, h) for h in labels],
        )
    return Finding(
        claim,
        UNSURE,
        f"no clear break; some conditions are inconclusive (e.g. < "
        f"{MIN_SEEDS} seeds or intervals straddling the thresholds){label_note}",
    )
