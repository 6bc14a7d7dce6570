"""The simulator study's claims, judged against the source oracle on the same examples.

Each claim is phrased so that a run could contradict it, reads the shifts it names,
and quotes every model beside the source oracle and the controls (``mean``, a
constant predictor, and ``gc_linear``, GC content alone). Registered through
``rsbench_register_claims`` (see ``docs/findings.md``). The judges live in
:mod:`rsbench_sim.claim_judges`, loaded when a leaderboard judges the claims (they
need the leaderboard, which registering must not import).
"""

from __future__ import annotations

from regshift_bench.api import Claim, LazyFactory, Reads, Threshold, lazy

#: Constant and GC-only predictors: quoted beside every model, never judged.
CONTROLS = ("mean", "gc_linear")
MILD_SHIFT, MILD_SEVERITY = "gc_shift", 0.25
SEVERE_SHIFTS, SEVERE = ("motif_rewiring", "noise_inflation"), 1.0
NOISE_SHIFT, NOISE_LOW, NOISE_HIGH = "noise_inflation", 0.25, 1.0

SMALL_RISE = Threshold(
    "small_mse_rise",
    0.10,
    "a 10% rise of the model's own ID mse beyond the oracle's rise: a mild input shift that "
    "leaves the mechanism intact should cost a model that learned it about what it costs "
    "the oracle",
)
SMALL_COVERAGE_DROP = Threshold(
    "small_coverage_drop",
    0.05,
    "0.05 of 90% coverage beyond the oracle's drop: about 1.5 binomial sd of a coverage "
    "measured on 500 test examples, i.e. no detectable loss",
)
LARGE_RISE = Threshold(
    "large_mse_rise",
    0.25,
    "a quarter of the model's own ID mse beyond the oracle's rise: a loss the oracle, which "
    "knows the source mechanism exactly, does not share",
)
LARGE_COVERAGE_DROP = Threshold(
    "large_coverage_drop",
    0.10,
    "0.10 of 90% coverage beyond the oracle's drop: one test example in ten more falls outside "
    "the model's interval than outside the oracle's",
)
NO_GAIN = Threshold(
    "selective_gain_floor", 1.0, "selective_gain = mse / risk at 50% coverage; 1 = abstaining at random"
)


def _judge(name: str) -> LazyFactory:
    """A judge of :mod:`rsbench_sim.claim_judges`, imported when first called."""
    return lazy(f"rsbench_sim.claim_judges:{name}")


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "sim_mild_gc_shift",
        f"Mild GC shift (severity ≤ {MILD_SEVERITY:g}): each model's mse rises at most "
        f"{SMALL_RISE.value:.0%} of its ID mse and its coverage_90 drops at most "
        f"{SMALL_COVERAGE_DROP.value:g} beyond what the source oracle loses",
        _judge("mild_gc"),
        Reads(shifts=(MILD_SHIFT,), needs_oracle=True),
        (SMALL_RISE, SMALL_COVERAGE_DROP),
        CONTROLS,
    ),
    Claim(
        "sim_severe_shifts_break",
        f"{' and '.join(SEVERE_SHIFTS)} @{SEVERE:g} break every learned model beyond the source "
        f"oracle: mse rises > {LARGE_RISE.value:g} of its ID mse or coverage_90 drops > "
        f"{LARGE_COVERAGE_DROP.value:g} more than the oracle's",
        _judge("severe"),
        Reads(shifts=SEVERE_SHIFTS, needs_oracle=True),
        (LARGE_RISE, LARGE_COVERAGE_DROP),
        CONTROLS,
    ),
    Claim(
        "sim_prior_robustness",
        "Prior-augmented models (base+prior vs base): better ID mse, more robust under "
        "mechanism shifts, not under measurement shifts",
        _judge("prior"),
        Reads(needs_oracle=True),
        (),
        CONTROLS,
    ),
    Claim(
        "sim_selective_id",
        "Selective prediction lowers risk at 50% coverage in distribution (simulated tasks)",
        _judge("selective"),
        Reads(shifts=("none",), metrics=("selective_gain",), needs_oracle=True),
        (NO_GAIN,),
        CONTROLS,
    ),
    Claim(
        "sim_selection_shrinks_with_noise",
        f"The gain from selection shrinks as noise dominates ({NOISE_SHIFT} {NOISE_LOW:g} → {NOISE_HIGH:g})",
        _judge("noise_shrink"),
        Reads(shifts=(NOISE_SHIFT,), metrics=("selective_gain",), needs_oracle=True),
        (),
        CONTROLS,
    ),
)
