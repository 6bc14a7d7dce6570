"""Export one split of a generative task under a shift to Parquet (``rsbench simulate``).

The split is drawn exactly as the harness draws it, ``shift.split(task,
numpy.random.default_rng(seed), sizes)``, so an exported ``test_ood`` table holds the
rows a run with the same seed scores.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

import regshift_bench
from regshift_bench.api import SeqDataset, SplitSizes
from regshift_bench.errors import DataError

SPLITS = ("train", "val", "test_id", "test_ood")


def split_sizes(split: str, n: int) -> SplitSizes:
    """Sizes that draw ``split`` with ``n`` rows and the other parts small.

    A generative split draws each part from its own child generator, so the exported
    rows do not depend on the other parts' sizes.
    """
    small = max(1, min(n, 64))
    if split == "train":
        return SplitSizes(n, small, small)
    if split == "val":
        return SplitSizes(small, n, small)
    return SplitSizes(small, small, n)


def draw_split(
    task: str, task_params: dict[str, Any], shift: str, severity: float, n: int, seed: int, split: str
) -> tuple[SeqDataset, dict[str, Any]]:
    """Draw one split of a generative task under a shift.

    Parameters
    ----------
    task, task_params : str, dict
        A registered generative task and its parameters.
    shift, severity : str, float
        A registered shift that applies to the task, and its severity in [0, 1].
    n : int
        Rows of the asked split.
    seed : int
        Seed of the split's generator.
    split : str
        ``train``, ``val``, ``test_id`` or ``test_ood`` (``test_ood/NAME`` for a shift
        with several OOD sets).

    Returns
    -------
    data : SeqDataset
        The split, ``n`` sequences.
    provenance : dict
        Version, task, shift, severity, seed, split and creation time.

    Raises
    ------
    DataError
        A non-generative task, a shift that does not apply, an unknown split.
    """
    from regshift_bench import get_plugin

    base = split.split("/", 1)[0]
    if base not in SPLITS:
        raise DataError(f"--split {split!r}: expected one of {', '.join(SPLITS)} (or test_ood/NAME)")
    task_obj = get_plugin("task", task, **task_params)
    if task_obj.kind != "generative":
        raise DataError(f"task {task!r} is {task_obj.kind}; `rsbench simulate` needs a generative task")
    shift_obj = get_plugin("shift", shift, severity=severity)
    if not shift_obj.applies_to(task_obj):
        raise DataError(f"shift {shift!r} does not apply to task {task!r}; see `rsbench list shifts`")
    splits = shift_obj.split(task_obj, np.random.default_rng(seed), split_sizes(base, n))
    sets = {"train": splits.train, **splits.evaluation_sets()}
    if split not in sets:
        raise DataError(f"--split {split!r}: this shift provides {', '.join(sorted(sets))}")
    data = sets[split]
    provenance = {
        "rsbench_version": regshift_bench.__version__,
        "task": task,
        "task_params": task_obj.params_json(),
        "shift": shift,
        "shift_params": shift_obj.params_json(),
        "severity": severity,
        "seed": seed,
        "split": split,
        "n": len(data),
        "description": splits.description,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return data, provenance


def _column(values: Any) -> list[Any]:
    """A meta column as Arrow-friendly values: lists of named tuples become structs."""
    values = list(values)
    sample = next((v for v in values if isinstance(v, (list, tuple)) and len(v)), None)
    if isinstance(sample, (list, tuple)) and hasattr(sample[0], "_asdict"):
        return [[s._asdict() for s in v] for v in values]
    return values


def dataset_table(data: SeqDataset) -> Any:
    """A pyarrow Table of ``data``: seq, y, y_true, noise_var and every meta column.

    Raises
    ------
    DataError
        A meta column named like a dataset field.
    """
    import pyarrow as pa

    cols: dict[str, Any] = {"seq": pa.array(data.strings(), pa.string()), "y": pa.array(data.y)}
    for name in ("y_true", "noise_var"):
        value = getattr(data, name)
        if value is not None:
            cols[name] = pa.array(value)
    for name in data.meta.columns:
        if name in cols:
            raise DataError(f"meta column {name!r} clashes with a dataset field; rename it in the task")
        series = data.meta[name]
        cols[name] = pa.array(_column(series)) if series.dtype == object else pa.array(series.to_numpy())
    return pa.table(cols)


def export_split(out: Path, data: SeqDataset, provenance: dict[str, Any]) -> None:
    """Write ``data`` to the Parquet file ``out`` atomically, ``provenance`` in its metadata.

    Raises
    ------
    DataError
        ``out`` is a directory.
    """
    from regshift_bench.results import write_parquet_atomic

    if out.is_dir():
        raise DataError(f"--out {out} is a directory; pass the Parquet file to write, e.g. {out / 'data.parquet'}")
    write_parquet_atomic(dataset_table(data), out, metadata=provenance)
