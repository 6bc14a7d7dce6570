"""``rsbench simulate``: export one split of a generative task under a shift to Parquet."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from regshift_bench.cli.console import console, esc
from regshift_bench.errors import DataError


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


def simulate(
    out: Annotated[Path, typer.Option("--out", help="Parquet file to write.")],
    task: Annotated[
        Optional[str], typer.Option("--task", help="A generative task (default: the first registered one).")
    ] = None,
    shift: Annotated[str, typer.Option("--shift", help="Shift to apply.")] = "none",
    severity: Annotated[float, typer.Option("--severity", help="Shift severity in [0, 1].")] = 0.0,
    n: Annotated[int, typer.Option("--n", help="Number of examples.", min=1)] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split's generator.")] = 0,
    split: Annotated[str, typer.Option("--split", help="train, val, test_id or test_ood[/NAME].")] = "test_ood",
    param: Annotated[
        Optional[list[str]],
        typer.Option("--param", help="Task parameter KEY=VALUE (repeatable; VALUE parsed as JSON)."),
    ] = None,
) -> None:
    """Export a simulated dataset (sequence, y, y_true, noise_var, meta) to Parquet.

    The split is built exactly as the harness builds it: ``shift.split(task,
    numpy.random.default_rng(seed), sizes)``; ``test_ood`` is the shifted data.
    """
    if out.is_dir():  # before drawing anything
        raise DataError(f"--out {out} is a directory; pass the Parquet file to write, e.g. {out / 'data.parquet'}")
    if task is None:
        from regshift_bench.plugins import default_task

        task = default_task("generative")
    started = time.time()
    from regshift_bench import split_export  # on use: `rsbench --help` stays light

    data, provenance = split_export.draw_split(task, _parse_params(param), shift, severity, n, seed, split)
    split_export.export_split(out, data, provenance)
    console.print(
        esc(
            f"wrote {len(data)} rows of {task}/{shift}@{severity:g} ({split}, seed {seed}) "
            f"to {out} in {time.time() - started:.1f}s"
        ),
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
