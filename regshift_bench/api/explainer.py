"""The :class:`Explainer` interface: per-position importance of a model's prediction."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset
from regshift_bench.errors import PluginError, RegshiftError

if TYPE_CHECKING:
    from regshift_bench.api.model import Model

#: What an explainer may need from a model besides ``predict``.
KNOWN_EXPLAINER_NEEDS = frozenset({"torch"})


class NotApplicable(RegshiftError):
    """An explainer cannot explain this model (e.g. it has no differentiable view).

    The runner records the reason with status ``skipped``; it is never a failure.
    """


class Explainer(Configurable):
    """Attribution of a model's predicted mean to sequence positions.

    Subclasses take explicit keyword parameters (sklearn-style, no work in
    ``__init__``) and implement :meth:`explain`.

    Attributes
    ----------
    needs : frozenset of str
        ``{"torch"}`` for gradient explainers: they use the model's differentiable
        view (:meth:`regshift_bench.api.Model.torch_module`); a model without one
        is *not applicable* (status ``skipped``), never failed. Empty for
        model-agnostic explainers, which use ``predict`` only.
    """

    needs: ClassVar[frozenset[str]] = frozenset()

    def applicable(self, model: Model) -> str | None:
        """Why this explainer cannot explain ``model``, or None when it can."""
        if "torch" in self.needs and model.torch_module() is None:
            return (
                f"explainer {self.name!r} is not applicable to model "
                f"{model.name or type(model).__name__!r}: it has no differentiable view "
                "(Model.torch_module() returns None)"
            )
        return None

    def explain(self, model: Model, data: SeqDataset, *, rng: np.random.Generator, device: str = "cpu") -> np.ndarray:
        """Per-position importance of ``model``'s predicted mean on ``data``.

        Parameters
        ----------
        model : Model
            A fitted model.
        data : SeqDataset
            n sequences of padded length L.
        rng : numpy.random.Generator
            The only source of randomness (references, sampling).
        device : str

        Returns
        -------
        numpy.ndarray, float, shape (n, L)
            Signed or unsigned importance; scoring uses its absolute value. Padding
            positions should be 0.

        Raises
        ------
        NotApplicable
            When the model lacks what the explainer needs.
        """
        raise NotImplementedError


def check_importance(values: object, n: int, length: int, plugin: str) -> np.ndarray:
    """``values`` as a finite float64 array (n, L), or :class:`PluginError` naming the fix."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n, length):
        raise PluginError(
            f"explain returned shape {arr.shape}, expected ({n}, {length}) (one importance per sequence position)",
            plugin=plugin,
        )
    if not np.isfinite(arr).all():
        raise PluginError(
            f"explain returned {int((~np.isfinite(arr)).sum())} non-finite values; return finite importances",
            plugin=plugin,
        )
    return arr
