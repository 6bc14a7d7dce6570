"""The reference bundle published beside a leaderboard: what a new model is ranked against.

``leaderboard/bundle/`` is itself a run directory, so ``rsbench leaderboard
leaderboard/ runs/mine`` merges it like any run. Format 2
(:data:`~regshift_bench.submission.layout.BUNDLE_FORMAT`)::

    bundle/manifest.json             the published runs' manifest (plan and status of
                                     every published cell) plus a ``bundle`` section:
                                     format, runs, and per data setting the cells that
                                     share its examples and references files
    bundle/results.parquet           every result row of the published cells
    bundle/curves.parquet            their risk-coverage and reliability points
    bundle/predictions/<cell>.parquet  what the model predicted: split, row, mean, var,
                                     epistemic (float32, zstd)
    bundle/predictions/settings/<setting>.examples.parquet
                                     split, row, example_id, y, y_true, noise_var of the
                                     setting's examples, once for all its cells
    bundle/predictions/settings/<setting>.references.parquet
                                     its references' split, row, reference, mean, var
    bundle/digests.json              per data setting (task/shift@severity/seedN) and
                                     split: the number of examples and digests of
                                     their sequences and labels

Paired bootstrap intervals need the built-in models' predictions on the very
examples a new model is scored on; the digests prove a new run saw them. Every
model of a setting is scored on the same examples, so their labels and the
references are stored once per setting: the writer checks that the cells agree
row for row and keeps a cell whole (its own examples or references file) where
it does not. Only what a board reads is kept: the test splits (``val`` is
dropped) and the total variance with its epistemic part (``aleatoric`` is
dropped); the runs' own directories keep everything.
:class:`~regshift_bench.submission.cell_files.CellFiles` joins the parts back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from regshift_bench import results as rs
from regshift_bench.errors import DataError
from regshift_bench.submission.cell_files import EXAMPLE_COLUMNS, CellFiles
from regshift_bench.submission.digests import METADATA_KEY, setting_key
from regshift_bench.submission.layout import (
    BUNDLE_DIR,
    BUNDLE_FORMAT,
    DIGESTS_FILE,
    EXAMPLES_SUFFIX,
    REFERENCES_SUFFIX,
    SETTINGS_DIR,
)
from regshift_bench.submission.meta import is_submission

__all__ = ["BUNDLE_FORMAT", "bundle_bytes", "bundle_notes", "compact_predictions", "write_bundle"]

#: Suffix of a cell's optional reference-predictions file (``leaderboard.load``).
REFERENCE_PREDICTIONS = REFERENCES_SUFFIX
#: Predictions columns stored as float32 in the bundle (the rest keep their type).
FLOAT_COLUMNS = ("y", "mean", "var", "aleatoric", "epistemic", "y_true", "noise_var")
#: Splits no board reads (tables, bootstrap, findings, interventions: test splits only).
DROPPED_SPLITS = ("val",)
#: Columns no board reads (``var`` is the total; the bootstrap uses no part of it).
DROPPED_COLUMNS = ("aleatoric",)
COMPRESSION = "zstd"


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    # Byte-stream-split floats compress to about 70% of plain ones under zstd (20 bytes
    # per simulated example instead of 29, measured on a `standard` sim cell).
    # Dictionary encoding would take precedence over it, so only other columns use one.
    floats = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    encoding = dict.fromkeys(floats, "BYTE_STREAM_SPLIT")
    # Rows run 0, 1, 2, ... within a split: delta-packed they cost next to nothing
    # (a dictionary took 7 kB of a 38 kB simulated cell file).
    if "row" in table.column_names and pa.types.is_integer(table.schema.field("row").type):
        encoding["row"] = "DELTA_BINARY_PACKED"
    others = [f.name for f in table.schema if f.name not in encoding]
    pq.write_table(
        table,
        tmp,
        compression=COMPRESSION,
        compression_level=9,
        column_encoding=encoding or None,
        use_dictionary=others or False,
    )
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
        elif f.name == "split" and not pa.types.is_dictionary(col.type):
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


def _manifest(runs: Any, chosen: list[tuple[int, str, dict[str, Any]]], settings: dict[str, Any]) -> dict[str, Any]:
    keep = {cell for _, cell, _ in chosen}
    first = runs.manifests[0]
    plan, cells = [], {}
    for man in runs.manifests:
        plan += [e for e in man.get("plan", []) if e.get("cell") in keep]
        cells.update({k: v for k, v in (man.get("cells") or {}).items() if k in keep})
    return {
        **first,
        "run": "bundle",
        "plan": list({e["cell"]: e for e in plan}.values()),
        "cells": cells,
        "suites": _suites(runs),
        "bundle": {
            "format": BUNDLE_FORMAT,
            "runs": runs.provenance()["runs"],
            "predictions": "float32, zstd; examples and references once per data setting",
            "dropped": {"splits": list(DROPPED_SPLITS), "columns": list(DROPPED_COLUMNS)},
            "settings": settings,
        },
    }


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
    return {
        "format": BUNDLE_FORMAT,
        "preset": ", ".join(sorted(preset)),
        "suites": _suites(runs),
        "settings": settings,
        # written by a run that predates digests: not verifiable until re-run
        "missing": sorted(set(missing) - set(settings)),
    }


def _source_rows(runs: Any, src: int, cells: list[str], name: str, folder: str, schema: pa.Schema) -> pa.Table:
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


def _bundle_view(table: pa.Table) -> pa.Table:
    """Predictions or references as a bundle keeps them: compact, without the splits and
    columns no board reads."""
    table = table.drop_columns([c for c in DROPPED_COLUMNS if c in table.column_names])
    dropped = pc.is_in(pc.cast(table["split"], pa.string()), pa.array(DROPPED_SPLITS))
    return compact_predictions(table.filter(pc.invert(dropped)))


def _order(table: pa.Table, keys: list[str]) -> pa.Table:
    """``table`` sorted by ``keys`` (dictionary columns by their values)."""
    plain = pa.table(
        {
            k: pc.cast(table[k], table[k].type.value_type) if pa.types.is_dictionary(table[k].type) else table[k]
            for k in keys
        }
    )
    return table.take(pc.sort_indices(plain, sort_keys=[(k, "ascending") for k in keys]))


def _same_column(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    if pa.types.is_dictionary(a.type):
        a = pc.cast(a, a.type.value_type)
    if pa.types.is_dictionary(b.type):
        b = pc.cast(b, b.type.value_type)
    if a.type != b.type or a.null_count != b.null_count:
        return False
    if not pa.types.is_floating(a.type):
        return bool(a.equals(b))
    if a.null_count and pc.any(pc.not_equal(pc.is_null(a), pc.is_null(b))).as_py():
        return False
    # Bit patterns: what a reader gets back is exactly what the cell held (NaN, -0.0).
    x, y = a.to_numpy(), b.to_numpy()
    return bool(np.array_equal(x.view(f"u{x.itemsize}"), y.view(f"u{y.itemsize}")))


def _same(a: pa.Table, b: pa.Table) -> bool:
    """Whether two tables hold the same columns, rows and values, in the same order."""
    return (
        a.column_names == b.column_names
        and a.num_rows == b.num_rows
        and all(_same_column(a[n], b[n]) for n in a.column_names)
    )


def _agreeing(tables: dict[str, pa.Table]) -> list[str]:
    """The largest set of cells whose tables are identical (the first such on ties)."""
    groups: list[list[str]] = []
    for cell, table in tables.items():
        group = next((g for g in groups if _same(tables[g[0]], table)), None)
        if group is None:
            groups.append([cell])
        else:
            group.append(cell)
    return max(groups, key=len) if groups else []


def setting_stem(key: str) -> str:
    """The file name stem of a data setting's shared files: readable, unique by a hash."""
    text = re.sub(r"[^A-Za-z0-9_.@=+-]+", "_", key.replace("/", "."))[:80]
    return f"{text}-{hashlib.blake2b(key.encode(), digest_size=4).hexdigest()}"


