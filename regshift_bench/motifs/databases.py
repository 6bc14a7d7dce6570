"""Motif databases in the data directory, by short name, with TF-name lookup.

The files are those of ``$RSBENCH_DATA_DIR/motifs`` (see that folder's SOURCE.md).
JASPAR names its motifs by gene symbol (``HNF4A``, ``FOS::JUN``, mouse-cased
``Nanog``); HOCOMOCO v12 ids are ``<TF>.H12CORE.<subtype>.<evidence>.<quality>``
with UniProt-style TF names (``TYY1`` for YY1, ``GCR`` for NR3C1). :func:`load`
selects by TF name in both, so one panel of names works with either.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

from regshift_bench import paths
from regshift_bench.errors import DataError
from regshift_bench.motifs.core import Motif, MotifSet
from regshift_bench.motifs.meme import read_meme

#: short name -> file under the data directory
DATABASES: dict[str, str] = {
    "jaspar_vertebrates": "motifs/JASPAR2024_CORE_vertebrates_non-redundant.meme",
    "jaspar_fungi": "motifs/JASPAR2024_CORE_fungi_non-redundant.meme",
    "jaspar_insects": "motifs/JASPAR2024_CORE_insects_non-redundant.meme",
    "jaspar2022": "motifs/JASPAR2022_CORE_non-redundant_pfms.meme",
    "hocomoco": "motifs/HOCOMOCO_v12_H12CORE.meme.gz",
}


def database_path(database: str, root: str | Path | None = None) -> Path | None:
    """The file of ``database`` in ``root`` (default: the data directory), or None.

    Raises
    ------
    DataError
        For a name that is not in :data:`DATABASES`.
    """
    if database not in DATABASES:
        raise DataError(
            f"unknown motif database {database!r}; known: {', '.join(DATABASES)} (or give a MEME file as meme_path=)"
        )
    base = Path(root) if root is not None else paths.data_dir(required=False)
    if base is None:
        return None
    path = base / DATABASES[database]
    return path if path.is_file() else None


def tf_name(motif: Motif) -> str:
    """The TF a motif belongs to: HOCOMOCO's id prefix, otherwise the motif's name."""
    if ".H12CORE." in motif.id:
        return motif.id.split(".", 1)[0]
    return motif.name


@functools.lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> MotifSet:
    full = read_meme(path)
    # One motif per TF under its TF name: HOCOMOCO lists subtypes 0, 1, ... in order,
    # so the first is the main one; JASPAR non-redundant files have one per name anyway.
    seen: dict[str, Motif] = {}
    for m in full:
        seen.setdefault(tf_name(m).upper(), Motif(tf_name(m), m.id, m.pwm))
    return MotifSet(seen.values(), source=str(path), background=full.background)


def read_database(path: str | Path) -> MotifSet:
    """A MEME file as one motif per TF, named by TF (cached per file and mtime)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: motif file not found; check the path (or RSBENCH_DATA_DIR)")
    return _read(str(path), os.path.getmtime(path))


def load(
    database: str | Path, names: Iterable[str] | None = None, root: str | Path | None = None, missing: str = "raise"
) -> MotifSet:
    """Motifs of the named TFs from a database (short name or MEME path).

    Parameters
    ----------
    database : str or Path
        A key of :data:`DATABASES` or a MEME file path.
    names : iterable of str, optional
        TF names, matched case-insensitively (all motifs when None).
    root : str or Path, optional
        Data directory (default: the configured one).
    missing : {"raise", "skip"}
        What to do with a name the database does not have.

    Raises
    ------
    DataError
        When the database file is absent, or a name is unknown and ``missing="raise"``.
    """
    if str(database) in DATABASES:
        path = database_path(str(database), root)
        if path is None:
            raise DataError(
                f"motif database {database!r} not found: expected "
                f"$RSBENCH_DATA_DIR/{DATABASES[str(database)]}; set "
                "RSBENCH_DATA_DIR or pass --data-dir"
            )
    else:
        path = Path(database)
    full = read_database(path)
    if names is None:
        return full
    wanted = list(names)
    if missing == "skip":
        have = {n.upper() for n in full.names} | {i.upper() for i in full.ids}
        wanted = [n for n in wanted if n.upper() in have]
    return full.select(wanted) if wanted else MotifSet((), source=full.source)
