"""Built-in plugin ``rsbench_models``: reference models and biological priors.

Models: ``cnn``, ``bilstm``, ``transformer``, ``legnet`` and the Prix Fixe models
``prixfixe`` (composed from ``block`` plugins), ``dream_cnn``, ``dream_rnn``,
``dream_attn`` (Gaussian mean + variance heads, one shared trainer), each but
``prixfixe`` also as ``<base>+motif`` and ``<base>+gc`` with prior features in the
head; ``ensemble`` (deep ensemble over any registered model); baselines ``mean``,
``gc_linear``, ``kmer_ridge``, ``prior_ridge`` (ridge on motif-prior features + GC).
Priors: ``motif`` and ``gc``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regshift_bench import hookimpl
from regshift_bench.api import Model, Prior
from rsbench_models.baselines import GCLinear, KmerRidge, MeanBaseline
from rsbench_models.bilstm import BiLSTM
from rsbench_models.cnn import CNN
from rsbench_models.ensemble import Ensemble
from rsbench_models.legnet import LegNet
from rsbench_models.neural import NeuralModel
from rsbench_models.prior_ridge import PriorRidge
from rsbench_models.priors import GCPrior, MotifPrior
from rsbench_models.prixfixe import DreamAttn, DreamCNN, DreamRNN, PrixFixe
from rsbench_models.prixfixe_blocks import BUILTIN_BLOCKS
from rsbench_models.transformer import Transformer

__all__ = ["BiLSTM", "CNN", "DreamAttn", "DreamCNN", "DreamRNN", "Ensemble", "GCLinear", "GCPrior",
           "KmerRidge", "LegNet", "MeanBaseline", "MotifPrior", "NeuralModel", "PriorRidge",
           "PrixFixe", "Transformer"]

NEURAL: dict[str, type[NeuralModel]] = {"cnn": CNN, "bilstm": BiLSTM, "transformer": Transformer,
                                        "legnet": LegNet, "dream_cnn": DreamCNN,
                                        "dream_rnn": DreamRNN, "dream_attn": DreamAttn}
PRIORS: dict[str, type[Prior]] = {"motif": MotifPrior, "gc": GCPrior}
_SUMMARY = {
    "cnn": "residual CNN (DeepSTARR/LegNet family) with a Gaussian mean+variance head",
    "bilstm": "conv stem + bidirectional LSTM (DREAM-RNN family), Gaussian head",
    "transformer": "conv stem + transformer encoder with sinusoidal positions, Gaussian head",
    "legnet": "LegNet (Penzar et al. 2023), MPRA-LegNet configuration, Gaussian head",
    "dream_cnn": "DREAM-CNN (Rafi et al. 2025): BHI first, LegNet core, autosome final",
    "dream_rnn": "DREAM-RNN (Rafi et al. 2025): BHI first, BiLSTM core, autosome final",
    "dream_attn": "DREAM-Attn (Rafi et al. 2025): LegNet stem, conformer core, autosome final",
}


def with_prior(cls: type[NeuralModel], prior_name: str,
               **prior_params: Any) -> Callable[..., Model]:
    """Factory for ``base+prior``: the base model with a fresh prior instance
    built with ``prior_params`` (e.g. ``source="oracle"`` for a motif-prior rung).

    ``prior=`` may still be passed to override the default prior's parameters,
    e.g. ``prior=MotifPrior(meme_path=...)``.
    """
    def factory(**params: Any) -> Model:
        if "prior" not in params or params["prior"] is None:
            prior = PRIORS[prior_name](**prior_params)
            prior.name = prior_name  # type: ignore[misc]  # as the registry does
            params["prior"] = prior
        return cls(**params)

    factory.__doc__ = f"{cls.__name__} with {prior_name} prior features in its head"
    factory.prior_params = dict(prior_params)  # type: ignore[attr-defined]  # for `rsbench list`
    return factory


#: The motif prior's quality ladder on simulated tasks, registered for ``cnn``:
#: model suffix -> prior parameters (``motif`` itself is the ``database`` rung).
MOTIF_LADDER: dict[str, dict[str, Any]] = {
    "motif": {"source": "database"},
    "motif_oracle": {"source": "oracle"},
    "motif_decoys": {"source": "decoys"},
}
_LADDER_SUMMARY = {
    "motif": "the simulator's TFs from an independent database plus decoys on simulated "
             "tasks; the cell type's panel on real ones",
    "motif_oracle": "the simulator's own matrices (a perfect prior; simulated tasks only)",
    "motif_decoys": "only TFs the simulator does not use (an uninformative prior; "
                    "simulated tasks only)",
}


@hookimpl
def rsbench_register_models(register: Callable[..., None]) -> None:
    for base, cls in NEURAL.items():
        register(base, cls, summary=_SUMMARY[base], family="neural")
        for prior_name in PRIORS:
            if prior_name == "motif":
                continue  # below, with the ladder
            register(f"{base}+{prior_name}", with_prior(cls, prior_name),
                     summary=f"{base} with {prior_name} prior features in the head",
                     family="neural", base=base, prior=prior_name)
        rungs = MOTIF_LADDER if base == "cnn" else {"motif": MOTIF_LADDER["motif"]}
        for suffix, prior_params in rungs.items():
            shown = ", ".join(f"{k}={v}" for k, v in prior_params.items())
            register(f"{base}+{suffix}", with_prior(cls, "motif", **prior_params),
                     summary=f"{base} with motif prior features in the head ({shown}: "
                             f"{_LADDER_SUMMARY[suffix]}; per-matrix thresholds at p = 0.02)",
                     family="neural", base=base, prior="motif")
    register("prixfixe", PrixFixe, summary="compose registered blocks: prixfixe(first=..., "
             "core=..., final=...) (see `rsbench list blocks`)", family="neural")
    register("ensemble", Ensemble, summary="deep ensemble of any registered model (mixture)",
             family="ensemble")
    register("mean", MeanBaseline, summary="training mean and variance for every input",
             family="baseline")
    register("gc_linear", GCLinear, summary="linear in GC content; residual variance",
             family="baseline")
    register("kmer_ridge", KmerRidge,
             summary="ridge on canonical 1-6-mer counts; cross-fitted log-residual variance",
             family="baseline")
    register("prior_ridge", _prior_ridge,
             summary="ridge on motif-prior features plus GC; tells a prior's value from the "
             "network's", family="baseline", prior="motif")


def _prior_ridge(**params: Any) -> Model:
    """``prior_ridge`` with a fresh ``motif`` prior instance (so its choice shows in params)."""
    if params.get("prior") in (None, "motif"):
        prior = MotifPrior()
        prior.name = "motif"  # type: ignore[misc]  # as the registry does
        params["prior"] = prior
    return PriorRidge(**params)


@hookimpl
def rsbench_register_blocks(register: Callable[..., None]) -> None:
    for name, (factory, roles, summary) in BUILTIN_BLOCKS.items():
        register(name, factory, roles=roles, summary=summary)


@hookimpl
def rsbench_register_priors(register: Callable[..., None]) -> None:
    register("motif", MotifPrior, summary="PWM occupancy (max and sum, both strands) per motif")
    register("gc", GCPrior, summary="GC fraction, CpG frequency and CpG observed/expected")
