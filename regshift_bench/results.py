"""The results files of a run directory: schemas (declared once), writing, reading.

Layout of ``runs/<name>/``::

    manifest.json            provenance, the plan, status of every cell
    cells/<hash>.parquet      result rows of one cell (written atomically)
    predictions/<hash>.parquet  per-example y, mean, var, ... of one cell
    curves/<hash>.parquet     risk-coverage / reliability points of one cell
    results.parquet           all cells' rows, consolidated at the end of a run
    curves.parquet            all cells' curves, consolidated likewise

The per-cell files are the ground truth (a killed run keeps every finished cell);
the consolidated files are rebuilt from them by :func:`consolidate`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = 1

#: One row per (run, task, shift, severity, model, seed, split, metric).
RESULTS_SCHEMA = pa.schema(
    [
        ("run", pa.string()),
        ("suite", pa.string()),
        ("suite_version", pa.int64()),
        ("preset", pa.string()),
        ("task", pa.string()),
        ("shift", pa.string()),
        ("severity", pa.float64()),
        ("model", pa.string()),
        ("seed", pa.int64()),
        ("split", pa.string()),  # val | test_id | test_ood | test_ood/<name>
        ("metric", pa.string()),  # "" on a row that records a failed cell
        ("value", pa.float64()),
        ("higher_is_better", pa.bool_()),
        ("n", pa.int64()),
        ("status", pa.string()),  # ok | skipped | failed
        ("error", pa.string()),
        ("task_params", pa.string()),  # canonical JSON
        ("shift_params", pa.string()),
        ("model_params", pa.string()),
        ("cell", pa.string()),  # cell hash; names the predictions/curves files
        ("model_key", pa.string()),  # trained-model cache key
        ("device", pa.string()),
        ("fit_seconds", pa.float64()),
        ("predict_seconds", pa.float64()),
        ("split_seconds", pa.float64()),  # the shift drawing/simulating its data
        # Reference rows (noise ceiling, source oracle, ...): the reference's name; "" on a
        # model's own rows. Null in runs written before the column existed.
        ("reference", pa.string()),
        ("shift_kind", pa.string()),  # covariate | mechanism | measurement | selection
        # Fit diagnostics of the cell's model (regshift_bench.api.FitReport); null for a
        # model that does not iterate or reports nothing.
        ("epochs_run", pa.int64()),
        ("train_steps", pa.int64()),
        ("best_epoch", pa.int64()),
        ("stopped_by", pa.string()),  # epochs | early_stopping | max_steps | max_seconds
        ("best_val_loss", pa.float64()),
        ("undertrained", pa.bool_()),  # budget stopped it while val loss still improved
        ("explainer", pa.string()),  # "" except on interpretation rows (regshift_bench.interpret)
        # Robustness intervention (regshift_bench.intervene): "none" for the model as
        # trained; null in runs written before the column existed (read as "none").
        ("intervention", pa.string()),
    ]
)

#: Per-example predictions of one cell; ``row`` indexes the split's examples.
PREDICTIONS_SCHEMA = pa.schema(
    [
        ("split", pa.string()),
        ("row", pa.int64()),
        ("example_id", pa.string()),
        ("y", pa.float64()),
        ("mean", pa.float64()),
        ("var", pa.float64()),
        ("aleatoric", pa.float64()),
        ("epistemic", pa.float64()),
        ("y_true", pa.float64()),
        ("noise_var", pa.float64()),
    ]
)

#: Curve points; ``curve`` is e.g. ``risk_coverage`` or ``reliability``.
CURVES_SCHEMA = pa.schema(
    [
        ("cell", pa.string()),
        ("task", pa.string()),
        ("shift", pa.string()),
        ("severity", pa.float64()),
        ("model", pa.string()),
        ("seed", pa.int64()),
        ("split", pa.string()),
        ("metric", pa.string()),
        ("curve", pa.string()),
        ("x", pa.float64()),
        ("y", pa.float64()),
    ]
)


#: Columns of a cell's files that say when, where and at which commit it ran, not what
#: it computed: two runs of the same cells may differ in these and nothing else.
CONTEXT_COLUMNS = frozenset(
    {"run", "fit_seconds", "predict_seconds", "split_seconds", "device", "commit", "rsbench_version", "torch_threads"}
)


def computed_values(frame: pd.DataFrame) -> pd.DataFrame:
    """A cell file's rows without what times or places the cell: what it computed.

    Drops :data:`CONTEXT_COLUMNS` and the result rows whose metric is a duration
    (``explain_seconds`` and the like), so that two runs of the same cells can be
    compared value for value.
    """
    if "metric" in frame:
        frame = frame[~frame["metric"].astype(str).str.endswith("_seconds")]
    return frame.drop(columns=[c for c in frame.columns if c in CONTEXT_COLUMNS]).reset_index(drop=True)


def columns_table(columns: dict[str, Any], n: int, schema: pa.Schema) -> pa.Table:
    """A table of ``n`` rows from column values (arrays, lists, or scalars repeated).

    Columns of ``schema`` missing from ``columns`` become nulls; a Python scalar
    (str, int, float, bool, None) fills its column. Faster than going through a
    DataFrame for the small per-cell tables the runner writes.
    """
    arrays = []
    for field in schema:
        value = columns.get(field.name)
        if value is None or isinstance(value, (str, int, float, bool, np.generic)):
            arrays.append(pa.nulls(n, field.type) if value is None else pa.repeat(pa.scalar(value, type=field.type), n))
        else:
            arrays.append(pa.array(value, type=field.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet_atomic(table: pa.Table, path: Path, metadata: dict[str, Any] | None = None) -> None:
    """Write ``table`` to ``path`` via a temporary file and a rename.

    A reader never sees a half-written file, and a kill leaves either the old
    file or the new one. ``metadata`` is stored as JSON under the key ``rsbench``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if metadata is not None:
        existing = table.schema.metadata or {}
        table = table.replace_schema_metadata(
            {**existing, b"rsbench": json.dumps(metadata, sort_keys=True, default=str).encode()}
        )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json_atomic(obj: Any, path: Path) -> None:
    """Write JSON via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(obj, fh, indent=2, sort_keys=True, default=str)
    os.replace(tmp, path)


def read_metadata(path: Path) -> dict[str, Any]:
    """The ``rsbench`` provenance metadata of a Parquet file ({} when absent)."""
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"rsbench")
    return json.loads(raw) if raw else {}


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Cast to ``schema``; columns added later (nullable) are filled with nulls, so
    files written before an additive change stay readable."""
    for field in schema:
        if field.name not in table.column_names:
            table = table.append_column(field, pa.nulls(len(table), field.type))
    return table.select(schema.names).cast(schema)