def _examples(table: pa.Table) -> pa.Table:
    """A cell's example columns, sorted by split and row (the shared file's order)."""
    cols = ["split", "row", *(c for c in EXAMPLE_COLUMNS if c in table.column_names)]
    return _order(table.select(cols), ["split", "row"]).replace_schema_metadata(None)


def _write_setting(key: str, members: list[tuple[CellFiles, str]], folder: Path) -> tuple[list[Path], dict[str, Any]]:
    """Write the cells of one data setting and its shared files into ``folder``.

    Returns the files written and the setting's manifest entry: the cells sharing its
    examples and its references, and those kept whole (they differ from the others).
    """
    preds: dict[str, pa.Table] = {}
    refs: dict[str, pa.Table] = {}
    for files, cell in members:
        table = files.predictions(cell)
        if table is None:
            raise DataError(
                f"{files.run_dir}: cell {cell} finished but has no predictions "
                "file; re-run that cell (`rsbench run` with the same --out)"
            )
        preds[cell] = _bundle_view(table)
        ref = files.references(cell)  # references, paired like models
        if ref is not None:
            refs[cell] = _order(_bundle_view(ref), ["split", "reference", "row"])
    shared = _agreeing({c: _examples(t) for c, t in preds.items()})
    common = _agreeing(refs)
    stem = folder / SETTINGS_DIR / setting_stem(key)
    written: list[Path] = []
    if shared:
        written.append(stem.with_name(stem.name + EXAMPLES_SUFFIX))
        _write(_examples(preds[shared[0]]), written[-1])
    if common:
        written.append(stem.with_name(stem.name + REFERENCES_SUFFIX))
        _write(refs[common[0]].replace_schema_metadata(None), written[-1])
    for cell, table in preds.items():
        if cell in shared:
            table = table.drop_columns([c for c in EXAMPLE_COLUMNS if c in table.column_names])
        written.append(folder / f"{cell}.parquet")
        _write(table, written[-1])
    for cell in refs.keys() - set(common):
        written.append(folder / f"{cell}{REFERENCES_SUFFIX}")
        _write(refs[cell], written[-1])
    entry: dict[str, Any] = {"setting": key, "examples": shared, "references": common}
    whole = {"examples": sorted(preds.keys() - set(shared)), "references": sorted(refs.keys() - set(common))}
    if any(whole.values()):
        entry["whole"] = whole
    return written, entry


