"""SimConfig: every parameter of the generative model for one domain (cell type)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from regshift_bench.errors import DataError
from regshift_bench.motifs import MotifSet
from regshift_bench.names import did_you_mean

#: Per-TF fields: tuples of length m (one value per motif).
PER_TF = ("site_rate", "thresholds", "effects")


@dataclass(frozen=True)
class SimConfig:
    """One domain of the simulator; a shift changes some fields (``config.changed(...)``).

    Grouped by mechanism (see the modules named in brackets):

    Parameters
    ----------
    cell_type : str
        Domain name; selects the row of the program matrix (``effects``).
    seq_len : int
        Sequence length L.
    gc_mean, gc_sd : float
        [background] Per-sequence GC fraction ~ Beta with this mean and sd.
    markov_order : {0, 1}
        [background] 0: i.i.d. bases; 1: first-order Markov chain with CpG depletion.
    cpg_ratio : float
        [background] Observed/expected CpG under ``markov_order=1`` (~0.25 in mammals).
    motifs : MotifSet
        [motifs] The TFs; binding is scored with these PWMs.
    site_rate : tuple of float, (m,)
        [planting] Expected planted sites per sequence for each TF (Poisson mean).
    site_motifs : MotifSet or None
        [planting] PWMs planted bases are drawn from (None: ``motifs``).
    thresholds : tuple of float, (m,)
        [binding] Log-odds score (nats) at which a site is half occupied.
    binding_scale : float
        [binding] Softness of occupancy, ``sigmoid((score - threshold) / scale)``.
    effects : tuple of float, (m,)
        [programs] Effect of one bound site of each TF on the activation energy z.
    coop_pairs : tuple of (int, int)
        [programs] Cooperative TF pairs (motif indices).
    coop_strength : tuple of float
        [programs] Extra effect per co-bound pair of sites within ``coop_window``.
    coop_window : int
        [programs] Largest distance (bp) between the two sites' starts.
    basal : float
        [programs] Activation energy of a sequence with no bound TF.
    gc_coef, gc_ref : float
        [gc bias] z += gc_coef * (gc - gc_ref).
    dynamic_range : float
        [readout] log2 span between floor and ceiling of the saturating readout.
    saturation : float
        [readout] Saturation of the reporter's output (linear units of 2**activity):
        ``activity - log2(1 + saturation * 2**activity)``; 0 (the source) leaves the
        readout unchanged, ``2**-h`` halves the output of an element at ``h`` log2.
    depth : float
        [measurement] Mean DNA reads per element.
    rna_depth : float
        [measurement] Mean RNA reads per element of activity 0 (log2 ratio 0).
    dna_dispersion, rna_dispersion : float
        [measurement] Negative-binomial size k (variance mu + mu^2 / k).
    abundance_sd : float
        [measurement] sd of log library abundance per element (log-normal, mean 1).
    batches : tuple of str
        [measurement] Batch names; each element is measured in one, uniformly.
    batch_offset, batch_gc_bias : tuple of float
        [measurement] Per batch: log2 multiplicative offset and log2 bias per unit
        GC deviation from ``gc_ref``.
    pseudocount : float
        [measurement] Added to counts before the log ratio.
    """

    cell_type: str
    seq_len: int
    motifs: MotifSet
    site_rate: tuple[float, ...]
    thresholds: tuple[float, ...]
    effects: tuple[float, ...]
    gc_mean: float = 0.42
    gc_sd: float = 0.05
    markov_order: int = 1
    cpg_ratio: float = 0.25
    site_motifs: MotifSet | None = None
    binding_scale: float = 0.5
    coop_pairs: tuple[tuple[int, int], ...] = ()
    coop_strength: tuple[float, ...] = ()
    coop_window: int = 50
    basal: float = -4.5
    gc_coef: float = 2.0
    gc_ref: float = 0.42
    dynamic_range: float = 8.0
    saturation: float = 0.0
    depth: float = 100.0
    rna_depth: float = 100.0
    dna_dispersion: float = 100.0
    rna_dispersion: float = 30.0
    abundance_sd: float = 0.5
    batches: tuple[str, ...] = ("b0", "b1")
    batch_offset: tuple[float, ...] = (0.0, 0.1)
    batch_gc_bias: tuple[float, ...] = (0.0, 0.3)
    pseudocount: float = 0.5

    def __post_init__(self) -> None:
        m = len(self.motifs)
        for name in PER_TF:
            value = tuple(float(v) for v in getattr(self, name))
            if len(value) != m:
                raise DataError(f"SimConfig.{name}: {len(value)} values for {m} motifs; give one per motif")
            object.__setattr__(self, name, value)
        if self.site_motifs is not None and [mo.width for mo in self.site_motifs] != [mo.width for mo in self.motifs]:
            raise DataError("SimConfig.site_motifs: must match motifs one to one with equal widths")
        if len(self.coop_strength) != len(self.coop_pairs):
            raise DataError("SimConfig.coop_strength: one strength per cooperative pair")
        if any(not (0 <= a < m and 0 <= b < m) or a == b for a, b in self.coop_pairs):
            raise DataError(f"SimConfig.coop_pairs: two different motif indices in [0, {m}) per pair")
        if not (len(self.batches) == len(self.batch_offset) == len(self.batch_gc_bias) > 0):
            raise DataError("SimConfig.batches: batch_offset and batch_gc_bias need one value per batch")
        if self.saturation < 0:
            raise DataError(f"SimConfig.saturation={self.saturation}: must be >= 0 (0 = none)")
        if self.markov_order not in (0, 1):
            raise DataError(f"SimConfig.markov_order: {self.markov_order}; use 0 or 1")
        if not 0.0 < self.gc_mean < 1.0 or self.gc_sd < 0:
            raise DataError(f"SimConfig.gc_mean={self.gc_mean}, gc_sd={self.gc_sd}: mean in (0, 1), sd >= 0")
        if min(self.depth, self.rna_depth, self.dna_dispersion, self.rna_dispersion) <= 0:
            raise DataError("SimConfig: depth, rna_depth and dispersions must be positive")
        if self.seq_len < self.motifs.max_width:
            raise DataError(f"SimConfig.seq_len={self.seq_len} is shorter than the widest motif")

    @property
    def planted_motifs(self) -> MotifSet:
        """The PWMs planted sites are drawn from."""
        return self.site_motifs if self.site_motifs is not None else self.motifs

    def changed(self, **changes: Any) -> SimConfig:
        """A copy with some fields replaced; unknown names raise with close matches."""
        known = [f.name for f in fields(self)]
        for key in changes:
            if key not in known:
                hint = did_you_mean(key, known, cutoff=0.6)
                raise DataError(f"SimConfig has no parameter {key!r}{hint}")
        return replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """JSON-able parameters (motif sets as their names), for provenance."""
        out = {}
        for f in fields(self):
            if f.name in ("motifs", "site_motifs"):
                continue
            out[f.name] = getattr(self, f.name)
        out["motifs"] = list(self.motifs.names)
        out["site_motifs"] = (
            None if self.site_motifs is None else [np.round(mo.pwm, 4).tolist() for mo in self.site_motifs]
        )
        return out
