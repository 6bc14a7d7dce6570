"""Built-in plugin ``rsbench_models``: reference models and biological priors.

Models: ``cnn``, ``bilstm``, ``transformer`` (Gaussian mean + variance heads, one shared
trainer), each also as ``<base>+motif`` and ``<base>+gc`` with prior features in the
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
from rsbench_models.neural import NeuralModel
from rsbench_models.prior_ridge import PriorRidge
from rsbench_models.priors import GCPrior, MotifPrior
from rsbench_models.transformer import Transformer

__all__ = ["BiLSTM", "CNN", "Ensemble", "GCLinear", "GCPrior", "KmerRidge", "MeanBaseline",
           "MotifPrior", "NeuralModel", "PriorRidge", "Transformer"]

NEURAL: dict[str, type[NeuralModel]] = {"cnn": CNN, "bilstm": BiLSTM, "transformer": Transformer}
PRIORS: dict[str, type[Prior]] = {"motif": MotifPrior, "gc": GCPrior}
_SUMMARY = {
    "cnn": "residual CNN (DeepSTARR/LegNet family) with a Gaussian mean+variance head",
    "bilstm": "conv stem + bidirectional LSTM (DREAM-RNN family), Gaussian head",
    "transformer": "conv stem + transformer encoder with sinusoidal positions, Gaussian head",
}


def with_prior(cls: type[NeuralModel], prior_name: str) -> Callable[..., Model]:
    """Factory for ``base+prior``: the base model with a fresh prior instance.

    ``prior=`` may still be passed to override the default prior's parameters,
    e.g. ``prior=MotifPrior(meme_path=...)``.
    """
    def factory(**params: Any) -> Model:
        if "prior" not in params or params["prior"] is None:
            prior = PRIORS[prior_name]()
            prior.name = prior_name  # type: ignore[misc]  # as the registry does
            params["prior"] = prior
        return cls(**params)

    factory.__doc__ = f"{cls.__name__} with {prior_name} prior features in its head"
    return factory


@hookimpl
def rsbench_register_models(register: Callable[..., None]) -> None:
    for base, cls in NEURAL.items():
        register(base, cls, summary=_SUMMARY[base], family="neural")
        for prior_name in PRIORS:
            register(f"{base}+{prior_name}", with_prior(cls, prior_name),
                     summary=f"{base} with {prior_name} prior features in the head",
                     family="neural", base=base, prior=prior_name)
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
def rsbench_register_priors(register: Callable[..., None]) -> None:
    register("motif", MotifPrior, summary="PWM occupancy (max and sum, both strands) per motif")
    register("gc", GCPrior, summary="GC fraction, CpG frequency and CpG observed/expected")
