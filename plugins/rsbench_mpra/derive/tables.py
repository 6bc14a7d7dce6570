"""Byte-stable writers and small sequence helpers shared by the derivations."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import TYPE_CHECKING

from regshift_bench.api.datafiles import DataFile
from regshift_bench.datasets import GITHUB_RAW
from regshift_bench.errors import DataError

if TYPE_CHECKING:  # for annotations; imported where used, so the dataset catalogue loads light
    import pandas as pd

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def original(path: str, sha256: str, size: int) -> DataFile:
    """A public original on GitHub's raw host: ``path`` is ``owner/repo/commit/file``."""
    return DataFile(path, sha256, size, GITHUB_RAW + path)


def write_gz(data: bytes, path: Path) -> None:
    """gzip ``data`` at level 9 with a zero timestamp and no file name (stable bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(data)
    path.write_bytes(buffer.getvalue())


def write_tsv_gz(frame: pd.DataFrame, path: Path) -> None:
    """A table as gzipped TSV: header, no index, ``\\n`` line ends, floats as repr."""
    text = frame.to_csv(sep="\t", index=False, lineterminator="\n")
    write_gz(text.encode(), path)


def write_text(text: str, path: Path) -> None:
    """Plain text, UTF-8, exactly as given (no newline translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())


def reverse_complement(seq: str) -> str:
    """Reverse complement of an ACGTN string."""
    return seq.translate(_COMPLEMENT)[::-1]


def gc_fraction(seq: str) -> float:
    """Fraction of G and C in ``seq`` (an exact division, the same on every CPU)."""
    return (seq.count("G") + seq.count("C")) / len(seq)


def require(ok: bool, what: str) -> None:
    """A check on the originals: raise one line when it fails."""
    if not ok:
        raise DataError(f"derivation check failed: {what}; the downloaded originals are not the pinned ones")
