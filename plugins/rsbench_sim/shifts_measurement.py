"""Measurement shifts of the simulator: depth, batch, noise, saturation.

The sequences and biology (``meta["activity"]``) of ``test_ood`` are those of the
source for the same generator, except under ``assay_saturation``, which changes the
reporter's readout; see :mod:`rsbench_sim.shifts` for the shared contract.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regshift_bench.api import SeqDataset, Task
from rsbench_sim.config import SimConfig
from rsbench_sim.shift_base import SimShift, _source_activity


class DepthDrop(SimShift):
    """Lower sequencing depth: fewer DNA and RNA reads per element.

    Severity 1: depth divided by ``factor`` (default 20, e.g. 100 -> 5 DNA reads per
    element); at severity s by ``factor ** s``. Activity (``y_true``) is unchanged,
    noise variance rises.
    """

    kind = "measurement"
    changes_inputs = False  # same sequence distribution; only their labels move
    summary = "lower sequencing depth"

    def __init__(self, severity: float = 0.0, factor: float = 20.0) -> None:
        self.severity = severity
        self.factor = factor

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        f = self.factor**s
        return {"depth": config.depth / f, "rna_depth": config.rna_depth / f}

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """Mean noise variance of the measurements."""
        return float(np.mean(np.asarray(ood.noise_var, dtype=np.float64)))


class BatchEffect(SimShift):
    """A new measurement batch with a multiplicative offset and a GC-dependent bias.

    Test elements are measured in batches whose systematic error is the source
    batch's plus ``s * offset`` (log2) and ``s * gc_bias * (gc - gc_ref)``; batch
    design and names stay as in the source, so severity 0 is the source exactly.
    Severity 1: +1 log2 unit (2x) and 4 log2 units per unit GC (+-0.4 at +-0.1 GC)
    on top of the source batches' errors, by default. ``y_true`` (the noise-free
    measurement) carries the bias; ``meta["activity"]`` (the biology) does not.
    """

    kind = "measurement"
    changes_inputs = False  # same sequence distribution; only their labels move
    summary = "new batch with offset and GC-dependent bias"

    def __init__(self, severity: float = 0.0, offset: float = 1.0, gc_bias: float = 4.0) -> None:
        self.severity = severity
        self.offset = offset
        self.gc_bias = gc_bias

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {
            "batch_offset": tuple(o + s * self.offset for o in config.batch_offset),
            "batch_gc_bias": tuple(b + s * self.gc_bias for b in config.batch_gc_bias),
        }

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """Mean systematic error of the measurement, ``y_true - activity`` (log2)."""
        return float(np.mean(ood.y_true - ood.meta["activity"]))


class NoiseInflation(SimShift):
    """A noise-dominated regime: strong technical overdispersion of the counts.

    The negative-binomial size of DNA and RNA counts moves geometrically from the
    source's to ``dispersion`` (default 0.7). Severity 1: the mean noise variance
    exceeds the variance of ``y_true`` (tested; with the default task ~10 log2^2
    against 5.6, from 0.16 in the source). Sequences and ``y_true`` unchanged.
    """

    kind = "measurement"
    changes_inputs = False  # same sequence distribution; only their labels move
    summary = "noise-dominated measurements (overdispersed counts)"

    def __init__(self, severity: float = 0.0, dispersion: float = 0.7) -> None:
        self.severity = severity
        self.dispersion = dispersion

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        def interp(k0: float) -> float:
            return float(k0 ** (1.0 - s) * self.dispersion**s)

        return {"dna_dispersion": interp(config.dna_dispersion), "rna_dispersion": interp(config.rna_dispersion)}

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """Mean noise variance of the measurements."""
        return float(np.mean(np.asarray(ood.noise_var, dtype=np.float64)))


class AssaySaturation(SimShift):
    """The reporter saturates: strong elements are compressed, weak ones unchanged.

    The readout gains a saturating step, ``out / (1 + k * out)`` in linear output
    (:func:`~rsbench_sim.programs.readout`), with ``k = s * 2**-half_log2``. Severity 1
    (default ``half_log2 = 1``): an element at +1 log2 reads 1 log2 unit lower, one at
    the ceiling (+4) reads ~0.8 instead of 4, one at -2 loses 0.17; the floor stays.
    Expected counts follow the compressed activity, so noise stays proportionate to
    the reads (strong elements keep many RNA reads at the source depth).

    Unlike a symmetric narrowing of the dynamic range (which shrank sd(y_true) from
    2.1 to 0.6 and let even the ``mean`` baseline cover 100 %), this keeps the lower
    range and the spread of weak elements, so the cost falls on models that predict
    strong elements confidently: the source oracle's 90 % interval misses them.
    """

    kind = "measurement"
    changes_inputs = False  # same sequence distribution; only their labels move
    summary = "reporter saturation compresses strong elements"

    def __init__(self, severity: float = 0.0, half_log2: float = 1.0) -> None:
        self.severity = severity
        self.half_log2 = half_log2

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {"saturation": config.saturation + s * 2.0**-self.half_log2}

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """Mean loss of activity (log2) against the source readout of the same sequences."""
        return float(np.mean(_source_activity(task, ood) - ood.meta["activity"]))
