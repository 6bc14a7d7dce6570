"""One cell's per-example predictions, read alike from a run directory or a reference bundle.

A run directory keeps every column of a cell in ``predictions/<cell>.parquet`` and
its references (oracles, ceilings) in ``predictions/<cell>.references.parquet``. A
bundle (format :data:`~regshift_bench.submission.layout.BUNDLE_FORMAT`,
:mod:`regshift_bench.submission.bundle`) keeps in the cell's file only what the model
predicted (``split, row, mean, var, epistemic``) and, once per data setting, the
example columns (``predictions/settings/<setting>.examples.parquet``) and the
references (``predictions/settings/<setting>.references.parquet``); its manifest's
``bundle.settings`` names the cells that share them. :class:`CellFiles` joins them
back by ``(split, row)``, so a reader gets the rows and values the cell's own file
held (the bundle's splits and columns; floats as float32).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from regshift_bench import results as rs
from regshift_bench.errors import DataError
from regshift_bench.submission.layout import (
    EXAMPLES_SUFFIX,
    REFERENCES_SUFFIX,
    SETTINGS_DIR,
    check_format,
)

#: Columns a bundle keeps once per setting and split instead of in every cell's file.
EXAMPLE_COLUMNS = ("example_id", "y", "y_true", "noise_var")
#: Shared files kept in memory (the bootstrap reads every model of a setting in turn).
_CACHED = 4


def setting_index(manifest: dict[str, Any], where: Path) -> dict[str, dict[str, str]]:
    """``{"examples": {cell: stem}, "references": {cell: stem}}`` of a bundle's manifest.

    Empty maps for a run directory (no ``bundle`` section); a bundle of another
    format is one clear error naming ``where``.
    """
    index: dict[str, dict[str, str]] = {"examples": {}, "references": {}}
    section = manifest.get("bundle")
    if section is None:
        return index
    check_format(section.get("format") if isinstance(section, dict) else None, where)
    for stem, entry in (section.get("settings") or {}).items():
        for kind, cells in index.items():
            cells.update(dict.fromkeys(entry.get(kind) or [], stem))
    return index


def _all_columns(own: Sequence[str]) -> list[str]:
    """A bundle cell's columns and the shared ones, in the order of a run's file."""
    names = [*own, *EXAMPLE_COLUMNS]
    order = {n: i for i, n in enumerate(rs.PREDICTIONS_SCHEMA.names)}
    return sorted(dict.fromkeys(names), key=lambda n: order.get(n, len(order)))


def _of_split(table: pa.Table, split: str | None) -> pa.Table:
    return table if split is None else table.filter(pc.equal(table["split"], split))


def _strings(col: pa.ChunkedArray) -> np.ndarray:
    """A (possibly dictionary-encoded) string column as a numpy array of str."""
    return np.asarray(pc.cast(col, pa.string()).to_numpy(zero_copy_only=False), dtype=str)


def _positions(shared_rows: np.ndarray, rows: np.ndarray, where: Path) -> np.ndarray:
    """Index into ``shared_rows`` (sorted, unique) of each of ``rows``."""
    pos = np.searchsorted(shared_rows, rows)
    pos = np.minimum(pos, max(len(shared_rows) - 1, 0))
    if len(rows) and (not len(shared_rows) or (shared_rows[pos] != rows).any()):
        raise DataError(
            f"{where}: a row of the cell is not in its setting's examples file; the bundle is damaged, re-publish it"
        )
    return pos


@dataclass
class CellFiles:
    """The predictions files of one run directory or bundle.

    Attributes
    ----------
    run_dir : Path
    index : dict
        :func:`setting_index` of its manifest.
    """

    run_dir: Path
    index: dict[str, dict[str, str]]
    _cache: dict[Path, pa.Table] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, run_dir: Path, manifest: dict[str, Any]) -> CellFiles:
        """The files of ``run_dir`` as its ``manifest`` describes them."""
        return cls(Path(run_dir), setting_index(manifest, Path(run_dir) / "manifest.json"))

    def path(self, cell: str) -> Path:
        """The cell's own predictions file."""
        return self.run_dir / "predictions" / f"{cell}.parquet"

    def _shared(self, stem: str, suffix: str) -> pa.Table:
        path = self.run_dir / "predictions" / SETTINGS_DIR / f"{stem}{suffix}"
        if path not in self._cache:
            if len(self._cache) >= _CACHED:
                self._cache.pop(next(iter(self._cache)))
            self._cache[path] = pq.ParquetFile(path).read(use_threads=False)
        return self._cache[path]

    def predictions(self, cell: str, columns: Sequence[str] | None = None, split: str | None = None) -> pa.Table | None:
        """The cell's rows (of ``split``, when given) with ``columns`` (default: all).

        Returns
        -------
        pyarrow.Table or None
            In the order of the cell's file, with its Parquet metadata (the split
            digests); None when the cell has no predictions file. A column the file
            lacks is an error only when asked for by name.
        """
        path = self.path(cell)
        if not path.exists():
            return None
        handle = pq.ParquetFile(path)
        stem = self.index["examples"].get(cell)
        own = handle.schema_arrow.names
        if stem is None or "y" in own:  # a run's file, or a cell kept whole in a bundle
            return _of_split(handle.read(columns=columns, use_threads=False), split)
        wanted = list(columns) if columns is not None else _all_columns(own)
        mine = [c for c in own if c in wanted or c in ("split", "row")]
        table = _of_split(handle.read(columns=mine, use_threads=False), split)
        shared = _of_split(self._shared(stem, EXAMPLES_SUFFIX), split)
        return self._joined(table, shared, wanted, path)

    def _joined(self, table: pa.Table, shared: pa.Table, wanted: list[str], where: Path) -> pa.Table:
        """``table`` plus the example columns of ``shared`` on its ``(split, row)``."""
        take = np.empty(table.num_rows, dtype=np.int64)
        splits = _strings(table["split"])
        shared_splits = _strings(shared["split"])
        rows, shared_rows = table["row"].to_numpy(), shared["row"].to_numpy()
        for name in np.unique(splits):  # the shared file is sorted by split, then row
            start = int(np.argmax(shared_splits == name))
            stop = start + int((shared_splits == name).sum())
            mask = splits == name
            take[mask] = start + _positions(shared_rows[start:stop], rows[mask], where)
        picked = shared.take(pa.array(take))
        cols = {n: table[n] for n in table.column_names}
        cols.update({n: picked[n] for n in EXAMPLE_COLUMNS if n in picked.column_names})
        missing = [c for c in wanted if c not in cols]
        if missing:
            raise KeyError(f"{where} has no column(s) {', '.join(missing)}")
        return pa.table({n: cols[n] for n in wanted}).replace_schema_metadata(table.schema.metadata)

    def references(self, cell: str, split: str | None = None, reference: str | None = None) -> pa.Table | None:
        """``split, row, reference, mean, var`` of the cell's references, or None.

        The cell's own ``<cell>.references.parquet`` when it has one, else its
        setting's shared file in a bundle; filtered by ``split`` and ``reference``.
        """
        path = self.run_dir / "predictions" / f"{cell}{REFERENCES_SUFFIX}"
        stem = self.index["references"].get(cell)
        if path.exists():
            table = pq.ParquetFile(path).read(use_threads=False)
        elif stem is not None:
            table = self._shared(stem, REFERENCES_SUFFIX)
        else:
            return None
        table = _of_split(table, split)
        if reference is not None:
            table = table.filter(pc.equal(table["reference"], reference))
        return table
