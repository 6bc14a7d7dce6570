"""Built-in plugin rsbench_sim: the mechanistic simulator (task ``sim``) and its shifts.

Modules, one per mechanism: :mod:`.background`, :mod:`.planting`, :mod:`.binding`,
:mod:`.programs` (programs, GC bias, readout), :mod:`.measurement`; the task in
:mod:`.task`, its configuration in :mod:`.config`, the shifts in :mod:`.shifts`
(base class in :mod:`.shift_base`, measurement shifts in :mod:`.shifts_measurement`),
the reference predictions (noise ceiling, source oracle) in :mod:`.references` and
the oracle-vs-ceiling table in :mod:`.diagnostics`; the study's claims (judged
against the source oracle in the leaderboard's Findings) in :mod:`.claims`.
"""

from __future__ import annotations

from regshift_bench import hookimpl
from rsbench_sim.shifts import SHIFTS
from rsbench_sim.task import SimTask

__all__ = ["SimTask", "rsbench_register_claims", "rsbench_register_shifts",
           "rsbench_register_tasks"]


@hookimpl
def rsbench_register_tasks(register):  # type: ignore[no-untyped-def]
    register("sim", SimTask, summary="mechanistic simulator: motifs, cell-type programs, MPRA noise")


@hookimpl
def rsbench_register_shifts(register):  # type: ignore[no-untyped-def]
    for name, cls in SHIFTS.items():
        register(name, cls, summary=cls.summary)


@hookimpl
def rsbench_register_claims(register):  # type: ignore[no-untyped-def]
    from rsbench_sim.claims import CLAIMS  # late: the leaderboard is needed only here

    for claim in CLAIMS:
        register(claim.name, claim)
