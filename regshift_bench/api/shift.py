"""The :class:`Shift` interface: how training and test data differ."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import Splits, SplitSizes
from regshift_bench.api.task import Task

# What a shift changes, declared by every shift as :attr:`Shift.kind`; defined with the
# plugin kinds so the registry reads it without importing numpy. Re-exported here.
from regshift_bench.kinds import SHIFT_KINDS as SHIFT_KINDS


class Shift(Configurable):
    """A named, graded difference between training and test data.

    Subclasses take ``severity`` (a float in [0, 1]; 0 = no shift) and their own
    keyword parameters, and document what severity 1 means in numbers.

    Every subclass declares :attr:`kind`, one of :data:`SHIFT_KINDS` (checked when
    it is registered):

    - ``covariate``: the inputs move, the sequence -> activity mechanism is fixed;
    - ``mechanism``: what a sequence does changes (sequence -> activity);
    - ``measurement``: the assay changes (scale, depth, batch, noise);
    - ``selection``: train and test are different subsets of one fixed pool.

    Contract for :meth:`split`: the source-domain parts (``train``, ``val``,
    ``test_id``) of a shift that does not change training data must be drawn
    exactly as the ``none`` shift draws them, from the same ``rng`` — so the runner
    can reuse one trained model across shifts (it verifies this by hashing the
    training data, so a mistake costs time, never correctness). Draw OOD data from
    a child generator (``rng.spawn``) after the source parts.
    """

    kind: ClassVar[str]  # one of SHIFT_KINDS; deliberately no default
    changes_train: ClassVar[bool] = False
    #: Whether the test inputs (sequences) move away from the source's: covariate and
    #: selection shifts, and a mechanism shift that draws other sequences. A shift that
    #: keeps the inputs and changes only their labels (a new mechanism or assay applied
    #: to source-like sequences) sets False: the leaderboard then judges it against
    #: the oracle and the controls, and shows no OOD-detection score for it (σ² cannot
    #: tell unchanged inputs apart). None: undeclared (read from :attr:`kind`:
    #: covariate and selection change inputs, the others are treated as label shifts).
    changes_inputs: ClassVar[bool | None] = None
    default_severities: ClassVar[tuple[float, ...]] = (0.5, 1.0)

    def __init__(self, severity: float = 0.0) -> None:
        self.severity = severity

    def applies_to(self, task: Task) -> bool:
        """Whether this shift can be applied to ``task``."""
        return True

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        """Build the train / val / test_id / test_ood splits for ``task``."""
        raise NotImplementedError
