"""Built-in plugin ``rsbench_models``: reference models and biological priors.

Models: ``cnn``, ``bilstm``, ``transformer``, ``legnet`` and the Prix Fixe models
``prixfixe`` (composed from ``block`` plugins), ``dream_cnn``, ``dream_rnn``,
``dream_attn`` (Gaussian mean + variance heads, one shared trainer), each but
``prixfixe`` also as ``<base>+motif`` and ``<base>+gc`` with prior features in the
head; ``ensemble`` (deep ensemble over any registered model); baselines ``mean``,
``gc_linear``, ``kmer_ridge``, ``prior_ridge`` (ridge on motif-prior features + GC).
Priors: ``motif`` and ``gc``.

Everything is registered as a :func:`~regshift_bench.api.lazy` factory (or a small
function that imports on call), so loading the plugin does not import torch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from regshift_bench import hookimpl
from regshift_bench.api.lazy_factory import LazyFactory, lazy, resolve

if TYPE_CHECKING:
    from regshift_bench.api import Model
    from rsbench_models.baselines import GCLinear, KmerRidge, MeanBaseline
    from rsbench_models.bilstm import BiLSTM
    from rsbench_models.cnn import CNN
    from rsbench_models.ensemble import Ensemble
    from rsbench_models.legnet import LegNet
    from rsbench_models.neural import NeuralModel
    from rsbench_models.prior_ridge import PriorRidge
    from rsbench_models.priors import GCPrior, MotifPrior
    from rsbench_models.prixfixe import DreamAttn, DreamCNN, DreamRNN, PrixFixe
    from rsbench_models.transformer import Transformer

__all__ = [
    "BiLSTM",
    "CNN",
    "DreamAttn",
    "DreamCNN",
    "DreamRNN",
    "Ensemble",
    "GCLinear",
    "GCPrior",
    "KmerRidge",
    "LegNet",
    "MeanBaseline",
    "MotifPrior",
    "NeuralModel",
    "PriorRidge",
    "PrixFixe",
    "Transformer",
]

#: Exported class -> its module, imported when the name is first read.
_EXPORTS = {
    "BiLSTM": "bilstm",
    "CNN": "cnn",
    "DreamAttn": "prixfixe",
    "DreamCNN": "prixfixe",
    "DreamRNN": "prixfixe",
    "Ensemble": "ensemble",
    "GCLinear": "baselines",
    "GCPrior": "priors",
    "KmerRidge": "baselines",
    "LegNet": "legnet",
    "MeanBaseline": "baselines",
    "MotifPrior": "priors",
    "NeuralModel": "neural",
    "PriorRidge": "prior_ridge",
    "PrixFixe": "prixfixe",
    "Transformer": "transformer",
}

#: Neural base models (lazily imported classes).
_NEURAL: dict[str, LazyFactory] = {
    "cnn": lazy("rsbench_models.cnn:CNN"),
    "bilstm": lazy("rsbench_models.bilstm:BiLSTM"),
    "transformer": lazy("rsbench_models.transformer:Transformer"),
    "legnet": lazy("rsbench_models.legnet:LegNet"),
    "dream_cnn": lazy("rsbench_models.prixfixe:DreamCNN"),
    "dream_rnn": lazy("rsbench_models.prixfixe:DreamRNN"),
    "dream_attn": lazy("rsbench_models.prixfixe:DreamAttn"),
}
_PRIORS: dict[str, LazyFactory] = {
    "motif": lazy("rsbench_models.priors:MotifPrior"),
    "gc": lazy("rsbench_models.priors:GCPrior"),
}
_SUMMARY = {
    "cnn": "residual CNN (DeepSTARR/LegNet family) with a Gaussian mean+variance head",
    "bilstm": "conv stem + bidirectional LSTM (DREAM-RNN family), Gaussian head",
    "transformer": "conv stem + transformer encoder with sinusoidal positions, Gaussian head",
    "legnet": "LegNet (Penzar et al. 2023), MPRA-LegNet configuration, Gaussian head",
    "dream_cnn": "DREAM-CNN (Rafi et al. 2025): BHI first, LegNet core, autosome final",
    "dream_rnn": "DREAM-RNN (Rafi et al. 2025): BHI first, BiLSTM core, autosome final",
    "dream_attn": "DREAM-Attn (Rafi et al. 2025): LegNet stem, conformer core, autosome final",
}


def with_prior(cls: Callable[..., Model], prior_name: str, **prior_params: Any) -> Callable[..., Model]:
    """Factory for ``base+prior``: the base model with a fresh prior instance
    built with ``prior_params`` (e.g. ``source="oracle"`` for a motif-prior rung).

    ``prior=`` may still be passed to override the default prior's parameters,
    e.g. ``prior=MotifPrior(meme_path=...)``. ``cls`` may be a lazy factory: it is
    imported when the model is first built.
    """

    def factory(**params: Any) -> Model:
        if "prior" not in params or params["prior"] is None:
            prior = _PRIORS[prior_name](**prior_params)
            prior.name = prior_name  # type: ignore[attr-defined]  # as the registry does
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
    "motif_decoys": "only TFs the simulator does not use (an uninformative prior; simulated tasks only)",
}


@hookimpl
def rsbench_register_models(register: Callable[..., None]) -> None:
    for base, cls in _NEURAL.items():
        register(base, cls, summary=_SUMMARY[base], family="neural")
        for prior_name in _PRIORS:
            if prior_name == "motif":
                continue  # below, with the ladder
            register(
                f"{base}+{prior_name}",
                with_prior(cls, prior_name),
                summary=f"{base} with {prior_name} prior features in the head",
                family="neural",
                base=base,
                prior=prior_name,
            )
        rungs = MOTIF_LADDER if base == "cnn" else {"motif": MOTIF_LADDER["motif"]}
        for suffix, prior_params in rungs.items():
            shown = ", ".join(f"{k}={v}" for k, v in prior_params.items())
            register(
                f"{base}+{suffix}",
                with_prior(cls, "motif", **prior_params),
                summary=f"{base} with motif prior features in the head ({shown}: "
                f"{_LADDER_SUMMARY[suffix]}; per-matrix thresholds at p = 0.02)",
                family="neural",
                base=base,
                prior="motif",
            )
    register(
        "prixfixe",
        lazy("rsbench_models.prixfixe:PrixFixe"),
        summary="compose registered blocks: prixfixe(first=..., core=..., final=...) (see `rsbench list blocks`)",
        family="neural",
    )
    register(
        "ensemble",
        lazy("rsbench_models.ensemble:Ensemble"),
        summary="deep ensemble of any registered model (mixture)",
        family="ensemble",
    )
    register(
        "mean",
        lazy("rsbench_models.baselines:MeanBaseline"),
        summary="training mean and variance for every input",
        family="baseline",
    )
    register(
        "gc_linear",
        lazy("rsbench_models.baselines:GCLinear"),
        summary="linear in GC content; residual variance",
        family="baseline",
    )
    register(
        "kmer_ridge",
        lazy("rsbench_models.baselines:KmerRidge"),
        summary="ridge on canonical 1-6-mer counts; cross-fitted log-residual variance",
        family="baseline",
    )
    register(
        "prior_ridge",
        _prior_ridge,
        summary="ridge on motif-prior features plus GC; tells a prior's value from the network's",
        family="baseline",
        prior="motif",
    )


def _prior_ridge(**params: Any) -> Model:
    """``prior_ridge`` with a fresh ``motif`` prior instance (so its choice shows in params)."""
    from rsbench_models.prior_ridge import PriorRidge
    from rsbench_models.priors import MotifPrior

    if params.get("prior") in (None, "motif"):
        prior = MotifPrior()
        prior.name = "motif"  # type: ignore[misc]  # as the registry does
        params["prior"] = prior
    return PriorRidge(**params)


#: Built-in Prix Fixe blocks: name -> (factory in :mod:`.prixfixe_blocks`, roles, summary).
BLOCKS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "legnet": (
        "legnet_block",
        ("first", "core"),
        "LegNet stem (first) or EfficientNet+SE stages (core), DREAM configuration",
    ),
    "bhi": ("bhi_block", ("first",), "two parallel convolutions k=9,15 (320 channels) + ReLU + dropout (team BHI)"),
    "bilstm": ("bilstm_block", ("core",), "BiLSTM (320 per direction) then two parallel convolutions (team BHI)"),
    "attention": ("attention_block", ("core",), "4 conformer blocks, 8 heads, conv k=15 (DREAM-Attn's core)"),
    "autosome": ("autosome_block", ("final",), "conv 1x1 to 256, mean over positions, Gaussian head (autosome.org)"),
    "gaussian": ("gaussian_block", ("final",), "masked mean+max pooling and the Gaussian head of the built-in cnn"),
}


@hookimpl
def rsbench_register_blocks(register: Callable[..., None]) -> None:
    for name, (factory, roles, summary) in BLOCKS.items():
        register(name, lazy(f"rsbench_models.prixfixe_blocks:{factory}"), roles=roles, summary=summary)


@hookimpl
def rsbench_register_priors(register: Callable[..., None]) -> None:
    register("motif", _PRIORS["motif"], summary="PWM occupancy (max and sum, both strands) per motif")
    register("gc", _PRIORS["gc"], summary="GC fraction, CpG frequency and CpG observed/expected")


def __getattr__(name: str) -> Any:
    # The classes stay importable from the package (`from rsbench_models import CNN`); each
    # loads on first use. NEURAL and PRIORS are the registered classes, loaded likewise.
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"rsbench_models.{_EXPORTS[name]}"), name)
    if name == "NEURAL":
        return {base: resolve(cls) for base, cls in _NEURAL.items()}
    if name == "PRIORS":
        return {prior: resolve(cls) for prior, cls in _PRIORS.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