def _concat_tables(paths: Iterable[Path], schema: pa.Schema) -> pa.Table:
    tables = [_conform(pq.read_table(p), schema) for p in sorted(paths)]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def _concat(paths: Iterable[Path], schema: pa.Schema) -> pd.DataFrame:
    return _concat_tables(paths, schema).to_pandas()


def read_results(run_dir: str | Path) -> pd.DataFrame:
    """All result rows of a run, from its per-cell files (complete even after a kill)."""
    run_dir = Path(run_dir)
    cells = list((run_dir / "cells").glob("*.parquet"))
    if not cells and (run_dir / "results.parquet").exists():
        return pq.read_table(run_dir / "results.parquet").to_pandas()
    return _concat(cells, RESULTS_SCHEMA)


def read_curves(run_dir: str | Path) -> pd.DataFrame:
    """All curve points of a run."""
    return _concat((Path(run_dir) / "curves").glob("*.parquet"), CURVES_SCHEMA)


def read_predictions(run_dir: str | Path, cell: str) -> pd.DataFrame:
    """Per-example predictions of one cell."""
    return pq.read_table(Path(run_dir) / "predictions" / f"{cell}.parquet").to_pandas()


def read_manifest(run_dir: str | Path) -> dict[str, Any]:
    """The run's manifest (provenance, plan, cell status)."""
    from regshift_bench.errors import DataError

    path = Path(run_dir) / "manifest.json"
    if not path.exists():
        raise DataError(
            f"{run_dir} is not a run directory (no manifest.json); pass the --out directory of `rsbench run`"
        )
    with open(path) as fh:
        manifest: dict[str, Any] = json.load(fh)
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise DataError(
            f"{run_dir}: results schema_version {manifest.get('schema_version')} "
            f"!= {SCHEMA_VERSION} of this rsbench; re-run it with this version"
        )
    return manifest


def consolidate(run_dir: str | Path, metadata: dict[str, Any]) -> None:
    """Rebuild ``results.parquet`` and ``curves.parquet`` from the per-cell files."""
    run_dir = Path(run_dir)
    # Arrow end to end: no pandas round trip for what is only a concatenation.
    write_parquet_atomic(
        _concat_tables((run_dir / "cells").glob("*.parquet"), RESULTS_SCHEMA), run_dir / "results.parquet", metadata
    )
    write_parquet_atomic(
        _concat_tables((run_dir / "curves").glob("*.parquet"), CURVES_SCHEMA), run_dir / "curves.parquet", metadata
    )


def wall_seconds(sessions: list[dict[str, Any]]) -> float:
    """Wall time of a run summed over its sessions (``rsbench run`` invocations).

    A finished session counts its ``seconds``; a killed one (no ``seconds``) counts
    from ``started`` to its ``last_cell``, the work it kept; one with neither counts 0.
    The gaps between sessions are not counted.
    """
    total = 0.0
    for s in sessions:
        if s.get("seconds") is not None:
            total += float(s["seconds"])
        elif s.get("last_cell"):
            total += (datetime.fromisoformat(s["last_cell"]) - datetime.fromisoformat(s["started"])).total_seconds()
    return round(total, 3)
