"""Shifts of the simulator: each changes the test domain's :class:`SimConfig`.

All keep the source-domain train / val / test_id of the ``none`` shift (drawn by
:func:`regshift_bench.api.source_splits`, so one trained model serves every shift)
and draw ``test_ood`` from ``src.ood_rng`` with a changed configuration. Severity 0
is the source domain exactly (``test_ood`` identical, array for array, to what
``none`` draws; tested for every shift); each class says what severity 1 means in
numbers and declares its :attr:`~regshift_bench.api.Shift.kind`. Random choices of
a shift (which TFs rewire, the perturbed PWMs) come from its own ``seed``, and are
nested across severities: the TFs changed at 0.5 are among those changed at 1.

Each shift also names its own quantity (:meth:`SimShift.quantity`, measured on the
drawn ``test_ood``), which rises monotonically with severity (tested).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regshift_bench.api import SeqDataset, Task
from regshift_bench.errors import DataError
from rsbench_sim.binding import chance_rate, chance_threshold
from rsbench_sim.config import SimConfig
from rsbench_sim.shift_base import SimShift, _mixed_pwms, _tf_order
from rsbench_sim.shifts_measurement import AssaySaturation, BatchEffect, DepthDrop, NoiseInflation

__all__ = ["SHIFTS", "SimShift"]


class GcShift(SimShift):
    """Background GC content moves; TF effects, motifs and measurement stay.

    Severity 1: the mean background GC fraction rises by ``delta`` (default 0.2,
    e.g. 0.42 -> 0.62). Activity still depends on GC through the same mechanisms
    (chance binding of GC-rich motifs, the GC term), so this is covariate shift:
    the source oracle keeps >= 0.97 of the noise ceiling's Pearson r (tested).
    """

    kind = "covariate"
    changes_inputs = True  # the test sequences are drawn differently
    summary = "background GC content moves"

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """Mean GC fraction of the test sequences."""
        return float(ood.gc().mean())

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
    With the default task, severity 1 flips 5 of the 10 TFs with an effect and the
    source oracle keeps ~0.78 of the ceiling's Pearson r.
    """

    kind = "mechanism"
    changes_inputs = False  # same sequence distribution; only their labels move
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
    """TF specificities change: binding is scored with perturbed PWMs.

    Sites are planted from the source PWMs, but each TF now binds by
    ``(1 - w) * pwm + w * random_pwm`` with ``w = s * mix`` (a random PWM of the same
    width, Dirichlet(1) rows from ``seed``); its threshold moves so that chance
    binding in random DNA stays at the source rate. Severity 1 (default ``mix=0.5``):
    every binding matrix is half the TF's, half random, so many planted source sites
    bind weakly and other k-mers start to bind; with the default task the source
    oracle keeps ~0.65 of the ceiling's Pearson r (0.02 at ``mix=1``).
    The covariate counterpart (sites drawn from perturbed PWMs, binding unchanged) is
    ``site_degeneration``.
    """

    kind = "mechanism"
    changes_inputs = False  # same sequence distribution; only their labels move
    summary = "TF specificities change (binding scored with perturbed PWMs)"

    def __init__(self, severity: float = 0.0, seed: int = 0, mix: float = 0.5) -> None:
        self.severity = severity
        self.seed = seed
        self.mix = mix

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        new = _mixed_pwms(config.motifs, s * self.mix, self.seed, "pwm_perturbation")
        thresholds = []
        for old, mo, t in zip(config.motifs, new, config.thresholds):
            rate = chance_rate(old, t, config.binding_scale)
            # A difference of two identical computations at s = 0: exactly t then.
            thresholds.append(
                t + chance_threshold(mo, rate, config.binding_scale) - chance_threshold(old, rate, config.binding_scale)
            )
        return {"motifs": new, "site_motifs": config.planted_motifs, "thresholds": tuple(thresholds)}


