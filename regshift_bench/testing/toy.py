"""Tiny seeded data and a toy generative task for conformance checks and tests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench.api import SeqDataset, Task

_MOTIF = np.array([2, 0, 3, 0, 0], dtype=np.uint8)  # GATAA


def toy_dataset(n: int = 64, length: int = 40, random_state: int = 0, gc_mean: float = 0.5) -> SeqDataset:
    """A tiny dataset with a learnable signal.

    Activity = 1.0 per planted ``GATAA`` site + 2·(GC − 0.5) + Gaussian noise with
    standard deviation 0.3, so every sane model can beat the mean.

    Parameters
    ----------
    n : int
        Number of sequences.
    length : int
        Sequence length L (>= 10).
    random_state : int
    gc_mean : float
        Expected GC fraction of the background.

    Returns
    -------
    SeqDataset
        ``seqs`` (n, L), ``y``, ``y_true``, ``noise_var`` (n,), ``meta`` with ``id``,
        ``gc``, ``group`` and ``sites``.
    """
    rng = np.random.default_rng(random_state)
    p_gc = gc_mean / 2
    seqs = rng.choice(4, size=(n, length), p=[0.5 - p_gc, p_gc, p_gc, 0.5 - p_gc]).astype(np.uint8)
    sites = rng.poisson(0.8, size=n).clip(0, max(1, length // 10))
    starts: list[list[int]] = []
    for i, k in enumerate(sites):
        pos = rng.choice(length - len(_MOTIF), size=k, replace=False) if k else []
        for p in pos:
            seqs[i, p : p + len(_MOTIF)] = _MOTIF
        starts.append([int(p) for p in pos])
    gc = ((seqs == 1) | (seqs == 2)).mean(axis=1)
    y_true = sites.astype(np.float64) + 2.0 * (gc - 0.5)
    noise_var = np.full(n, 0.09)
    y = y_true + rng.normal(0.0, 0.3, size=n)
    meta = pd.DataFrame({"id": [f"toy{i}" for i in range(n)], "gc": gc, "group": np.arange(n) // 2, "sites": starts})
    return SeqDataset(seqs, y, y_true, noise_var, meta)


@dataclass(frozen=True)
class ToyConfig:
    """Domain of :class:`ToyTask`: background GC and sequence length."""

    gc_mean: float = 0.5
    length: int = 40


class ToyTask(Task):
    """A generative toy task (see :func:`toy_dataset`) with two GC "domains"."""

    kind = "generative"
    group_column = "group"

    def __init__(self, length: int = 40) -> None:
        self.length = length

    @property
    def domains(self) -> tuple[str, ...]:
        return ("mid_gc", "high_gc")

    def config(self, domain: str | None = None, **changes: Any) -> ToyConfig:
        severity = float(changes.pop("severity", 1.0))
        cfg = ToyConfig(length=self.length)
        if domain == "high_gc":
            cfg = replace(cfg, gc_mean=0.5 + 0.3 * severity)
        return replace(cfg, **changes)

    def sample(self, config: ToyConfig, n: int, rng: np.random.Generator) -> SeqDataset:
        seed = int(rng.integers(2**31))
        return toy_dataset(n, config.length, seed, config.gc_mean)


class ToyTableTask(Task):
    """A fixed toy task: 200 rows of :func:`toy_dataset` in pairs of one group."""

    kind = "fixed"
    group_column = "group"

    def __init__(self, n: int = 200) -> None:
        self.n = n

    @property
    def domains(self) -> tuple[str, ...]:
        return ("a", "b")

    def load(self, domain: str | None = None) -> SeqDataset:
        data = toy_dataset(self.n, 40, 7)
        if domain == "b":
            return data.with_values(y=data.y * -1.0)
        return data
