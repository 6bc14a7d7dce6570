"""The :class:`Model` interface and the training :class:`Budget`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset
from regshift_bench.api.prediction import Prediction
from regshift_bench.errors import RegshiftError


@dataclass(frozen=True)
class Budget:
    """The training budget the runner hands to :meth:`Model.fit` (from the preset).

    Every field is optional; ``None`` means "no limit from the runner" and the model
    uses its own settings. A model that does not iterate (a closed-form fit) may
    ignore the budget entirely. An iterative model should apply the fields in this
    order, which :meth:`schedule` implements for epoch-based training:

    1. start from the model's own number of epochs;
    2. ``max_epochs`` caps it;
    3. ``min_steps`` raises it until at least that many optimizer updates are
       planned, so a small training set still gets enough updates (it overrides
       ``max_epochs``);
    4. ``max_steps`` caps the planned updates (it overrides ``min_steps``);
    5. while training, early stopping on validation loss (with ``patience``, when
       given) may stop sooner, and ``max_seconds`` stops it once the wall clock runs
       out.

    Report what happened through ``fit_report_`` (a :class:`~regshift_bench.api.FitReport`):
    ``stopped_by`` is ``"max_steps"`` / ``"max_seconds"`` when step 4 or 5's clock
    cut the plan short, which the results mark as *undertrained* when validation
    loss was still improving.

    Parameters
    ----------
    max_epochs : int, optional
        Upper bound on passes over the training data (before ``min_steps``).
    max_seconds : float, optional
        Wall-clock bound on ``fit``; a safety cap, not the intended stopping rule.
    progress : bool
        Whether the model may show its own progress bar.
    min_steps : int, optional
        Least number of optimizer updates to plan (a mini-batch gradient step is
        one update); more epochs are run until it is reached.
    max_steps : int, optional
        Most optimizer updates; the plan (and a learning-rate schedule over it) is
        cut to this many.
    patience : int, optional
        Epochs without improvement of the validation loss before early stopping;
        overrides the model's own setting.

    Raises
    ------
    RegshiftError
        On a non-positive limit.
    """

    max_epochs: int | None = None
    max_seconds: float | None = None
    progress: bool = False
    min_steps: int | None = None
    max_steps: int | None = None
    patience: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_epochs", "min_steps", "max_steps", "patience"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == "min_steps" else 1)
            ):
                raise RegshiftError(
                    f"Budget.{name} must be a positive integer or None, got "
                    f"{value!r}; fix the preset or the --max-steps value"
                )
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise RegshiftError(f"Budget.max_seconds must be > 0 or None, got {self.max_seconds!r}; fix the preset")

    def schedule(self, steps_per_epoch: int, epochs: int) -> tuple[int, int]:
        """Planned (epochs, optimizer steps) for a model that wants ``epochs`` epochs.

        Parameters
        ----------
        steps_per_epoch : int
            Updates per pass over the training data (>= 1).
        epochs : int
            The model's own number of epochs.

        Returns
        -------
        epochs, steps : int
            ``steps <= epochs * steps_per_epoch``; the last epoch is partial when
            ``max_steps`` cuts inside it.
        """
        spe = max(1, int(steps_per_epoch))
        n = int(epochs)
        if self.max_epochs is not None:
            n = min(n, self.max_epochs)
        if self.min_steps:
            n = max(n, -(-self.min_steps // spe))
        n = max(n, 1)
        steps = n * spe
        if self.max_steps is not None:
            steps = min(steps, self.max_steps)
            n = -(-steps // spe)
        return n, steps

    def identity(self) -> dict[str, Any]:
        """The fields that change what is trained (for cache keys; not ``progress``)."""
        return {
            "max_epochs": self.max_epochs,
            "max_seconds": self.max_seconds,
            "min_steps": self.min_steps,
            "max_steps": self.max_steps,
            "patience": self.patience,
        }


class Model(Configurable):
    """A sequence-to-activity model that predicts a mean and a variance.

    Subclasses take explicit keyword parameters, store them unchanged under the same
    names and do no work in ``__init__``. Models must run on CPU and use CUDA when the
    runner passes ``device="cuda"``. A model that accepts biological prior features
    takes ``prior=`` (a :class:`~regshift_bench.api.Prior`).

    Saving: implement :meth:`get_state` / :meth:`set_state` with tensors, numpy
    arrays and JSON scalars only; :meth:`save` / :meth:`load` then round-trip through
    ``torch.save`` / ``torch.load(weights_only=True)`` — never pickle.

    Fit diagnostics (optional): an iterative model sets ``self.fit_report_`` in
    :meth:`fit` to a :class:`~regshift_bench.api.FitReport` (or a dict with its
    fields); the runner writes it to every result row of the cell (``epochs_run``,
    ``train_steps``, ``best_epoch``, ``stopped_by``, ``best_val_loss``,
    ``undertrained``) and keeps it beside a cached model. Without it those columns
    are null (a model that does not iterate).

    A model fitted in closed form (no epochs, e.g. a ridge) may ignore the budget's
    time and step caps; it says so with ``closed_form = True``, and the conformance
    kit then does not time its fit (the time would only measure the machine's load).
    """

    #: True for a fit without epochs that the budget does not cap (see above).
    closed_form: ClassVar[bool] = False
    #: True for a model trained (in part) outside the task, e.g. weights downloaded from
    #: a path or URL (checking their checksum is the plugin's business); ``fit`` may then
    #: skip training or fine-tune. Its leaderboard rows are labelled "(external data)" and
    #: ranked in a track of their own (docs/submit.md).
    pretrained: ClassVar[bool] = False

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
        """Predict mean and variance, arrays of shape (len(data),).

        The prediction is a function of the sequences, their lengths and the scalar
        entries of ``data.info`` only (never of labels or ``meta``, which holds
        measurement columns): the harness reuses it for another split holding the
        same inputs (:meth:`SeqDataset.input_fingerprint`).
        """
        raise NotImplementedError

    @classmethod
    def validate_params(cls, params: dict[str, Any]) -> None:
        """Refuse parameters that cannot work, at plan time, before any cell runs (optional).

        The planner calls it with the keyword parameters of a model reference (``{}``
        for a bare name) after their names and types were checked. Raise
        :class:`~regshift_bench.errors.RegshiftError` with one line naming the cause
        and the fix (e.g. a composed model whose blocks do not fit together). It may
        build the network, but must not train or read data. The default accepts all.
        """

    def predict_mean(self, data: SeqDataset, *, device: str = "cpu") -> np.ndarray:
        """A deterministic point prediction, float64 of shape (len(data),) (optional).

        What explainers score: one value per input, the same on every call. The
        default is ``predict(data).mean``. A model whose ``predict`` samples (MC
        dropout) or otherwise does work only the variance needs should override it
        with its cheapest deterministic mean (a neural model: one eval-mode pass per
        strand, no dropout masks), on the scale of ``predict``'s mean.
        """
        return np.asarray(self.predict(data, device=device).mean, dtype=np.float64)

    def fit_augmented(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray],
        finetune_epochs: int,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> Model:
        """Optional training hook of ``train``-stage interventions (e.g. EvoAug); return self.

        Train as :meth:`fit` does, but pass every training batch of codes (B, L) uint8
        through ``augment(codes, rng)`` first (it returns codes of the same shape),
        then fine-tune for ``finetune_epochs`` epochs on the unperturbed training data.
        A model that does not override it is reported as ``skipped`` for such
        interventions (see :func:`supports_augmentation`).
        """
        raise NotImplementedError(f"{type(self).__name__} has no fit_augmented training hook")

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
    @classmethod
    def saves_state(cls) -> bool:
        """Whether this model implements :meth:`get_state`, so the runner can cache a
        trained copy (without it the model is retrained for each cell group)."""
        return cls.get_state is not Model.get_state

    def get_state(self) -> dict[str, Any]:
        """Everything ``predict`` needs, as tensors / arrays / JSON scalars (optional).

        Nested dicts and lists of ``torch.Tensor``, ``numpy.ndarray``, str, int, float,
        bool and None, e.g. ``{"net": net.state_dict(), "y_mu": 0.1}``. A model that
        does not implement it still runs: the runner cannot cache it, so it is
        retrained for each cell group, and ``rsbench check`` skips save/load.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement get_state")

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`get_state` returned into an unfitted instance built with
        the same parameters (optional, with :meth:`get_state`)."""
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


def supports_augmentation(model: Model) -> bool:
    """Whether ``model`` implements the optional :meth:`Model.fit_augmented` hook."""
    return type(model).fit_augmented is not Model.fit_augmented


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
