"""Reference predictions of the simulator: the noise ceiling and the source oracle.

Both are written next to every model's rows (``noise_ceiling_*``, ``source_oracle_*``)
and scored by the same metric plugins, so a model's number can be read against:

- **noise ceiling** — the best any model can do on these data: mean ``y_true`` (the
  noise-free measurement of this split's domain) and variance ``noise_var`` (the true
  per-example noise variance). Only measurement noise is left.
- **source oracle** — the best a *perfectly fitted source model* can do: the source
  domain's noise-free mechanism applied to this split's sequences. A model trained on
  the source sees only sequences, so the oracle is the source's expected measurement
  given the sequence alone: its mean averages the source batches' systematic errors,
  and its variance is the source noise variance averaged over batches and library
  abundance (Gauss-Hermite quadrature of the log-normal) plus the spread between
  batches. Where a shift changes what a sequence does (a *mechanism* shift) the oracle
  falls below the ceiling; where it only moves the inputs (*covariate*) it stays close.
"""

from __future__ import annotations

import numpy as np

from regshift_bench.api import Prediction, SeqDataset
from rsbench_sim import measurement as meas
from rsbench_sim.config import SimConfig

#: Quadrature nodes over the log-normal library abundance.
_N_NODES = 7


def noise_ceiling(data: SeqDataset) -> Prediction:
    """mean = ``y_true``, var = ``noise_var`` of ``data`` (both shape (n,))."""
    if data.y_true is None or data.noise_var is None:
        raise ValueError("noise_ceiling needs y_true and noise_var (simulated data)")
    return Prediction(
        np.asarray(data.y_true, dtype=np.float64), np.maximum(np.asarray(data.noise_var, dtype=np.float64), 1e-12)
    )


def source_oracle(config: SimConfig, data: SeqDataset) -> Prediction:
    """The source domain's expected measurement of each sequence and its variance.

    Parameters
    ----------
    config : SimConfig
        The source domain (what the training data were drawn from).
    data : SeqDataset
        Sequences (n, L) of any split, shifted or not.

    Returns
    -------
    Prediction
        ``mean`` (n,): ``E_b[activity + offset_b + gc_bias_b * (gc - gc_ref)]`` over
        the source batches (uniform, as :func:`~rsbench_sim.measurement.design`
        draws them); ``var`` (n,): source noise variance averaged over batches and
        abundance, plus the variance of the batch term.
    """
    from rsbench_sim.task import activity  # late: task imports this module

    gc = ((data.seqs == 1) | (data.seqs == 2)).mean(axis=1)
    act = activity(config, data.seqs, gc)["activity"]
    offsets = np.asarray(config.batch_offset)[:, None]
    biases = np.asarray(config.batch_gc_bias)[:, None]
    per_batch = act[None, :] + offsets + biases * (gc - config.gc_ref)[None, :]  # (B, n)
    mean = per_batch.mean(axis=0)
    nodes, weights = np.polynomial.hermite_e.hermegauss(_N_NODES)
    weights = weights / weights.sum()
    sd = config.abundance_sd
    noise = np.zeros(len(data))
    for x, w in zip(nodes, weights):
        abundance = np.exp(-sd * sd / 2 + sd * x)
        dna = config.depth * abundance
        rna = config.rna_depth * abundance * np.exp2(per_batch)  # (B, n)
        v = meas.noise_variance(
            np.full_like(rna, dna), rna, config.dna_dispersion, config.rna_dispersion, config.pseudocount
        )
        noise += w * v.mean(axis=0)
    return Prediction(mean, noise + per_batch.var(axis=0))
