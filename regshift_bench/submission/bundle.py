"""The reference bundle published beside a leaderboard: what a new model is ranked against.

``leaderboard/bundle/`` is itself a run directory, so ``rsbench leaderboard
leaderboard/ runs/mine`` merges it like any run::

    bundle/manifest.json             the published runs' manifest (plan and status of
                                     every published cell) plus a ``bundle`` section
    bundle/results.parquet           every result row of the published cells
    bundle/curves.parquet            their risk-coverage and reliability points
    bundle/predictions/<cell>.parquet  per-example predictions, float32, zstd
    bundle/digests.json              per data setting (task/shift@severity/seedN) and
                                     split: the number of examples and digests of
                                     their sequences and labels

Paired bootstrap intervals need the built-in models' predictions on the very
examples a new model is scored on; the digests prove a new run saw them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from regshift_bench import results as rs
from regshift_bench.errors import DataError
from regshift_bench.submission.digests import METADATA_KEY, setting_key
from regshift_bench.submission.layout import BUNDLE_DIR, DIGESTS_FILE
from regshift_bench.submission.meta import is_submission

BUNDLE_FORMAT = 1
#: Suffix of a cell's optional reference-predictions file (``leaderboard.load``).
REFERENCE_PREDICTIONS = ".references.parquet"
#: Predictions columns stored as float32 in the bundle (the rest keep their type).
FLOAT_COLUMNS = ("y", "mean", "var", "aleatoric", "epistemic", "y_true", "noise_var")
COMPRESSION = "zstd"


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    # Byte-stream-split floats compress to about 70% of plain ones under zstd (20 bytes
    # per simulated example instead of 29, measured on a `standard` sim cell).
    # Dictionary encoding would take precedence over it, so only other columns use one.
    floats = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    others = [f.name for f in table.schema if f.name not in floats]
    pq.write_table(table, tmp, compression=COMPRESSION, compression_level=9,
                   use_byte_stream_split=floats or False, use_dictionary=others or False)
    tmp.replace(path)


def compact_predictions(table: pa.Table) -> pa.Table:
    """Predictions with float32 values, ``row`` as int32 and ``split`` dictionary-encoded."""
    arrays, fields = [], []
    for f in table.schema:
        col = table[f.name]
        if f.name in FLOAT_COLUMNS:
            col = pc.cast(col, pa.float32())
        elif f.name == "row":
            col = pc.cast(col, pa.int32())
        elif f.name == "split":
            col = pc.dictionary_encode(col)
        arrays.append(col)
        fields.append(pa.field(f.name, col.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=table.schema.metadata))


def _chosen(runs: Any) -> list[tuple[int, str, dict[str, Any]]]:
    """(source index, cell, plan row) of every finished cell the board shows."""
    ok = runs.plan.loc[runs.plan["status"] == "ok"]
    return [(int(r["src"]), str(r["cell"]), r) for r in ok.to_dict("records")]


def _suites(runs: Any) -> dict[str, Any]:
    suites: dict[str, Any] = {}
    for man in runs.manifests:
        suites.update(man.get("suites") or {})
    return suites


def _manifest(runs: Any, chosen: list[tuple[int, str, dict[str, Any]]]) -> dict[str, Any]:
    keep = {cell for _, cell, _ in chosen}
    first = runs.manifests[0]
    plan, cells = [], {}
    for man in runs.manifests:
        plan += [e for e in man.get("plan", []) if e.get("cell") in keep]
        cells.update({k: v for k, v in (man.get("cells") or {}).items() if k in keep})
    return {**first, "run": "bundle", "plan": list({e["cell"]: e for e in plan}.values()),
            "cells": cells, "suites": _suites(runs),
            "bundle": {"format": BUNDLE_FORMAT, "runs": runs.provenance()["runs"],
                       "predictions": "float32, zstd"}}


def _digests(runs: Any, chosen: list[tuple[int, str, dict[str, Any]]]) -> dict[str, Any]:
    settings: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for src, cell, row in chosen:
        key = setting_key(row["task"], row["shift"], row["severity"], row["seed"])
        path = runs.dirs[src] / "predictions" / f"{cell}.parquet"
        found = rs.read_metadata(path).get(METADATA_KEY) if path.exists() else None
        if found:
            settings.setdefault(key, {}).update(found)
        elif key not in settings:
            missing.append(key)
    preset = {str(m.get("preset", "")) for m in runs.manifests}
    return {"format": BUNDLE_FORMAT, "preset": ", ".join(sorted(preset)),
            "suites": _suites(runs), "settings": settings,
            # written by a run that predates digests: not verifiable until re-run
            "missing": sorted(set(missing) - set(settings))}


def _source_rows(runs: Any, src: int, cells: list[str], name: str, folder: str,
                 schema: pa.Schema) -> pa.Table:
    """Rows of ``cells`` from one input: its per-cell files, else its consolidated file
    (a bundle has only that); a submission's results only as re-scored for boards."""
    run_dir = runs.dirs[src]
    files = [p for c in cells if (p := run_dir / folder / f"{c}.parquet").exists()]
    if files:
        table = pa.concat_tables([rs._conform(pq.read_table(p), schema) for p in files])
    elif (run_dir / f"{name}.parquet").exists():
        table = rs._conform(pq.read_table(run_dir / f"{name}.parquet"), schema)
        table = table.filter(pc.is_in(table["cell"], pa.array(cells, pa.string())))
    else:
        return schema.empty_table()
    if name == "results":
        from regshift_bench.submission.board import board_view

        # The board relabelled its manifest in memory; the file on disk has the run's labels.
        frame = board_view(run_dir, rs.read_manifest(run_dir), table.to_pandas())
        if is_submission(run_dir) or not frame["model"].equals(table["model"].to_pandas()):
            table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    return table


