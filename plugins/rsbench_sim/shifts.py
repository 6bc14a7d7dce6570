"""Shifts of the simulator: each changes the test domain's :class:`SimConfig`.

All keep the source-domain train / val / test_id of the ``none`` shift (drawn by
:func:`regshift_bench.api.source_splits`, so one trained model serves every shift)
and draw ``test_ood`` from ``src.ood_rng`` with a changed configuration. Severity 0
is the source domain; each class says what severity 1 means. Random choices of a
shift (which TFs rewire, the perturbed PWMs) come from its own ``seed``, and are
nested across severities: the TFs changed at 0.5 are among those changed at 1.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from regshift_bench.api import Shift, Splits, SplitSizes, Task, source_splits
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


class GcShift(SimShift):
    """Background GC content moves; TF effects, motifs and measurement stay.

    Severity 1: the mean background GC fraction rises by ``delta`` (default 0.2,
    e.g. 0.42 -> 0.62). Activity still depends on GC through the same mechanisms
    (chance binding of GC-rich motifs, the GC term), so this is covariate shift.
    """

    kind = "covariate"
    summary = "background GC content moves"

    def __init__(self, severity: float = 0.0, delta: float = 0.2) -> None:
        self.severity = severity
        self.delta = delta

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {"gc_mean": float(np.clip(config.gc_mean + s * self.delta, 0.02, 0.98))}


class MotifRewiring(SimShift):
    """A fraction of TF effects is sign-flipped or permuted (cell-program rewiring).

    Severity 1: ``fraction`` (default half) of the TFs with a non-negligible effect
    (|effect| > 0.1) are rewired: with ``mode="flip"`` their effect changes sign,
    with ``mode="permute"`` their effects are rotated among them. At severity s the
    first ``round(s * fraction * k)`` of those TFs, in a fixed order from ``seed``.
    """

    kind = "mechanism"
    summary = "TF effects rewired (sign flips / permutation)"

    def __init__(self, severity: float = 0.0, fraction: float = 0.5, mode: str = "flip", seed: int = 0) -> None:
        self.severity = severity
        self.fraction = fraction
        self.mode = mode
        self.seed = seed

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        if self.mode not in ("flip", "permute"):
            raise DataError(f"shift motif_rewiring: mode must be 'flip' or 'permute', got {self.mode!r}")
        eff = np.asarray(config.effects)
        order = [j for j in _tf_order(len(eff), self.seed) if abs(eff[j]) > 0.1]
        chosen = order[: int(round(s * self.fraction * len(order)))]
        new = eff.copy()
        if self.mode == "flip":
            new[chosen] = -eff[chosen]
        elif len(chosen) > 1:
            new[chosen] = eff[np.roll(chosen, 1)]
        return {"effects": tuple(new)}


class PwmPerturbation(SimShift):
    """Planted sites are drawn from perturbed PWMs; binding still uses the true ones.

    The planting PWM of each TF is ``(1 - s) * pwm + s * random_pwm``, with a random
    PWM of the same width (Dirichlet(1) rows, from ``seed``). Severity 1: planted
    sites come from unrelated random PWMs, so they rarely look like (or bind as)
    the TF's sites. Models that learned the source sites meet unfamiliar variants.
    """

    kind = "mechanism"
    summary = "target sites drawn from perturbed PWMs"

    def __init__(self, severity: float = 0.0, seed: int = 0) -> None:
        self.severity = severity
        self.seed = seed

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        rng = np.random.default_rng(self.seed)
        out = []
        for mo in config.motifs:
            rand = rng.dirichlet(np.ones(4), size=mo.width)
            out.append(Motif(mo.name, mo.id, (1.0 - s) * mo.pwm + s * rand))
        return {"site_motifs": MotifSet(out, source=f"pwm_perturbation({s:g})")}


class MotifTurnover(SimShift):
    """Motif gain and loss: changed site density of some TFs.

    Severity 1: ``fraction`` of the TFs (default a quarter) lose all planted sites,
    another ``fraction`` gain ``gain`` times more (default 3, so 4x the density);
    at severity s the rates are multiplied by ``1 - s`` and ``1 + gain * s``.
    Which TFs lose and gain is fixed by ``seed``.
    """

    kind = "covariate"
    summary = "motif gain/loss (changed site density)"

    def __init__(self, severity: float = 0.0, fraction: float = 0.25, gain: float = 3.0, seed: int = 0) -> None:
        self.severity = severity
        self.fraction = fraction
        self.gain = gain
        self.seed = seed

    def groups(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the TFs that lose and that gain sites."""
        order = _tf_order(m, self.seed + 1)
        k = max(1, int(round(self.fraction * m)))
        return order[:k], order[k:2 * k]

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        rate = np.asarray(config.site_rate)
        lost, gained = self.groups(len(rate))
        new = rate.copy()
        new[lost] *= 1.0 - s
        new[gained] *= 1.0 + self.gain * s
        return {"site_rate": tuple(new)}


