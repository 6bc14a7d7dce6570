"""A task plugin: a generative task whose activity counts a TATA box and GC content.

Run by tests/test_docs.py: ``check()`` must pass the conformance kit.
A measured table needs no code at all: see the ``kind = "table"`` task file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from regshift_bench import hookimpl
from regshift_bench.api import SeqDataset, Task
from regshift_bench.testing import CheckReport, check_task

_TATA = np.array([3, 0, 3, 0, 0, 0], dtype=np.uint8)        # TATAAA


@dataclass(frozen=True)
class TataConfig:
    """One domain: background GC and the activity of one TATA box."""

    gc_mean: float = 0.45
    tata_effect: float = 1.5
    length: int = 60


class TataTask(Task):
    """Random sequences, a TATA box in half of them, Gaussian measurement noise (sd 0.2)."""

    name = "tata"
    kind = "generative"

    def __init__(self, length: int = 60) -> None:
        self.length = length

    @property
    def domains(self) -> tuple[str, ...]:
        return ("source", "weak_tata")          # the first is the source domain

    def config(self, domain=None, **changes) -> TataConfig:
        # The `cell_type` shift asks for config(domain=domains[1], severity=s): at
        # severity 0 the other domain equals the source, at 1 the TATA box is weak.
        severity = float(changes.pop("severity", 1.0))
        cfg = TataConfig(length=self.length)
        if domain == "weak_tata":
            cfg = replace(cfg, tata_effect=1.5 - 1.0 * severity)
        return replace(cfg, **changes)

    def sample(self, config: TataConfig, n: int, rng: np.random.Generator) -> SeqDataset:
        p = config.gc_mean / 2
        seqs = rng.choice(4, size=(n, config.length), p=[0.5 - p, p, p, 0.5 - p]).astype(np.uint8)
        has_tata = rng.random(n) < 0.5
        starts = rng.integers(0, config.length - len(_TATA), size=n)
        for i in np.flatnonzero(has_tata):
            seqs[i, starts[i]:starts[i] + len(_TATA)] = _TATA
        gc = ((seqs == 1) | (seqs == 2)).mean(axis=1)
        y_true = config.tata_effect * has_tata + 2.0 * (gc - 0.5)
        noise_var = np.full(n, 0.04, dtype=np.float32)
        y = y_true + rng.normal(0.0, 0.2, size=n)
        meta = pd.DataFrame({"id": [f"tata{i}" for i in range(n)], "gc": gc})
        return SeqDataset(seqs, y.astype(np.float32), y_true.astype(np.float32), noise_var, meta)


@hookimpl
def rsbench_register_tasks(register):
    register("tata", TataTask, summary="TATA box and GC (docs example)")


def check() -> CheckReport:
    """Construct, and the same seed draws the same sequences and labels in every domain."""
    return check_task(TataTask)
