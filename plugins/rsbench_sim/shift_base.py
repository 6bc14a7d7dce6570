"""The base class of the simulator's shifts and helpers they share."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from regshift_bench.api import SeqDataset, Shift, Splits, SplitSizes, Task, source_splits
from regshift_bench.errors import DataError
from regshift_bench.motifs import Motif, MotifSet
from rsbench_sim.config import SimConfig


class SimShift(Shift):
    """Base: a shift that changes the simulator's configuration for ``test_ood``."""

    summary: ClassVar[str] = ""
    default_severities = (0.25, 0.5, 1.0)

    def applies_to(self, task: Task) -> bool:
        """Generative tasks whose configuration is a :class:`SimConfig`."""
        if getattr(task, "kind", None) != "generative":
            return False
        try:
            return isinstance(task.config(), SimConfig)
        except Exception:  # a foreign generative task: not ours to shift
            return False

    def shifted(self, config: SimConfig) -> SimConfig:
        """The test-domain configuration at this shift's severity."""
        s = float(self.severity)
        if not 0.0 <= s <= 1.0:
            raise DataError(f"shift {self.name or type(self).__name__}: severity must be in [0, 1], got {s}")
        return config.changed(**self.changes(config, s))

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        raise NotImplementedError

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """The shift's own quantity in ``test_ood`` (rises with severity).

        Default, for shifts of the mechanism: ``1 - r``, the Pearson correlation
        between the source activity and the shifted activity of the same sequences.
        """
        return 1.0 - float(np.corrcoef(_source_activity(task, ood), ood.meta["activity"])[0, 1])

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        """Source splits as ``none``; ``test_ood`` from the shifted configuration."""
        if not self.applies_to(task):
            raise DataError(f"shift {self.name!r} applies only to simulator tasks (SimConfig), not {task.name!r}")
        src = source_splits(task, rng, sizes)
        assert sizes.test is not None
        ood = task.sample(self.shifted(task.config()), sizes.test, src.ood_rng)
        return src.with_ood(ood, f"{self.summary} (severity {self.severity:g})")


def _tf_order(m: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).permutation(m)


def _source_activity(task: Task, data: SeqDataset) -> np.ndarray:
    """Source-domain activity (n,) of the sequences of ``data``."""
    from rsbench_sim.task import activity  # late: keeps importing a shift cheap

    return activity(task.config(), data.seqs, data.gc())["activity"]


def _mixed_pwms(motifs: MotifSet, s: float, seed: int, label: str) -> MotifSet:
    """Each PWM mixed with weight ``s`` into a random one (Dirichlet(1) rows, ``seed``)."""
    rng = np.random.default_rng(seed)
    out = []
    for mo in motifs:
        rand = rng.dirichlet(np.ones(4), size=mo.width)
        out.append(Motif(mo.name, mo.id, (1.0 - s) * mo.pwm + s * rand))
    return MotifSet(out, source=f"{label}({s:g})")
