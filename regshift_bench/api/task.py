"""The :class:`Task` interface: where examples come from."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset


class Task(Configurable):
    """A source of labelled sequences.

    A *fixed* task loads a measured dataset (:meth:`load`); a *generative* task draws
    any number of examples from a domain configuration (:meth:`sample`), so a shift
    can change that configuration (``task.config(gc_mean=0.6)``).

    Both kinds answer :meth:`pool`, the source-domain pool that selection shifts
    (``random``, ``gc_extremes``) split, and may offer other *domains* — cell types,
    say — through :attr:`domains`, used by the ``cell_type`` shift.

    Attributes
    ----------
    kind : {"generative", "fixed"}
    group_column : str or None
        ``meta`` column whose equal values must stay in one split (an element's two
        orientations, overlapping tiles).
    """

    kind: ClassVar[Literal["generative", "fixed"]] = "fixed"
    group_column: ClassVar[str | None] = None
    #: References (not models) this task writes, e.g. ``("noise_ceiling", "source_oracle")``.
    reference_names: ClassVar[tuple[str, ...]] = ()

    # -- fixed tasks --------------------------------------------------------------------
    def load(self, domain: str | None = None) -> SeqDataset:
        """The whole measured dataset (fixed tasks), in ``domain`` if given.

        Row i of every domain is the same sequence, so a split by rows is valid in all.
        """
        raise NotImplementedError(f"task {self.name!r} is {self.kind}; it has no load()")

    # -- generative tasks ---------------------------------------------------------------
    def config(self, domain: str | None = None, **changes: Any) -> Any:
        """The source-domain configuration, optionally in another domain or changed."""
        raise NotImplementedError(f"task {self.name!r} is {self.kind}; it has no config()")

    def sample(self, config: Any, n: int, rng: np.random.Generator) -> SeqDataset:
        """Draw ``n`` examples from ``config`` (generative tasks)."""
        raise NotImplementedError(f"task {self.name!r} is {self.kind}; it has no sample()")

    # -- both -----------------------------------------------------------------------------
    @property
    def domains(self) -> tuple[str, ...]:
        """Names of the domains this task can provide; the first is the source."""
        return ()

    def pool(self, rng: np.random.Generator, n: int | None = None) -> SeqDataset:
        """The source-domain pool that selection shifts split.

        Fixed tasks return :meth:`load` (``n`` is ignored: subsampling happens per
        split); generative tasks draw ``n`` examples from :meth:`config`.
        """
        if self.kind == "generative":
            if n is None:
                raise ValueError(f"task {self.name!r}: a generative pool needs a size n")
            return self.sample(self.config(), n, rng)
        return self.load()

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, float]:
        """Task-specific scores for one split (e.g. DREAM's weighted sums); default none.

        Returns a mapping metric name -> value that the runner adds to the results
        as ordinary rows.
        """
        return {}

    def reference_predictions(self, split: str, data: SeqDataset, splits: Any) -> dict[str, Any]:
        """References given as predictions on the evaluated rows (name -> Prediction).

        The runner scores each with the cell's metrics and writes rows named
        ``f"{ref}_{metric}"`` with ``reference = ref``; default none.
        """
        return {}
