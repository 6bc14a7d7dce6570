"""The ``table`` task: a user's own MPRA table, described by a task file alone.

A task file such as::

    version = 1
    name = "my_mpra"
    kind = "table"
    path = "my_table.tsv.gz"
    sequence_column = "seq"
    activity_column = "activity"
    group_column = "element"
    trim = [15, 15]

becomes ``get_plugin("task", "table", path=<absolute>, sequence_column="seq", ...)``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench.api import SeqDataset, Task
from regshift_bench.errors import DataError
from rsbench_mpra import ceilings, references, table


class TableTask(Task):
    """A fixed task read from a TSV / CSV / Parquet table or a FASTA file plus a table.

    Parameters
    ----------
    path : str
        The table, or a FASTA file whose record ids match ``id_column`` of ``values_path``.
    sequence_column, activity_column : str
        Columns holding the DNA sequence and the measured activity (the label ``y``).
    group_column : str, optional
        Rows with equal values stay in one split (an element's orientations, tiles).
    trim : (int, int), optional
        Bases cut from the 5' and 3' ends (e.g. constant adapters).
    replicate_columns : list of str, optional
        Two or more replicate measurements of the activity; enable the replicate
        noise ceiling (``ceiling_pearson``) and an empirical ``noise_var`` (the
        variance of the replicate mean, ``var(reps) / k``) unless ``noise_var_column``
        is given.
    noise_var_column : str, optional
        Per-example measurement variance of the activity, stored as ``noise_var``.
    class_column : str, optional
        Element class (values such as ``enhancer_candidate`` / ``promoter``) used by
        the ``element_class`` shift; copied to ``meta["element_class"]``.
    domain_columns : mapping of str to str, optional
        Other domains (cell types): name -> activity column; rows with a missing
        value there are NaN in that domain (not measured) and are never used as
        that domain's test examples.
    source_domain : str
        Name of the domain measured in ``activity_column``.
    values_path : str, optional
        With a FASTA ``path``: the table holding the values, joined on ``id_column``;
        a relative path is taken relative to the FASTA file's folder.
    id_column : str, optional
        Row id column (copied to ``meta["id"]``); required with ``values_path``.
    sep : str, optional
        Separator override for text tables.
    organism : str, optional
        E.g. ``"human"`` or ``"yeast"``; stored in ``info["organism"]`` with
        ``info["cell_type"] = source_domain`` (unless left at ``"source"``), so the
        ``motif`` prior picks the matching database and TF panel.
    """

    kind = "fixed"
    reference_names = ("replicate_ceiling", references.SOURCE_LABEL)

    def __init__(
        self,
        path: str,
        sequence_column: str = "seq",
        activity_column: str = "activity",
        group_column: str | None = None,
        trim: Sequence[int] | None = None,
        replicate_columns: Sequence[str] | None = None,
        noise_var_column: str | None = None,
        class_column: str | None = None,
        domain_columns: Mapping[str, str] | None = None,
        source_domain: str = "source",
        values_path: str | None = None,
        id_column: str | None = None,
        sep: str | None = None,
        organism: str | None = None,
    ) -> None:
        self.path = path
        self.sequence_column = sequence_column
        self.activity_column = activity_column
        # The instance value shadows the Task.group_column class default on purpose.
        self.group_column = group_column  # type: ignore[misc]
        self.trim = trim
        self.replicate_columns = replicate_columns
        self.noise_var_column = noise_var_column
        self.class_column = class_column
        self.domain_columns = domain_columns
        self.source_domain = source_domain
        self.values_path = values_path
        self.id_column = id_column
        self.sep = sep
        self.organism = organism

    @property
    def domains(self) -> tuple[str, ...]:
        if not self.domain_columns:
            return ()
        return (self.source_domain, *self.domain_columns)

    def load(self, domain: str | None = None) -> SeqDataset:
        """The table as a :class:`SeqDataset`; ``domain`` picks another activity column.

        Raises
        ------
        DataError
            For a malformed table (file, row and problem named) or an unknown domain.
        """
        params = self._key()
        data, domain_y = _load_table(params, _mtime(self.path), _mtime(self.values_path))
        if domain is None or domain == self.source_domain:
            return data
        if domain not in domain_y:
            raise DataError(
                f"task {self.name or 'table'!r}: unknown domain {domain!r}; "
                f"known: {list(self.domains) or 'none (set domain_columns)'}"
            )
        meta = data.meta.assign(cell_type=domain)
        return data.with_values(y=domain_y[domain], noise_var=None, meta=meta)

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, float]:
        """Replicate noise ceiling on this split when replicate columns are given."""
        return ceilings.replicate_ceiling(data.meta)

    def reference_predictions(self, split: str, data: SeqDataset, splits: Any) -> dict[str, Any]:
        """Source-label reference on rows of another domain (``domain_columns``)."""
        return references.source_label(self, data)

    def _key(self) -> tuple:
        def freeze(v: Any) -> Any:
            if isinstance(v, Mapping):
                return tuple(sorted((str(k), str(x)) for k, x in v.items()))
            if isinstance(v, (list, tuple)):
                return tuple(v)
            return v

        return tuple((k, freeze(v)) for k, v in sorted(self.get_params().items()))


def _mtime(path: str | None) -> float:
    return os.path.getmtime(path) if path and os.path.exists(path) else 0.0


@functools.lru_cache(maxsize=16)
def _load_table(key: tuple, mtime: float, values_mtime: float) -> tuple[SeqDataset, dict[str, np.ndarray]]:
    """Parse and validate once per process; shifts call ``load`` repeatedly."""
    p = dict(key)
    path = Path(p["path"])
    frame, source = _read_frame(path, p)
    reps = list(p["replicate_columns"] or ())
    domains = dict(p["domain_columns"] or ())
    table.require_columns(
        frame,
        {
            "sequence_column": p["sequence_column"],
            "activity_column": p["activity_column"],
            "group_column": p["group_column"],
            "noise_var_column": p["noise_var_column"],
            "class_column": p["class_column"],
            "id_column": p["id_column"],
            **{f"replicate_columns[{i}]": c for i, c in enumerate(reps)},
            **{f"domain_columns[{k}]": c for k, c in domains.items()},
        },
        source,
    )
    seqs = table.clean_sequences(
        frame[p["sequence_column"]], source=source, column=p["sequence_column"], trim=p["trim"]
    )
    y = table.numeric_column(frame, p["activity_column"], source=source)
    meta = _row_meta(frame, p, source)
    noise_var = _noise_var(frame, p, reps, meta, source)
    keep = table.collapse_duplicates(seqs, y, source=source, column=p["activity_column"])
    domain_y = {
        name: table.numeric_column(frame, col, source=source, allow_missing=True)[keep] for name, col in domains.items()
    }
    meta = meta.iloc[keep].reset_index(drop=True)
    if p["domain_columns"]:
        meta["cell_type"] = p["source_domain"]
    data = SeqDataset.from_strings(
        [seqs[i] for i in keep],
        y[keep],
        source=source,
        noise_var=None if noise_var is None else noise_var[keep],
        meta=meta,
        info=_info(path, p),
    )
    return data.with_values(meta=data.meta.assign(gc=data.gc())), domain_y


def _read_frame(path: Path, p: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    """The raw table (a FASTA joined to its values table) and the file name messages use.

    Raises
    ------
    DataError
        For a table without data rows.
    """
    source = path.name
    if table.is_fasta(path):
        frame = _fasta_with_values(path, p)
        source = Path(str(p["values_path"])).name
    else:
        frame = table.read_table(path, sep=p["sep"])
    if len(frame) == 0:  # caught here, at plan time, not as a numpy error in every cell
        where = p["values_path"] if table.is_fasta(path) else path
        raise DataError(
            f"{where}: the table has no rows (a header only); add data rows or point path= at the right file"
        )
    return frame, source


def _row_meta(frame: pd.DataFrame, p: dict[str, Any], source: str) -> pd.DataFrame:
    """Per-row metadata of every table row (before duplicates collapse): id, group, class.

    Raises
    ------
    DataError
        Naming the first row without a group.
    """
    meta = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    if p["id_column"]:
        meta["id"] = frame[p["id_column"]].astype(str).to_numpy()
    if p["group_column"]:
        groups = frame[p["group_column"]]
        if groups.isna().any():
            row = int(np.flatnonzero(groups.isna().to_numpy())[0]) + 1
            raise DataError(
                f"{source}: row {row}: missing value in group column {p['group_column']!r}; give every row a group"
            )
        meta[p["group_column"]] = groups.astype(str).to_numpy()
    if p["class_column"]:
        meta["element_class"] = frame[p["class_column"]].fillna("unknown").astype(str).to_numpy()
    return meta


def _noise_var(
    frame: pd.DataFrame, p: dict[str, Any], reps: list[str], meta: pd.DataFrame, source: str
) -> np.ndarray | None:
    """Each row's measurement-noise variance, shape (n_rows,), or None when the table has none.

    From ``replicate_columns`` (whose values are also added to ``meta`` as ``rep1``,
    ``rep2``, ... for the replicate ceiling), overridden by ``noise_var_column``.

    Raises
    ------
    DataError
        For fewer than two replicate columns or a negative variance (row named).
    """
    noise_var = None
    if reps:
        if len(reps) < 2:
            raise DataError(f"{source}: replicate_columns needs at least two columns, got {reps}")
        rep_values = np.stack([table.numeric_column(frame, c, source=source) for c in reps], 1)
        for i in range(rep_values.shape[1]):
            meta[f"rep{i + 1}"] = rep_values[:, i]
        # The variance of the mean of k replicates; floored so the metric never divides by 0.
        noise_var = np.maximum(rep_values.var(axis=1, ddof=1) / len(reps), 1e-8)
    if p["noise_var_column"]:
        noise_var = table.numeric_column(frame, p["noise_var_column"], source=source)
        if (noise_var < 0).any():
            row = int(np.flatnonzero(noise_var < 0)[0]) + 1
            raise DataError(
                f"{source}: row {row}: negative value in noise_var_column "
                f"{p['noise_var_column']!r}; it must be a variance"
            )
    return noise_var


def _info(path: Path, p: dict[str, Any]) -> dict[str, Any]:
    """The dataset's ``info``: its file and, when given, organism and source cell type.

    The motif prior reads ``organism`` and ``cell_type`` to pick its database and TF panel.
    """
    info: dict[str, Any] = {"source": str(path)}
    if p["organism"]:
        info["organism"] = p["organism"]
    if p["source_domain"] != "source":
        info["cell_type"] = p["source_domain"]
    return info


def _fasta_with_values(path: Path, p: dict[str, Any]) -> pd.DataFrame:
    """Join FASTA records to ``values_path`` on ``id_column``; ids must match one to one."""
    if not p["values_path"] or not p["id_column"]:
        raise DataError(
            f"{path.name}: a FASTA path needs values_path= (the table with the "
            "activity) and id_column= (its column matching the FASTA ids)"
        )
    fasta = table.read_fasta(path)
    values_path = Path(p["values_path"])
    if not values_path.is_absolute():
        values_path = path.parent / values_path
    values = table.read_table(values_path, sep=p["sep"])
    vname = values_path.name
    table.require_columns(values, {"id_column": p["id_column"]}, vname)
    ids = values[p["id_column"]].astype(str)
    dup = ids.duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise DataError(f"{vname}: row {row}: id {ids.iloc[row - 1]!r} appears twice; ids must be unique")
    by_id = dict(zip(fasta["id"], fasta["seq"]))
    missing = ~ids.isin(by_id)
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0]) + 1
        raise DataError(f"{vname}: row {row}: id {ids.iloc[row - 1]!r} has no record in {path.name}")
    values = values.copy()
    values[p["sequence_column"]] = [by_id[i] for i in ids]
    return values
