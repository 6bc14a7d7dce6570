""":class:`FitReport`: what happened while a model trained (results' diagnostics columns).

An iterative model sets ``model.fit_report_`` in ``fit``; the runner turns it into
the per-cell columns ``epochs_run``, ``train_steps``, ``best_epoch``, ``stopped_by``,
``best_val_loss`` and ``undertrained`` of ``results.parquet`` (null for a model
without one). A dict with the same keys is accepted too, so a plugin need not
import this class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from regshift_bench.errors import PluginError

#: Why training ended: the planned epochs ran out; early stopping on validation loss;
#: the step cap (``Budget.max_steps``) or the clock (``Budget.max_seconds``) cut it.
STOPPED_BY = ("epochs", "early_stopping", "max_steps", "max_seconds")
#: Stop reasons that mean the budget, not the model, ended training.
BUDGET_STOPS = frozenset({"max_steps", "max_seconds"})
#: Results columns filled from a report, in schema order.
COLUMNS = ("epochs_run", "train_steps", "best_epoch", "stopped_by", "best_val_loss", "undertrained")


@dataclass(frozen=True)
class FitReport:
    """Diagnostics of one ``fit``.

    Parameters
    ----------
    epochs_run : int
        Passes over the training data started (the last may be partial).
    train_steps : int
        Optimizer updates made.
    best_epoch : int
        Epoch whose weights were kept (best validation loss); ``epochs_run`` when
        the model keeps its last weights.
    stopped_by : str
        One of :data:`STOPPED_BY`.
    best_val_loss : float, optional
        Validation loss of the kept weights (the model's own loss, e.g. Gaussian NLL
        on standardised targets); None when there was no validation data.
    seconds : float, optional
        Wall time of the training loop.

    Notes
    -----
    :attr:`undertrained` is True when the budget stopped training while validation
    loss was still improving: ``stopped_by in {"max_steps", "max_seconds"}`` and
    ``best_epoch == epochs_run``.
    """

    epochs_run: int
    train_steps: int
    best_epoch: int
    stopped_by: str
    best_val_loss: float | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.stopped_by not in STOPPED_BY:
            raise PluginError(f"FitReport.stopped_by must be one of {', '.join(STOPPED_BY)}, got {self.stopped_by!r}")
        for name in ("epochs_run", "train_steps", "best_epoch"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PluginError(f"FitReport.{name} must be a non-negative integer, got {value!r}")
        if self.best_epoch > self.epochs_run:
            raise PluginError(f"FitReport.best_epoch ({self.best_epoch}) exceeds epochs_run ({self.epochs_run})")

    @property
    def undertrained(self) -> bool:
        """Stopped by a step/time budget while the validation loss was still improving."""
        return self.stopped_by in BUDGET_STOPS and self.best_epoch == self.epochs_run

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``best_val_loss`` None when not finite)."""
        out = asdict(self)
        if out["best_val_loss"] is not None and not math.isfinite(out["best_val_loss"]):
            out["best_val_loss"] = None
        return out

    def columns(self) -> dict[str, Any]:
        """The results columns (:data:`COLUMNS`) of this report."""
        d = self.to_dict()
        return {**{k: d[k] for k in COLUMNS[:-1]}, "undertrained": self.undertrained}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FitReport:
        """Inverse of :meth:`to_dict`; unknown keys (e.g. ``undertrained``) are ignored."""
        keys = ("epochs_run", "train_steps", "best_epoch", "stopped_by", "best_val_loss", "seconds")
        missing = [k for k in keys[:4] if k not in raw]
        if missing:
            raise PluginError(
                f"fit report lacks {missing}; give epochs_run, train_steps, "
                "best_epoch and stopped_by (see regshift_bench.api.FitReport)"
            )

        def scalar(value: Any) -> Any:
            return value.item() if hasattr(value, "item") else value  # numpy scalars

        return cls(
            scalar(raw["epochs_run"]),
            scalar(raw["train_steps"]),
            scalar(raw["best_epoch"]),
            str(raw["stopped_by"]),
            scalar(raw.get("best_val_loss")),
            scalar(raw.get("seconds")),
        )

    @classmethod
    def combine(cls, reports: Sequence[FitReport]) -> FitReport:
        """One report for several fits (ensemble members).

        ``train_steps`` and ``seconds`` are summed, ``best_val_loss`` averaged; the
        epochs and stop reason are those of an undertrained member if there is one
        (so the ensemble is undertrained when any member is), else of the member that
        ran longest.
        """
        if not reports:
            raise PluginError("FitReport.combine needs at least one report")
        under = [r for r in reports if r.undertrained]
        lead = under[0] if under else max(reports, key=lambda r: r.epochs_run)
        losses = [r.best_val_loss for r in reports if r.best_val_loss is not None]
        secs = [r.seconds for r in reports if r.seconds is not None]
        return cls(
            lead.epochs_run,
            sum(r.train_steps for r in reports),
            lead.best_epoch,
            lead.stopped_by,
            sum(losses) / len(losses) if losses else None,
            sum(secs) if secs else None,
        )


def fit_report(model: Any) -> FitReport | None:
    """The model's ``fit_report_`` as a :class:`FitReport`, or None if it has none.

    Raises
    ------
    PluginError
        When ``fit_report_`` is neither a FitReport nor a dict with its fields.
    """
    raw = getattr(model, "fit_report_", None)
    if raw is None or isinstance(raw, FitReport):
        return raw
    if isinstance(raw, dict):
        try:
            return FitReport.from_dict(raw)
        except PluginError as exc:
            raise PluginError(str(exc), plugin=getattr(model, "name", None) or None) from None
    raise PluginError(
        f"fit_report_ is a {type(raw).__name__}; set it to a regshift_bench.api.FitReport or a dict with its fields",
        plugin=getattr(model, "name", None) or None,
    )
