"""``prixfixe``: a model composed of named blocks (first layers, core, final layers).

The Prix Fixe framework of the Random Promoter DREAM Challenge (Rafi et al., Nat
Biotechnol 2025) builds a network from three interchangeable parts so that teams'
blocks can be compared fairly under one trainer. Here the parts are plugins of kind
``block`` (``rsbench list blocks``; contract in :mod:`regshift_bench.api.block`), so
a third-party block composes with ours::

    rsbench run --task sim --model 'prixfixe(first="legnet", core="bilstm", final="gaussian")'

A composition is checked at plan time (:meth:`PrixFixe.validate_params`): every name
must be a registered block that takes that role, its parameters must be ones it
accepts, and the three must build together; otherwise the run is refused with one
line naming the cause. ``dream_cnn``, ``dream_rnn`` and ``dream_attn`` are the
challenge's composed models with the published block choices and training recipe.
"""

from __future__ import annotations

import inspect
from typing import Any

import torch
from torch import nn

from regshift_bench.api import Prior
from regshift_bench.api.block import BLOCK_ROLES
from regshift_bench.errors import RegshiftError
from regshift_bench.names import close_matches
from rsbench_models.neural import NeuralModel


class PrixFixeNet(nn.Module):
    """first -> core -> final; ``forward(x (B,4,L), mask (B,1,L), prior)`` -> (mean, logvar)."""

    def __init__(self, first: nn.Module, core: nn.Module, final: nn.Module) -> None:
        super().__init__()
        self.first, self.core, self.final = first, core, final

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, prior: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h, m = self.first(x, mask)
        h, m = self.core(h, m)
        return self.final(h, m, prior)


