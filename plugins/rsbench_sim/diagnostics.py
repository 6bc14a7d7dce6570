"""What each shift does to the best possible models: source oracle vs noise ceiling.

For a shift at one severity, :func:`oracle_row` draws the shift's ``test_ood`` set(s) and
compares two Pearson correlations with the measured ``y``:

- ``ceiling_r``: of ``y_true`` (the shifted domain's own noise-free measurement);
- ``oracle_r``: of the source oracle (the source mechanism on the same sequences,
  :func:`rsbench_sim.references.source_oracle`).

Their ratio is near 1 where only inputs move (covariate shifts: a perfect source
model loses nothing the data allow) and clearly below 1 where the mechanism changes.
``benchmarks/sim_oracle_table.py`` prints the table for every registered sim shift.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regshift_bench.api import SplitSizes, Task
from regshift_bench.plugins import get_plugin


def oracle_row(
    task: Task, shift_name: str, severity: float = 1.0, n: int = 2000, seed: int = 0
) -> list[dict[str, Any]]:
    """Lines of the table (one per OOD set): shift, kind, oracle r, ceiling r, ratio,
    sd(y_true).

    Parameters
    ----------
    task : Task
        A simulator task (``get_plugin("task", "sim")``).
    shift_name : str
    severity : float
    n : int
        ``test_ood`` size (train / val are kept tiny: they are not used).
    seed : int
    """
    shift = get_plugin("shift", shift_name, severity=severity)
    rng = np.random.default_rng(seed)
    splits = shift.split(task, rng, SplitSizes(train=16, val=16, test=n))
    rows = []
    for split, ood in splits.evaluation_sets().items():
        if not split.startswith("test_ood"):
            continue
        refs = task.reference_predictions(split, ood, splits)
        y = np.asarray(ood.y, dtype=np.float64)
        oracle = float(np.corrcoef(refs["source_oracle"].mean, y)[0, 1])
        ceiling = float(np.corrcoef(refs["noise_ceiling"].mean, y)[0, 1])
        rows.append(
            {
                "shift": shift_name + split[len("test_ood") :],
                "kind": shift.kind,
                "severity": severity,
                "oracle_r": oracle,
                "ceiling_r": ceiling,
                "ratio": oracle / ceiling,
                "sd_y_true": float(np.std(ood.y_true)),
            }
        )
    return rows


def oracle_table(
    task: Task, shift_names: list[str], severity: float = 1.0, n: int = 2000, seed: int = 0
) -> list[dict[str, Any]]:
    """:func:`oracle_row` for each shift that applies to ``task``."""
    rows = []
    for name in shift_names:
        if get_plugin("shift", name).applies_to(task):
            rows += oracle_row(task, name, severity, n, seed)
    return rows
