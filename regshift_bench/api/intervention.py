"""The :class:`Intervention` interface: what a lab does to restore accuracy or calibration.

An intervention acts at one of three stages (:data:`STAGES`):

``train``
    Changes how a model is trained. It supplies :meth:`Intervention.augment`, a
    random transform of a batch of training sequences, and ``finetune_epochs``;
    the runner hands both to the model's optional training hook
    :meth:`regshift_bench.api.Model.fit_augmented` (train on augmented batches, then
    fine-tune on the unperturbed data). A model without the hook gets ``skipped``
    rows that say so.
``posthoc``
    Maps a fitted model's :class:`~regshift_bench.api.Prediction` to a new one.
    :meth:`Intervention.calibrate` sees the validation split only (labels and
    predictions); :meth:`Intervention.adjust` then maps each evaluated split's
    prediction and may read that split's *inputs* (never its labels: the runner
    hands it a copy whose ``y`` is NaN).
``test_time``
    Uses extra information at prediction time: the model itself (e.g. predicting
    the other strand), or ``support_size`` labelled examples of the split being
    predicted. Those examples are drawn by the runner, held out of the scored set
    and counted in the results (metric ``held_out_examples``).

How a prediction carries an interval
------------------------------------
A :class:`~regshift_bench.api.Prediction` is Gaussian, and every built-in metric
reads the interval ``mean ± z·sqrt(var)``. An intervention that produces an
interval of nominal level ``level`` (conformal prediction) returns the variance
rescaled per example so that the Gaussian central interval of that level *is* the
produced interval: ``var' = (half_width / z_level)²`` (see :func:`interval_var`).
Coverage and width at that level are then exactly the intervention's; other levels
keep the Gaussian shape of the model's prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy.stats import norm

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset
from regshift_bench.api.prediction import Prediction

# The stages an intervention may act at (see the module docstring); defined with the
# plugin kinds so the registry reads them without importing scipy. Re-exported here.
from regshift_bench.kinds import STAGES as STAGES


@dataclass(frozen=True)
class Support:
    """Labelled target examples a ``test_time`` intervention may use.

    Attributes
    ----------
    data : SeqDataset
        ``k`` labelled examples drawn from the split being predicted (held out of
        its scored set).
    pred : Prediction
        The model's prediction for them, shape (k,).
    """

    data: SeqDataset
    pred: Prediction


@dataclass(frozen=True)
class Context:
    """What :meth:`Intervention.adjust` may use besides the split's inputs.

    Attributes
    ----------
    model : Model
        The fitted model (``test_time`` may predict with it, e.g. the other strand).
    device : str
        Where the model runs.
    rng : numpy.random.Generator
        The intervention's own random stream (cell- and split-specific).
    support : Support or None
        Labelled target examples, when the intervention declares ``support_size``.
    split : str
        Results name of the split being adjusted (``test_id``, ``test_ood/...``).
    """

    model: Any
    device: str
    rng: np.random.Generator
    support: Support | None = None
    split: str = ""


class Intervention(Configurable):
    """A remedy applied to a model's training or predictions (subclass per stage).

    Subclasses set the class attribute :attr:`stage`, take explicit keyword
    parameters stored unchanged, and do no work in ``__init__``.
    """

    #: One of :data:`STAGES`; checked when the plugin registers.
    stage: ClassVar[str]
    #: ``test_time`` only: labelled examples drawn from each evaluated test split and
    #: passed as :attr:`Context.support` (0: none). They are removed from scoring.
    #: A subclass may make it a parameter (``k``) by overriding it as a property.
    support_size: int = 0
    #: ``train`` only: epochs of fine-tuning on the unperturbed data after augmentation.
    finetune_epochs: int = 0

    # -- posthoc and test_time -------------------------------------------------------
    def calibrate(self, val: SeqDataset, pred: Prediction, *, rng: np.random.Generator) -> None:
        """Learn the mapping from the validation split (labels and prediction, (n,)).

        Default: nothing to learn.
        """

    def adjust(self, data: SeqDataset, pred: Prediction, context: Context) -> Prediction:
        """The new prediction for ``data`` (shape (len(data),)).

        ``data.y`` is NaN here: an intervention may read a split's inputs, never its
        labels (labelled target examples come only through ``context.support``).
        """
        raise NotImplementedError

    # -- train ---------------------------------------------------------------------------
    def augment(self, seqs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A random transform of a training batch.

        Parameters
        ----------
        seqs : numpy.ndarray, uint8, shape (B, L)
            Codes A=0 C=1 G=2 T=3 N=4.
        rng : numpy.random.Generator

        Returns
        -------
        numpy.ndarray, uint8, shape (B, L)
        """
        raise NotImplementedError


def interval_var(mean_half_width: np.ndarray, level: float) -> np.ndarray:
    """The variance whose Gaussian central ``level`` interval has this half-width.

    Parameters
    ----------
    mean_half_width : numpy.ndarray, shape (n,)
        Half-width of each example's interval (> 0).
    level : float
        Nominal coverage in (0, 1).

    Returns
    -------
    numpy.ndarray, float64, shape (n,)
        ``(half_width / z)²`` with ``z`` the ``(1 + level) / 2`` normal quantile.
    """
    z = float(norm.ppf(0.5 + level / 2))
    return (np.asarray(mean_half_width, dtype=np.float64) / z) ** 2


def unlabelled(data: SeqDataset) -> SeqDataset:
    """``data`` with its labels hidden (``y`` NaN, no ``y_true`` / ``noise_var``)."""
    return data.with_values(y=np.full(len(data), np.nan, dtype=np.float32), y_true=None, noise_var=None)