def block_entry(role: str, name: Any) -> Any:
    """The registry entry of block ``name`` for ``role``; RegshiftError (one line) if unfit."""
    from regshift_bench import plugins

    registry = plugins.current().registry
    fits = [e.name for e in registry.entries("block") if role in e.info.get("roles", ())]
    if not isinstance(name, str):
        raise RegshiftError(f"{role}={name!r} is not a block name; use one of {', '.join(fits)}")
    if name not in registry.names("block"):
        close = close_matches(name, fits, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise RegshiftError(
            f"{role}={name!r}: unknown block {name!r}; {hint}a {role} block is "
            f"one of {', '.join(fits)} (see `rsbench list blocks`)"
        )
    entry = registry.get("block", name)
    roles = tuple(entry.info.get("roles", ()))
    if role not in roles:
        raise RegshiftError(
            f"{role}={name!r}: block {name!r} serves as {' / '.join(roles)}, "
            f"not {role}; a {role} block is one of {', '.join(fits)}"
        )
    return entry


def _check_block_params(role: str, entry: Any, params: Any) -> None:
    if not isinstance(params, dict):
        raise RegshiftError(
            f"{role}_params must be a table of keyword parameters, got "
            f'{params!r}; write e.g. {role}_params={{"dropout": 0.1}}'
        )
    target = getattr(entry.factory, "block_class", None)
    if target is None:
        return  # a factory taking **params: it rejects unknown keys when built
    sig = inspect.signature(target)
    accepted = [p for p in sig.parameters if p not in ("self", "in_channels", "n_prior")]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise RegshiftError(
            f"{role}_params: block {entry.name!r} has no parameter(s) "
            f"{unknown}; its parameters: {', '.join(accepted) or 'none'}"
        )


def build_blocks(first: str, core: str, final: str, params: dict[str, dict[str, Any]], n_prior: int) -> PrixFixeNet:
    """Build the three named blocks in order; a misfit raises RegshiftError (one line)."""
    names = {"first": first, "core": core, "final": final}
    entries = {role: block_entry(role, names[role]) for role in BLOCK_ROLES}
    for role in BLOCK_ROLES:
        _check_block_params(role, entries[role], params[role])
    parts: dict[str, nn.Module] = {}
    width = 4  # the one-hot input
    for role in BLOCK_ROLES:
        try:
            module = entries[role].factory(role, width, n_prior, **params[role])
        except RegshiftError as exc:
            raise RegshiftError(f"{role} block {names[role]!r}: {exc}") from None
        except Exception as exc:  # a block that cannot be built from what precedes it
            raise RegshiftError(
                f"{role} block {names[role]!r} cannot follow "
                f"{_chain(names, role)} ({width} channels): "
                f"{type(exc).__name__}: {exc}"
            ) from None
        if role != "final":
            if not isinstance(getattr(module, "out_channels", None), int):
                raise RegshiftError(
                    f"{role} block {names[role]!r} has no integer out_channels;"
                    " its plugin must set it (see regshift_bench.api.block)"
                )
            width = module.out_channels
        parts[role] = module
    return PrixFixeNet(parts["first"], parts["core"], parts["final"])


def _chain(names: dict[str, str], role: str) -> str:
    before = [f"{r}={names[r]!r}" for r in BLOCK_ROLES[: BLOCK_ROLES.index(role)]]
    return ", ".join(before) or "the one-hot input"


class PrixFixe(NeuralModel):
    """A network composed of a first, a core and a final block, with a Gaussian output.

    Parameters
    ----------
    first, core, final : str, defaults "legnet", "bilstm", "gaussian"
        Registered block names (``rsbench list blocks``) for each role. The default
        is a composition none of the DREAM models uses (they are registered on their
        own), so ``prixfixe`` in a grid is not a second copy of one of them.
    first_params, core_params, final_params : dict, optional
        Keyword parameters of each block.
    prior : Prior, str or None
        Prior features joining the pooled features in the final block's head.
    epochs, batch_size, lr, weight_decay, patience, rc_augment, beta, var_floor, mc_dropout
        The shared trainer's settings (:mod:`rsbench_models.trainer`); the defaults are
        the Prix Fixe recipe: AdamW, one-cycle rate peaking at 0.005, weight decay
        0.01, batch 1024, 80 epochs.
    """

    def __init__(
        self,
        first: str = "legnet",
        core: str = "bilstm",
        final: str = "gaussian",
        first_params: dict[str, Any] | None = None,
        core_params: dict[str, Any] | None = None,
        final_params: dict[str, Any] | None = None,
        prior: Prior | str | None = None,
        epochs: int = 80,
        batch_size: int = 1024,
        lr: float = 0.005,
        weight_decay: float = 0.01,
        patience: int = 4,
        rc_augment: bool = True,
        beta: float = 0.5,
        var_floor: float = 1e-3,
        mc_dropout: int = 8,
    ) -> None:
        self.first, self.core, self.final = first, core, final
        self.first_params, self.core_params = first_params, core_params
        self.final_params, self.prior = final_params, prior
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr
        self.weight_decay, self.patience, self.rc_augment = weight_decay, patience, rc_augment
        self.beta, self.var_floor, self.mc_dropout = beta, var_floor, mc_dropout

    def _block_params(self) -> dict[str, dict[str, Any]]:
        return {
            "first": dict(self.first_params or {}),
            "core": dict(self.core_params or {}),
            "final": dict(self.final_params or {}),
        }

    @classmethod
    def validate_params(cls, params: dict[str, Any]) -> None:
        """Build the composition once (no training) and refuse it in one line if it misfits."""
        model = cls(**{k: v for k, v in params.items() if k in cls._param_names()})
        with torch.random.fork_rng():  # building draws initial weights; leave RNG state alone
            build_blocks(model.first, model.core, model.final, model._block_params(), 0)

    def build(self, n_prior: int) -> nn.Module:
        return build_blocks(self.first, self.core, self.final, self._block_params(), n_prior)


def composed(class_name: str, doc: str, **defaults: Any) -> type[PrixFixe]:
    """A :class:`PrixFixe` subclass whose constructor has other defaults.

    The signature is rewritten (not hidden behind ``**kwargs``) so that parameter
    listing, type checks and the canonical parameters in results see the new defaults.
    """
    base = inspect.signature(PrixFixe.__init__)
    sig = base.replace(
        parameters=[p.replace(default=defaults.get(p.name, p.default)) for p in base.parameters.values()]
    )

    def __init__(self: PrixFixe, *args: Any, **kwargs: Any) -> None:
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        PrixFixe.__init__(*bound.args, **bound.kwargs)

    __init__.__signature__ = sig  # type: ignore[attr-defined]
    __init__.__annotations__ = dict(PrixFixe.__init__.__annotations__)
    return type(class_name, (PrixFixe,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


DreamCNN = composed(
    "DreamCNN",
    "DREAM-CNN: BHI first layers, LegNet core, autosome final layers (Rafi et al. 2025), Gaussian output.",
    first="bhi",
    core="legnet",
    final="autosome",
)
DreamRNN = composed(
    "DreamRNN",
    "DREAM-RNN: BHI first layers, BiLSTM core, autosome final layers (Rafi et al. 2025), Gaussian output.",
    first="bhi",
    core="bilstm",
    final="autosome",
)
DreamAttn = composed(
    "DreamAttn",
    "DREAM-Attn: LegNet stem, conformer core, autosome final layers (Rafi et al. 2025), Gaussian output.",
    first="legnet",
    core="attention",
    final="autosome",
    lr=0.001,
)
