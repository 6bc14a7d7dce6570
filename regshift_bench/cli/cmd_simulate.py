"""``rsbench simulate``: export one split of a generative task under a shift to Parquet."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer

import regshift_bench
from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset, SplitSizes
from regshift_bench.cli.console import console, esc
from regshift_bench.errors import DataError

SPLITS = ("train", "val", "test_id", "test_ood")


def _parse_params(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise DataError(f"--param {item!r}: expected KEY=VALUE (VALUE as JSON, e.g. seq_len=100)")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value  # a bare string
        if isinstance(out[key], list):
            out[key] = tuple(out[key])
    return out


def _sizes(split: str, n: int) -> SplitSizes:
    # Draw the asked split at full size and the others small: a generative split
    # draws each part from its own child generator, so the exported rows do not
    # depend on the other parts' sizes.
    small = max(1, min(n, 64))
    if split == "train":
        return SplitSizes(n, small, small)
    if split == "val":
        return SplitSizes(small, n, small)
    return SplitSizes(small, small, n)


def _column(values: Any) -> Any:
    """Meta column as Arrow-friendly values: named tuples become structs."""
    values = list(values)
    sample = next((v for v in values if isinstance(v, (list, tuple)) and len(v)), None)
    if isinstance(sample, (list, tuple)) and hasattr(sample[0], "_asdict"):
        return [[s._asdict() for s in v] for v in values]
    return values


def to_table(data: SeqDataset, provenance: dict[str, Any]) -> Any:
    """A pyarrow Table: seq, y, y_true, noise_var and every meta column; provenance in metadata."""
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
    table = pa.table(cols)
    return table.replace_schema_metadata({b"rsbench": json.dumps(provenance, default=str).encode()})


def simulate(
    out: Annotated[Path, typer.Option("--out", help="Parquet file to write.")],
    task: Annotated[Optional[str], typer.Option(
        "--task", help="A generative task (default: the first registered one).")] = None,
    shift: Annotated[str, typer.Option("--shift", help="Shift to apply.")] = "none",
    severity: Annotated[float, typer.Option("--severity", help="Shift severity in [0, 1].")] = 0.0,
    n: Annotated[int, typer.Option("--n", help="Number of examples.", min=1)] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split's generator.")] = 0,
    split: Annotated[str, typer.Option("--split", help="train, val, test_id or test_ood[/NAME].")] = "test_ood",
    param: Annotated[Optional[list[str]], typer.Option(
        "--param", help="Task parameter KEY=VALUE (repeatable; VALUE parsed as JSON).")] = None,
) -> None:
    """Export a simulated dataset (sequence, y, y_true, noise_var, meta) to Parquet.

    The split is built exactly as the harness builds it: ``shift.split(task,
    numpy.random.default_rng(seed), sizes)``; ``test_ood`` is the shifted data.
    """
    if out.is_dir():
        raise DataError(f"--out {out} is a directory; pass the Parquet file to write, "
                        f"e.g. {out / 'data.parquet'}")
    if task is None:
        from regshift_bench.plugins import default_task

        task = default_task("generative")
    task_obj = get_plugin("task", task, **_parse_params(param))
    if task_obj.kind != "generative":
        raise DataError(f"task {task!r} is {task_obj.kind}; `rsbench simulate` needs a generative task")
    shift_obj = get_plugin("shift", shift, severity=severity)
    if not shift_obj.applies_to(task_obj):
        raise DataError(f"shift {shift!r} does not apply to task {task!r}; see `rsbench list shifts`")
    base = split.split("/", 1)[0]
    if base not in SPLITS:
        raise DataError(f"--split {split!r}: expected one of {', '.join(SPLITS)} (or test_ood/NAME)")
    started = time.time()
    splits = shift_obj.split(task_obj, np.random.default_rng(seed), _sizes(base, n))
    sets = {"train": splits.train, **splits.evaluation_sets()}
    if split not in sets:
        raise DataError(f"--split {split!r}: this shift provides {', '.join(sorted(sets))}")
    data = sets[split]
    provenance = {
        "rsbench_version": regshift_bench.__version__, "task": task, "task_params": task_obj.params_json(),
        "shift": shift, "shift_params": shift_obj.params_json(), "severity": severity, "seed": seed,
        "split": split, "n": len(data), "description": splits.description,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    pq.write_table(to_table(data, provenance), tmp)
    tmp.replace(out)  # atomic: a reader never sees half a file
    console.print(esc(f"wrote {len(data)} rows of {task}/{shift}@{severity:g} ({split}, seed {seed}) "
                      f"to {out} in {time.time() - started:.1f}s"), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