def write_bundle(runs: Any, to: str | Path) -> list[Path]:
    """Write ``to/bundle/`` from the runs a leaderboard was built from.

    Parameters
    ----------
    runs : regshift_bench.leaderboard.RunSet
        The merged runs (``Leaderboard.runs``); every finished cell it shows goes in.
    to : path
        The published leaderboard folder.

    Returns
    -------
    list of Path
        The files written. Prediction files of cells no longer published are removed.
    """
    out = Path(to) / BUNDLE_DIR
    chosen = _chosen(runs)
    written: list[Path] = []
    for src, cell, _ in chosen:
        path = runs.dirs[src] / "predictions" / f"{cell}.parquet"
        if not path.exists():
            raise DataError(f"{runs.dirs[src]}: cell {cell} finished but has no predictions "
                            "file; re-run that cell (`rsbench run` with the same --out)")
        dest = out / "predictions" / f"{cell}.parquet"
        _write(compact_predictions(pq.read_table(path)), dest)
        written.append(dest)
        refs = path.with_name(f"{cell}{REFERENCE_PREDICTIONS}")  # references, paired like models
        if refs.exists():
            written.append(dest.with_name(refs.name))
            _write(compact_predictions(pq.read_table(refs)), written[-1])
    if (out / "predictions").is_dir():
        for old in (out / "predictions").glob("*.parquet"):
            if old not in written:
                old.unlink()
    by_src: dict[int, list[str]] = {}
    for src, cell, _ in chosen:
        by_src.setdefault(src, []).append(cell)
    for name, folder, schema in (("results", "cells", rs.RESULTS_SCHEMA),
                                 ("curves", "curves", rs.CURVES_SCHEMA)):
        parts = [_source_rows(runs, src, cells, name, folder, schema)
                 for src, cells in sorted(by_src.items())]
        table = pa.concat_tables(parts) if parts else schema.empty_table()
        _write(table, out / f"{name}.parquet")
        written.append(out / f"{name}.parquet")
    for name, obj in (("manifest.json", _manifest(runs, chosen)),
                      (DIGESTS_FILE, _digests(runs, chosen))):
        rs.write_json_atomic(obj, out / name)
        written.append(out / name)
    for path in written:
        path.chmod(0o644)
    return written


def bundle_bytes(bundle: str | Path) -> int:
    """Total size in bytes of the files of a bundle folder."""
    return sum(p.stat().st_size for p in Path(bundle).rglob("*") if p.is_file())
