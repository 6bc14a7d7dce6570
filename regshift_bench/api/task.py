"""The :class:`Task` interface: where examples come from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from regshift_bench.api.base import Configurable
from regshift_bench.api.dataset import SeqDataset, Splits
from regshift_bench.errors import PluginError

if TYPE_CHECKING:
    from regshift_bench.api.prediction import Prediction


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
    reference_names : tuple of str
        The references (non-model rows: noise ceiling, source oracle, ...) this task
        writes, through :meth:`reference_predictions` or :meth:`score`.
    has_oracle : bool
        Whether one reference is an *oracle*: the source domain's true mechanism
        applied to each evaluated sequence (simulated tasks). The leaderboard then
        judges shifts against it; declared, never inferred from recorded metrics.
    oracle_reference : str
        Which of :attr:`reference_names` is the oracle (when :attr:`has_oracle`).
    """

    kind: ClassVar[Literal["generative", "fixed"]] = "fixed"
    group_column: ClassVar[str | None] = None
    reference_names: ClassVar[tuple[str, ...]] = ()
    has_oracle: ClassVar[bool] = False
    oracle_reference: ClassVar[str] = ""

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
                raise PluginError(
                    f"task {self.name!r}: a generative pool needs a size n; the caller (a shift) must pass pool(rng, n)"
                )
            return self.sample(self.config(), n, rng)
        return self.load()

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, float]:
        """Task-specific scores for one split (e.g. DREAM's weighted sums); default none.

        Returns a mapping metric name -> value (or ``(value, higher_is_better)``)
        that the runner adds to the results as ordinary rows. A key
        ``f"{ref}_{metric}"`` with ``ref`` in :attr:`reference_names` (e.g.
        ``replicate_ceiling_pearson``) is a reference value: its row gets
        ``reference = ref``.
        """
        return {}

    def reference_predictions(self, split: str, data: SeqDataset, splits: Splits) -> dict[str, Prediction]:
        """References on one evaluated split, each given as a prediction; default none.

        The runner scores every reference with the cell's own metric plugins, exactly
        as it scores models, and writes rows named ``f"{ref}_{metric}"`` (e.g.
        ``noise_ceiling_pearson``) with ``reference = ref``. Metrics that compare a
        split with ``test_id`` (OOD detection) use the reference's own ``test_id``
        prediction, so a reference given on ``test_ood`` should be given on
        ``test_id`` too.

        Parameters
        ----------
        split : str
            ``val``, ``test_id``, ``test_ood`` or ``test_ood/<name>``.
        data : SeqDataset
            The evaluated examples of that split (n rows).
        splits : Splits
            The whole split, e.g. to find the source domain of ``train``.

        Returns
        -------
        dict of str to Prediction
            Reference name (in :attr:`reference_names`) -> prediction with mean and
            var of shape (n,).
        """
        return {}
