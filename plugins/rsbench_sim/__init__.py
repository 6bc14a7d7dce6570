"""Built-in plugin rsbench_sim: the mechanistic simulator (task ``sim``) and its shifts.

Modules, one per mechanism: :mod:`.background`, :mod:`.planting`, :mod:`.binding`,
:mod:`.programs` (programs, GC bias, readout), :mod:`.measurement`; the task in
:mod:`.task`, its configuration in :mod:`.config`, the shifts in :mod:`.shifts`
(base class in :mod:`.shift_base`, measurement shifts in :mod:`.shifts_measurement`),
the reference predictions (noise ceiling, source oracle) in :mod:`.references` and
the oracle-vs-ceiling table in :mod:`.diagnostics`; the study's claims (judged
against the source oracle in the leaderboard's Findings) in :mod:`.claims`.

The hooks register :func:`~regshift_bench.api.lazy` factories with what ``rsbench
list`` shows, so loading the plugin imports none of those modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from regshift_bench import hookimpl
from regshift_bench.api.lazy_factory import lazy

if TYPE_CHECKING:
    from rsbench_sim.task import SimTask

__all__ = ["SimTask", "rsbench_register_claims", "rsbench_register_shifts", "rsbench_register_tasks"]

#: Registered name -> (class, kind, changes_inputs, summary) of each shift; every one
#: keeps the training data and runs at the severities of :class:`.shift_base.SimShift`.
SHIFT_TABLE: dict[str, tuple[str, str, bool, str]] = {
    "gc_shift": ("shifts:GcShift", "covariate", True, "background GC content moves"),
    "motif_rewiring": ("shifts:MotifRewiring", "mechanism", False, "TF effects rewired (sign flips / permutation)"),
    "pwm_perturbation": (
        "shifts:PwmPerturbation",
        "mechanism",
        False,
        "TF specificities change (binding scored with perturbed PWMs)",
    ),
    "site_degeneration": (
        "shifts:SiteDegeneration",
        "covariate",
        True,
        "target sites drawn from degenerate (perturbed) PWMs; binding unchanged",
    ),
    "motif_turnover": ("shifts:MotifTurnover", "covariate", True, "motif gain/loss (changed site density)"),
    "cooperativity_loss": (
        "shifts:CooperativityLoss",
        "mechanism",
        False,
        "cooperative TF pairs lose their joint effect",
    ),
    "depth_drop": ("shifts_measurement:DepthDrop", "measurement", False, "lower sequencing depth"),
    "batch_effect": (
        "shifts_measurement:BatchEffect",
        "measurement",
        False,
        "new batch with offset and GC-dependent bias",
    ),
    "noise_inflation": (
        "shifts_measurement:NoiseInflation",
        "measurement",
        False,
        "noise-dominated measurements (overdispersed counts)",
    ),
    "assay_saturation": (
        "shifts_measurement:AssaySaturation",
        "measurement",
        False,
        "reporter saturation compresses strong elements",
    ),
}


@hookimpl
def rsbench_register_tasks(register):  # type: ignore[no-untyped-def]
    register(
        "sim",
        lazy("rsbench_sim.task:SimTask", kind="generative", has_oracle=True),
        summary="mechanistic simulator: motifs, cell-type programs, MPRA noise",
    )


@hookimpl
def rsbench_register_shifts(register):  # type: ignore[no-untyped-def]
    for name, (target, kind, changes_inputs, summary) in SHIFT_TABLE.items():
        # `summary` is declared too: the class's own one-liner, checked when it loads.
        register(
            name,
            lazy(
                f"rsbench_sim.{target}",
                kind=kind,
                changes_inputs=changes_inputs,
                changes_train=False,
                default_severities=(0.25, 0.5, 1.0),
                summary=summary,
            ),
            summary=summary,
        )


@hookimpl
def rsbench_register_claims(register):  # type: ignore[no-untyped-def]
    from rsbench_sim.claims import CLAIMS  # light: the judges load when first called

    for claim in CLAIMS:
        register(claim.name, claim)


def __getattr__(name: str) -> Any:
    # `from rsbench_sim import SimTask` still works; it imports the task on use.
    if name == "SimTask":
        from rsbench_sim.task import SimTask

        return SimTask
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
