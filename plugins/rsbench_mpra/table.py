"""Reading and validating user tables: TSV / CSV / Parquet (gzip allowed) or FASTA.

Every problem becomes a one-line :class:`~regshift_bench.errors.DataError` that
names the file, the row and what is wrong, so a malformed table never ends in a
traceback. Rows are numbered from 1 after the header (``row 3`` is the third data
row, line 4 of a text table).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from regshift_bench.errors import DataError

_TEXT_SEP = {".tsv": "\t", ".txt": "\t", ".tab": "\t", ".csv": ","}
_FASTA_EXT = (".fa", ".fasta", ".fna")
_BAD_CHAR = re.compile(r"[^ACGTN]")


def _suffix(path: Path) -> str:
    """The format suffix, ignoring a trailing ``.gz``."""
    name = path.name.lower()
    name = name[:-3] if name.endswith(".gz") else name
    return Path(name).suffix


def is_fasta(path: str | Path) -> bool:
    """Whether ``path`` names a FASTA file (``.fa``, ``.fasta``, ``.fna``, optionally gzipped)."""
    return _suffix(Path(path)) in _FASTA_EXT


def read_table(path: str | Path, *, sep: str | None = None) -> pd.DataFrame:
    """Read a TSV / CSV / Parquet table as strings (Parquet keeps its types).

    Parameters
    ----------
    path : str or Path
        ``.tsv``/``.txt``/``.tab`` (tab), ``.csv`` (comma) or ``.parquet``; ``.gz`` allowed.
    sep : str, optional
        Column separator overriding the one implied by the extension.

    Returns
    -------
    pandas.DataFrame
        One row per data row; text tables are read with every column as ``str``
        so that validation, not pandas, decides what a bad value is.

    Raises
    ------
    DataError
        When the file is missing, its format is unknown, or it cannot be parsed.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"{path}: no such file; check the path (relative paths in a task file are relative to the task file)"
        )
    suffix = _suffix(path)
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if sep is None and suffix not in _TEXT_SEP:
            raise DataError(
                f"{path.name}: unknown table format {suffix!r}; use .tsv, .csv, "
                ".txt or .parquet (optionally .gz), or pass sep="
            )
        return pd.read_csv(
            path, sep=sep or _TEXT_SEP[suffix], dtype=str, keep_default_na=False, na_values=[""], compression="infer"
        )
    except DataError:
        raise
    except Exception as exc:  # pandas raises many types; the user needs one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path.name}: cannot be read as a table: {first}") from exc


