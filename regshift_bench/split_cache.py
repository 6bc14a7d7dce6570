"""Splits drawn once per run directory and read back by every model and intervention.

A shift draws a cell's splits from :func:`regshift_bench.runner.split_rng`, which
depends on the task and the seed only, so every model and every intervention of a
(task, shift setting, seed, sizes) receives the same splits. Drawing them is the
simulator's work (about a second for a 2,000-example sim test set and its 8,000
training sequences), repeated by each of a grid's models: here the first cell that
needs them draws them and writes ``splits/<key>.pkl`` in the run directory, and the
others read that file.

The key holds the commit the code runs at, so a run resumed at another commit draws
its splits again rather than reading ones an older simulator drew. A file that cannot
be read is drawn again (and rewritten); splits that cannot be pickled are simply drawn
by every cell, as before.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from regshift_bench.api import Shift, Splits
from regshift_bench.cell import Cell, stable_hash

FOLDER = "splits"


def split_key(cell: Cell, shift: Shift, commit: str) -> str:
    """The hash naming a cell's splits: task, shift setting (with defaults), seed,
    sizes and the code's commit; model and intervention are not part of it."""
    return stable_hash(
        {
            "task": cell.task_name,
            "task_params": cell.stream_task_params(),
            "shift": cell.shift,
            "severity": cell.severity,
            "shift_params": shift.params_json(),
            "seed": cell.seed,
            "sizes": cell.sizes,
            "commit": commit,
        },
        16,
    )


def cached_splits(
    run_dir: Path, cell: Cell, task: Any, shift: Shift, commit: str, draw: Callable[[], Splits]
) -> Splits:
    """The cell's splits from ``run_dir/splits``, or ``draw()`` written there first.

    Parameters
    ----------
    run_dir : Path
    cell : Cell
    task, shift
        The cell's task and shift instances.
    commit : str
        The commit the code runs at ("" outside a checkout).
    draw : callable () -> Splits
        Draws the splits (``shift.split(task, split_rng(cell), cell.sizes)``).
    """
    path = run_dir / FOLDER / f"{split_key(cell, shift, commit)}.pkl"
    if path.exists():
        try:
            with path.open("rb") as fh:
                found = pickle.load(fh)
            if isinstance(found, Splits):
                return found
        except Exception:  # a truncated or foreign file: drawn again below
            pass
    splits = draw()
    _write(path, splits)
    return splits


def _write(path: Path, splits: Splits) -> None:
    """Pickle ``splits`` to ``path`` through a temporary name (two workers drawing the
    same splits write identical files; the last rename wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(splits, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # unpicklable splits (a plugin's own objects): not cached
        pass
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