class CooperativityLoss(SimShift):
    """The grammar changes: cooperative TF pairs lose their joint effect.

    Severity 1: co-bound pairs add nothing beyond their separate effects
    (``coop_strength`` times ``1 - s``).
    """

    kind = "mechanism"
    summary = "cooperative TF pairs lose their joint effect"

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {"coop_strength": tuple((1.0 - s) * c for c in config.coop_strength)}


class DepthDrop(SimShift):
    """Lower sequencing depth: fewer DNA and RNA reads per element.

    Severity 1: depth divided by ``factor`` (default 20, e.g. 100 -> 5 DNA reads per
    element); at severity s by ``factor ** s``. Activity (``y_true``) is unchanged,
    noise variance rises.
    """

    kind = "measurement"
    summary = "lower sequencing depth"

    def __init__(self, severity: float = 0.0, factor: float = 20.0) -> None:
        self.severity = severity
        self.factor = factor

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        f = self.factor ** s
        return {"depth": config.depth / f, "rna_depth": config.rna_depth / f}


class BatchEffect(SimShift):
    """A new measurement batch with a multiplicative offset and a GC-dependent bias.

    Every test element is measured in batch ``"new"`` with log2 offset
    ``s * offset`` and log2 bias ``s * gc_bias * (gc - gc_ref)``. Severity 1:
    +1 log2 unit (2x) and 4 log2 units per unit GC (+-0.4 at +-0.1 GC) by default.
    ``y_true`` (the noise-free measurement) carries the bias; ``meta["activity"]``
    (the biology) does not.
    """

    kind = "measurement"
    summary = "new batch with offset and GC-dependent bias"

    def __init__(self, severity: float = 0.0, offset: float = 1.0, gc_bias: float = 4.0) -> None:
        self.severity = severity
        self.offset = offset
        self.gc_bias = gc_bias

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {"batches": ("new",), "batch_offset": (s * self.offset,), "batch_gc_bias": (s * self.gc_bias,)}


class NoiseInflation(SimShift):
    """A noise-dominated regime: strong technical overdispersion of the counts.

    The negative-binomial size of DNA and RNA counts moves geometrically from the
    source's to ``dispersion`` (default 0.7). Severity 1: the mean noise variance
    exceeds the variance of ``y_true`` (tested). Sequences and ``y_true`` unchanged.
    """

    kind = "measurement"
    summary = "noise-dominated measurements (overdispersed counts)"

    def __init__(self, severity: float = 0.0, dispersion: float = 0.7) -> None:
        self.severity = severity
        self.dispersion = dispersion

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        def interp(k0: float) -> float:
            return float(k0 ** (1.0 - s) * self.dispersion ** s)

        return {"dna_dispersion": interp(config.dna_dispersion), "rna_dispersion": interp(config.rna_dispersion)}


class AssaySaturation(SimShift):
    """The readout's dynamic range narrows: strong elements saturate sooner.

    Severity 1: the log2 span between the readout's floor and ceiling shrinks to
    ``factor`` (default 0.25) of the source's (8 -> 2 log2 units); at severity s it
    is multiplied by ``1 - (1 - factor) * s``.
    """

    kind = "measurement"
    summary = "readout dynamic range changes (saturation)"

    def __init__(self, severity: float = 0.0, factor: float = 0.25) -> None:
        self.severity = severity
        self.factor = factor

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {"dynamic_range": config.dynamic_range * (1.0 - (1.0 - self.factor) * s)}


#: Registered name -> class.
SHIFTS: dict[str, type[SimShift]] = {
    "gc_shift": GcShift,
    "motif_rewiring": MotifRewiring,
    "pwm_perturbation": PwmPerturbation,
    "motif_turnover": MotifTurnover,
    "cooperativity_loss": CooperativityLoss,
    "depth_drop": DepthDrop,
    "batch_effect": BatchEffect,
    "noise_inflation": NoiseInflation,
    "assay_saturation": AssaySaturation,
}
