"""Running a cell's intervention: which model to train, and how its predictions change.

A cell's ``intervention`` is ``"none"`` (the model as trained) or the label of a
registered :class:`~regshift_bench.api.Intervention`. ``posthoc`` and ``test_time``
interventions reuse the model trained for the ``none`` cell (same cache key: it is
never retrained); a ``train`` intervention trains its own model through
:meth:`~regshift_bench.api.Model.fit_augmented`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from regshift_bench.api import Context, Intervention, Prediction, SeqDataset, Support
from regshift_bench.api.intervention import unlabelled
from regshift_bench.api.model import supports_augmentation
from regshift_bench.cell import Cell, stable_hash
from regshift_bench.errors import PluginError, RegshiftError
from regshift_bench.plugins import get_plugin

NONE = "none"
#: Metric name of the row that counts labelled target examples held out of a split.
HELD_OUT = "held_out_examples"


class InterventionSkipped(RegshiftError):
    """The intervention does not apply to this cell's model; the message says why."""


@dataclass
class Adjusted:
    """A cell's evaluated sets and predictions after its intervention.

    Attributes
    ----------
    sets, preds : dict
        Split name -> scored data and its prediction (support examples removed).
    rows : dict
        Split name -> original row index (into the split) of each scored example.
    held_out : dict
        Split name -> original rows of the labelled examples the intervention used.
    """

    sets: dict[str, SeqDataset]
    preds: dict[str, Prediction]
    rows: dict[str, np.ndarray] = field(default_factory=dict)
    held_out: dict[str, np.ndarray] = field(default_factory=dict)


def create(cell: Cell) -> Intervention | None:
    """The cell's intervention instance (None for ``none``)."""
    if cell.intervention == NONE:
        return None
    name = cell.intervention.split("(")[0]
    return get_plugin("intervention", name, **dict(cell.intervention_args))


def model_key_extra(cell: Cell, iv: Intervention | None) -> dict[str, Any]:
    """What a ``train`` intervention adds to the model cache key ({} otherwise: the model
    of the ``none`` cell is reused)."""
    if iv is None or iv.stage != "train":
        return {}
    return {"intervention": cell.intervention, "intervention_params": iv.params_json()}


def check_trainable(model: Any, iv: Intervention, label: str) -> None:
    """Raise :class:`InterventionSkipped` when ``model`` lacks the training hook."""
    if not supports_augmentation(model):
        raise InterventionSkipped(
            f"model {label!r} has no fit_augmented training hook, so the train-stage "
            f"intervention {iv.name!r} cannot change how it is trained"
        )


def _rng(cell: Cell, split: str) -> np.random.Generator:
    words = [int(stable_hash(p, 4), 16) for p in (cell.task, cell.model, cell.intervention, split)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(cell.seed, spawn_key=words)))


def apply(
    cell: Cell,
    iv: Intervention | None,
    model: Any,
    device: str,
    sets: dict[str, SeqDataset],
    preds: dict[str, Prediction],
) -> Adjusted:
    """Apply a ``posthoc`` / ``test_time`` intervention to every evaluated split.

    ``calibrate`` sees the validation split; ``adjust`` sees each split's inputs with
    labels hidden. A ``test_time`` intervention with ``support_size = k`` gets ``k``
    labelled examples drawn from the split (the cell's own stream), which are then
    left out of the scored set.

    Raises
    ------
    PluginError
        The intervention raised or returned an invalid prediction.
    InterventionSkipped
        A split holds no more than ``k`` examples.
    """
    full_rows = {s: np.arange(len(d)) for s, d in sets.items()}
    if iv is None or iv.stage == "train":
        return Adjusted(sets, preds, full_rows)
    label = cell.intervention
    try:
        iv.calibrate(sets["val"], preds["val"], rng=_rng(cell, "calibrate"))
    except Exception as exc:
        raise PluginError(f"calibrate: {type(exc).__name__}: {exc}", plugin=label) from exc
    out = Adjusted({}, {}, {}, {})
    k = int(iv.support_size or 0)
    for split, data in sets.items():
        rng, rows, support = _rng(cell, split), full_rows[split], None
        if k:
            if len(data) <= k:
                raise InterventionSkipped(
                    f"split {split} holds {len(data)} examples, not more than the {k} labelled ones {label!r} uses"
                )
            held = np.sort(rng.choice(len(data), size=k, replace=False))
            rows = np.setdiff1d(rows, held)
            support = Support(data.subset(held), preds[split].subset(held))
            out.held_out[split] = held
        scored, pred = data.subset(rows), preds[split].subset(rows)
        try:
            new = iv.adjust(unlabelled(scored), pred, Context(model, device, rng, support, split))
        except Exception as exc:
            raise PluginError(f"adjust on {split}: {type(exc).__name__}: {exc}", plugin=label) from exc
        if not isinstance(new, Prediction):
            raise PluginError(f"adjust returned {type(new).__name__}, expected Prediction", plugin=label)
        out.sets[split], out.preds[split] = scored, new.check(len(scored), plugin=label)
        out.rows[split] = rows
    return out


def held_out_rows(adjusted: Adjusted) -> list[dict[str, Any]]:
    """One ``held_out_examples`` result row per split that lent labelled examples."""
    return [
        {
            "split": split,
            "metric": HELD_OUT,
            "value": float(len(rows)),
            "n": len(rows),
            "higher_is_better": False,
            "status": "ok",
            "error": "",
        }
        for split, rows in adjusted.held_out.items()
    ]


def held_out_metadata(adjusted: Adjusted) -> dict[str, Any]:
    """Provenance of a predictions file: the rows each split lent as labelled examples."""
    if not adjusted.held_out:
        return {}
    return {"held_out_rows": {s: rows.tolist() for s, rows in adjusted.held_out.items()}}
