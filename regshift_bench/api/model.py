"""The :class:`Model` interface and the training :class:`Budget`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset
from regshift_bench.api.prediction import Prediction


@dataclass(frozen=True)
class Budget:
    """Caps the runner puts on training.

    Parameters
    ----------
    max_epochs : int, optional
        Upper bound on passes over the training data.
    max_seconds : float, optional
        Wall-clock bound; training stops after the epoch that crosses it.
    progress : bool
        Whether the model may show its own progress bar.
    """

    max_epochs: int | None = None
    max_seconds: float | None = None
    progress: bool = False


class Model(Configurable):
    """A sequence-to-activity model that predicts a mean and a variance.

    Subclasses take explicit keyword parameters, store them unchanged under the same
    names and do no work in ``__init__``. Models must run on CPU and use CUDA when the
    runner passes ``device="cuda"``. A model that accepts biological prior features
    takes ``prior=`` (a :class:`~regshift_bench.api.Prior`).

    Saving: implement :meth:`get_state` / :meth:`set_state` with tensors, numpy
    arrays and JSON scalars only; :meth:`save` / :meth:`load` then round-trip through
    ``torch.save`` / ``torch.load(weights_only=True)`` — never pickle.
    """

    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> Model:
        """Train on ``train``, using ``val`` for early stopping; return self."""
        raise NotImplementedError

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        """Predict mean and variance, arrays of shape (len(data),)."""
        raise NotImplementedError

    def torch_module(self) -> Any:
        """An optional differentiable view for gradient explainers, or None.

        Returns
        -------
        torch.nn.Module or None
            A module in eval mode mapping one-hot ``x`` float (B, 4, L) (all-zero
            columns are N / padding) to the predicted mean (B,), on the scale of
            ``predict``'s mean. It may expose ``gradcam_layer`` (a submodule: the
            first convolutional block) for GradCAM. Default None: the model is not
            differentiable, and gradient explainers report it as not applicable.
        """
        return None

    # -- persistence -----------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """Everything ``predict`` needs, as tensors / arrays / JSON scalars."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_state")

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`get_state` returned into an unfitted instance."""
        raise NotImplementedError(f"{type(self).__name__} does not implement set_state")

    def save(self, path: str | Path) -> None:
        """Write the fitted state to ``path`` (torch format, no pickled objects)."""
        import torch

        torch.save(_to_tensors(self.get_state()), str(path))

    def load(self, path: str | Path) -> Model:
        """Load a state written by :meth:`save` into this unfitted instance; return self."""
        import torch

        state = torch.load(str(path), weights_only=True, map_location="cpu")
        self.set_state(_from_tensors(state))
        return self


_NP_TAG = "__ndarray__"


def _to_tensors(obj: Any) -> Any:
    """Numpy arrays become tagged tensors so ``weights_only`` loading accepts them."""
    import torch

    if isinstance(obj, np.ndarray):
        return {_NP_TAG: torch.from_numpy(np.ascontiguousarray(obj))}
    if isinstance(obj, dict):
        return {k: _to_tensors(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_tensors(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _from_tensors(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {_NP_TAG}:
            return obj[_NP_TAG].numpy()
        return {k: _from_tensors(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_from_tensors(v) for v in obj]
    return obj