def _remove_stale(folder: Path, written: Iterable[Path]) -> None:
    """Remove prediction files of cells and settings no longer published."""
    keep = set(written)
    for old in [*folder.glob("*.parquet"), *(folder / SETTINGS_DIR).glob("*.parquet")]:
        if old not in keep:
            old.unlink()


def _write_predictions(
    runs: Any, chosen: list[tuple[int, str, dict[str, Any]]], out: Path
) -> tuple[list[Path], dict[str, Any]]:
    """Every published cell's predictions, grouped by data setting; the files written
    and the manifest's ``settings`` index."""
    settings: dict[str, list[tuple[CellFiles, str]]] = {}
    for src, cell, row in chosen:
        key = setting_key(row["task"], row["shift"], row["severity"], row["seed"])
        settings.setdefault(key, []).append((runs.files(src), cell))
    written: list[Path] = []
    index: dict[str, Any] = {}
    for key, members in settings.items():
        files, index[setting_stem(key)] = _write_setting(key, members, out / "predictions")
        written += files
    _remove_stale(out / "predictions", written)
    return written, index


def write_bundle(runs: Any, to: str | Path) -> list[Path]:
    """Write ``to/bundle/`` from the runs a leaderboard was built from.

    Parameters
    ----------
    runs : regshift_bench.leaderboard.RunSet
        The merged runs (``Leaderboard.runs``); every finished cell it shows goes in.
        An input may itself be a bundle (re-publishing with new runs).
    to : path
        The published leaderboard folder.

    Returns
    -------
    list of Path
        The files written. Prediction files of cells and settings no longer published
        are removed.
    """
    out = Path(to) / BUNDLE_DIR
    chosen = _chosen(runs)
    written, index = _write_predictions(runs, chosen, out)
    by_src: dict[int, list[str]] = {}
    for src, cell, _ in chosen:
        by_src.setdefault(src, []).append(cell)
    for name, folder, schema in (("results", "cells", rs.RESULTS_SCHEMA), ("curves", "curves", rs.CURVES_SCHEMA)):
        parts = [_source_rows(runs, src, cells, name, folder, schema) for src, cells in sorted(by_src.items())]
        table = pa.concat_tables(parts) if parts else schema.empty_table()
        _write(table, out / f"{name}.parquet")
        written.append(out / f"{name}.parquet")
    for name, obj in (("manifest.json", _manifest(runs, chosen, index)), (DIGESTS_FILE, _digests(runs, chosen))):
        rs.write_json_atomic(obj, out / name)
        written.append(out / name)
    for path in written:
        path.chmod(0o644)
    return written


def bundle_notes(bundle: str | Path) -> list[str]:
    """One line per data setting whose cells could not all share its files.

    Parameters
    ----------
    bundle : path
        A bundle folder (``leaderboard/bundle``).

    Returns
    -------
    list of str
        E.g. ``sim/none@0/seed0: 1 cell(s) keep their own examples (they differ from
        the setting's)``; empty when every cell shares them.
    """
    section = rs.read_manifest(bundle).get("bundle") or {}
    lines = []
    for entry in (section.get("settings") or {}).values():
        whole = entry.get("whole") or {}
        parts = [f"{len(cells)} cell(s) keep their own {kind}" for kind, cells in sorted(whole.items()) if cells]
        if parts:
            lines.append(f"{entry['setting']}: {', '.join(parts)} (they differ from the setting's other cells)")
    return lines


def bundle_bytes(bundle: str | Path) -> int:
    """Total size in bytes of the files of a bundle folder."""
    return sum(p.stat().st_size for p in Path(bundle).rglob("*") if p.is_file())