class SiteDegeneration(SimShift):
    """Planted sites are drawn from perturbed PWMs; binding still uses the true ones.

    The planting PWM of each TF is ``(1 - s) * pwm + s * random_pwm``, with a random
    PWM of the same width (Dirichlet(1) rows, from ``seed``). Severity 1: planted
    sites come from unrelated random PWMs, so they rarely look like (or bind as)
    the TF's sites: with the default task they score -0.8 nats per position under
    the TF's log-odds on average (+0.5 in the source). The mechanism is unchanged (covariate shift): the source oracle
    keeps its Pearson r relative to the ceiling, which itself falls as signal is lost.
    """

    kind = "covariate"
    changes_inputs = True  # the test sequences are drawn differently
    summary = "target sites drawn from degenerate (perturbed) PWMs; binding unchanged"

    def __init__(self, severity: float = 0.0, seed: int = 0) -> None:
        self.severity = severity
        self.seed = seed

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {"site_motifs": _mixed_pwms(config.motifs, s, self.seed, "site_degeneration")}

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """Minus the mean log-odds (nats per position) of planted sites under the source PWMs."""
        motifs = task.config().motifs
        lo = {m.name: (m.log_odds(), m.reverse_complement().log_odds(), m.width) for m in motifs}
        scores = [
            (f if st.strand == "+" else r)[np.arange(w), ood.seqs[i, st.start : st.start + w]].mean()
            for i, sites in enumerate(ood.meta["sites"])
            for st in sites
            for f, r, w in [lo[st.tf]]
        ]
        return -float(np.mean(scores))


class MotifTurnover(SimShift):
    """Motif gain and loss: changed site density of some TFs.

    Severity 1: ``fraction`` of the TFs (default a quarter) lose all planted sites,
    another ``fraction`` gain ``gain`` times more (default 3, so 4x the density);
    at severity s the rates are multiplied by ``1 - s`` and ``1 + gain * s``.
    Which TFs lose and gain is fixed by ``seed``.
    """

    kind = "covariate"
    changes_inputs = True  # the test sequences are drawn differently
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
        return order[:k], order[k : 2 * k]

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        rate = np.asarray(config.site_rate)
        lost, gained = self.groups(len(rate))
        new = rate.copy()
        new[lost] *= 1.0 - s
        new[gained] *= 1.0 + self.gain * s
        return {"site_rate": tuple(new)}

    def quantity(self, task: Task, ood: SeqDataset) -> float:
        """L1 distance between the planted sites per sequence of each TF and the source rates."""
        names = list(task.config().motifs.names)
        counts = np.zeros(len(names))
        for sites in ood.meta["sites"]:
            for st in sites:
                counts[names.index(st.tf)] += 1
        return float(np.abs(counts / len(ood) - np.asarray(task.config().site_rate)).sum())


class CooperativityLoss(SimShift):
    """The grammar changes: cooperative TF pairs lose their joint effect.

    Severity 1: co-bound pairs add nothing beyond their separate effects
    (``coop_strength`` times ``1 - s``). With the default task (10 activator pairs,
    +4 activation energy per co-bound pair within 100 bp) about a quarter of
    sequences carry a co-bound pair, and the source oracle keeps <= 0.95 of the
    ceiling's Pearson r at severity 1 (tested).
    """

    kind = "mechanism"
    changes_inputs = False  # same sequence distribution; only their labels move
    summary = "cooperative TF pairs lose their joint effect"

    def changes(self, config: SimConfig, s: float) -> dict[str, Any]:
        return {"coop_strength": tuple((1.0 - s) * c for c in config.coop_strength)}


#: Registered name -> class.
SHIFTS: dict[str, type[SimShift]] = {
    "gc_shift": GcShift,
    "motif_rewiring": MotifRewiring,
    "pwm_perturbation": PwmPerturbation,
    "site_degeneration": SiteDegeneration,
    "motif_turnover": MotifTurnover,
    "cooperativity_loss": CooperativityLoss,
    "depth_drop": DepthDrop,
    "batch_effect": BatchEffect,
    "noise_inflation": NoiseInflation,
    "assay_saturation": AssaySaturation,
}