def read_fasta(path: str | Path) -> pd.DataFrame:
    """Read a FASTA file (optionally gzipped) into columns ``id`` and ``seq``.

    The id is the header's first word. Multi-line records are joined.

    Raises
    ------
    DataError
        On sequence lines before the first header, empty records or duplicated ids.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; check the path")
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    ids: list[str] = []
    seqs: list[list[str]] = []
    with opener(path, "rt") as handle:
        for line_no, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                name = line[1:].split()[0] if line[1:].split() else ""
                if not name:
                    raise DataError(f"{path.name}: line {line_no}: FASTA header without a name")
                ids.append(name)
                seqs.append([])
            elif not ids:
                raise DataError(
                    f"{path.name}: line {line_no}: sequence before the first '>' header; is this a FASTA file?"
                )
            else:
                seqs[-1].append(line)
    frame = pd.DataFrame({"id": ids, "seq": ["".join(s) for s in seqs]})
    dup = frame["id"].duplicated(keep=False)
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())[:2] + 1
        raise DataError(
            f"{path.name}: records {rows[0]} and {rows[1]} share the id "
            f"{frame['id'][rows[0] - 1]!r}; FASTA ids must be unique"
        )
    return frame


def require_columns(frame: pd.DataFrame, columns: dict[str, str | None], source: str) -> None:
    """Raise when a named column is absent; ``columns`` maps parameter -> column name."""
    present = list(frame.columns)
    for param, column in columns.items():
        if column is not None and column not in frame.columns:
            shown = ", ".join(map(str, present[:12])) + (", ..." if len(present) > 12 else "")
            raise DataError(
                f"{source}: no column {column!r} (for {param}); the table has: {shown}; set {param} to one of them"
            )


def clean_sequences(values: pd.Series, *, source: str, column: str, trim: Sequence[int] | None = None) -> list[str]:
    """Validate a sequence column and return upper-case, optionally trimmed strings.

    Parameters
    ----------
    values : pandas.Series, length n
    source, column : str
        Named in error messages.
    trim : (int, int), optional
        Bases cut from the 5' and 3' ends.

    Raises
    ------
    DataError
        Naming the first row with a missing or empty sequence, a character outside
        ACGTN, or a sequence too short for ``trim``.
    """
    missing = values.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0]) + 1
        raise DataError(f"{source}: row {row}: missing value in column {column!r}; fill it in or drop the row")
    seqs = [str(s).strip().upper() for s in values]
    for i, s in enumerate(seqs):
        if not s:
            raise DataError(f"{source}: row {i + 1}: empty sequence in column {column!r}; remove the row")
        bad = _BAD_CHAR.search(s)
        if bad:
            raise DataError(
                f"{source}: row {i + 1}: invalid character {bad.group()!r} at "
                f"position {bad.start()} in column {column!r}; expected only "
                "A, C, G, T, N"
            )
    if trim is not None:
        left, right = (int(t) for t in trim)
        if left < 0 or right < 0:
            raise DataError(f"{source}: trim={list(trim)} must be two non-negative integers")
        for i, s in enumerate(seqs):
            if len(s) <= left + right:
                raise DataError(
                    f"{source}: row {i + 1}: sequence of length {len(s)} is too short for trim={list(trim)}"
                )
        seqs = [s[left : len(s) - right] for s in seqs]
    return seqs


def numeric_column(frame: pd.DataFrame, column: str, *, source: str, allow_missing: bool = False) -> np.ndarray:
    """A column as float64 (n,), with one-line errors for missing or non-numeric values."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    missing = raw.isna().to_numpy()
    if missing.any() and not allow_missing:
        row = int(np.flatnonzero(missing)[0]) + 1
        raise DataError(f"{source}: row {row}: missing value in column {column!r}; fill it in or drop the row")
    bad = ~np.isfinite(values) & ~missing
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{source}: row {row + 1}: column {column!r} value {str(raw.iloc[row])[:30]!r} is not a finite number"
        )
    return values


def collapse_duplicates(seqs: list[str], y: np.ndarray, *, source: str, column: str) -> np.ndarray:
    """Rows to keep after dropping exact duplicates; conflicting duplicates raise.

    A sequence listed twice with the same activity is kept once (otherwise the copies
    could land in different splits and leak). Listed twice with different activity,
    the table is ambiguous and the error names both rows.

    Returns
    -------
    numpy.ndarray, int64
        Sorted indices of the rows kept (the first of each identical group).
    """
    frame = pd.DataFrame({"seq": seqs, "y": y})
    first = frame.groupby("seq", sort=False)["y"].transform("first").to_numpy()
    first_row = frame.groupby("seq", sort=False).cumcount().to_numpy()
    conflict = ~np.isclose(first, y, rtol=1e-6, atol=1e-9, equal_nan=True)
    if conflict.any():
        row = int(np.flatnonzero(conflict)[0])
        orig = int(np.flatnonzero(np.asarray(seqs, dtype=object) == seqs[row])[0])
        raise DataError(
            f"{source}: rows {orig + 1} and {row + 1} have the same sequence but different "
            f"{column!r} ({y[orig]:g} vs {y[row]:g}); merge them (e.g. average) or remove one"
        )
    return np.flatnonzero(first_row == 0)
