"""A reader for MEME-format motif files (JASPAR, HOCOMOCO)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from regshift_bench.errors import DataError
from regshift_bench.motifs.core import Motif, MotifSet


def _open_text(path: Path) -> Iterator[str]:
    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            yield from fh
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as MEME text ({exc}); is it a MEME motif file?") from exc


def _kv(line: str) -> dict[str, str]:
    # "letter-probability matrix: alength= 4 w= 6 nsites= 20 E= 0" -> {"alength": "4", ...}
    toks = line.split(":", 1)[1].replace("=", "= ").split()
    return {toks[i].rstrip("="): toks[i + 1] for i in range(len(toks) - 1) if toks[i].endswith("=")}


def read_meme(path: str | Path, names: Iterable[str] | None = None) -> MotifSet:
    """Read a MEME-format motif file (plain or gzipped), e.g. JASPAR or HOCOMOCO.

    Parameters
    ----------
    path : str or Path
    names : iterable of str, optional
        Keep only these motifs (names or ids, see :meth:`MotifSet.select`), in this order.

    Returns
    -------
    MotifSet
        Motif ``id`` is MEME's identifier, ``name`` its alternate name (the id when absent).

    Raises
    ------
    DataError
        For a missing file, a file that is not MEME, a non-ACGT alphabet, or a
        malformed matrix, naming the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: motif file not found; check the path (or RSBENCH_DATA_DIR)")
    lines = list(_open_text(path))
    if not any(ln.startswith("MEME version") for ln in lines[:50]):
        raise DataError(f"{path}: line 1: no 'MEME version' header; expected a MEME motif file")
    motifs: list[Motif] = []
    background: tuple[float, ...] | None = None
    current: tuple[str, str, int] | None = None  # (id, name, line no of MOTIF)
    i = 0
    while i < len(lines):
        line, lineno = lines[i].strip(), i + 1
        i += 1
        if line.startswith("ALPHABET"):
            alphabet = line.split("=", 1)[-1].strip()
            if alphabet.split()[0] != "ACGT":
                raise DataError(f"{path}: line {lineno}: alphabet {alphabet!r} is not ACGT (DNA)")
        elif line.startswith("Background letter frequencies"):
            background, i = _background(path, lines, i)
        elif line.startswith("MOTIF"):
            parts = line.split()
            if len(parts) < 2:
                raise DataError(f"{path}: line {lineno}: MOTIF line without an identifier")
            current = (parts[1], parts[2] if len(parts) > 2 else parts[1], lineno)
        elif line.startswith("letter-probability matrix"):
            if current is None:
                raise DataError(f"{path}: line {lineno}: matrix before any MOTIF line")
            rows, i = _matrix(path, lines, i, lineno, _width(path, lineno, line), current[0])
            motifs.append(Motif(current[1], current[0], np.array(rows)))
            current = None
    if not motifs:
        raise DataError(f"{path}: no motifs found (no 'letter-probability matrix' blocks)")
    mset = MotifSet(motifs, source=str(path), background=background)
    return mset.select(names) if names is not None else mset


def _background(path: Path, lines: list[str], i: int) -> tuple[tuple[float, ...], int]:
    """The A C G T frequencies on the first non-blank line from ``i``; the next index."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    toks = lines[i].split() if i < len(lines) else []
    freqs = dict(zip(toks[::2], toks[1::2]))
    try:
        return tuple(float(freqs[b]) for b in "ACGT"), i + 1
    except (KeyError, ValueError):
        raise DataError(
            f"{path}: line {i + 1}: background line {' '.join(toks)[:40]!r} is not 'A p C p G p T p'"
        ) from None


def _width(path: Path, lineno: int, header: str) -> int | None:
    """The ``w=`` of a ``letter-probability matrix`` header (None when absent)."""
    info = _kv(header)
    if info.get("alength", "4") != "4":
        raise DataError(f"{path}: line {lineno}: alength={info['alength']}, expected 4 (ACGT)")
    try:
        return int(info["w"]) if "w" in info else None
    except ValueError:
        raise DataError(f"{path}: line {lineno}: w={info['w']!r} is not an integer") from None


def _matrix(
    path: Path, lines: list[str], i: int, lineno: int, width: int | None, motif: str
) -> tuple[list[list[float]], int]:
    """The probability rows from line index ``i`` (``width`` of them, or up to a blank or
    non-numeric line when the header gives none); the index after them."""
    rows: list[list[float]] = []
    while i < len(lines) and (width is None or len(rows) < width):
        row_line = lines[i].strip()
        if not row_line:
            if width is None and rows:
                break
            i += 1
            continue
        try:
            row = [float(v) for v in row_line.split()]
        except ValueError:
            if width is None and rows:
                break
            raise DataError(
                f"{path}: line {i + 1}: motif {motif}: expected {width} rows of 4 probabilities, got {row_line[:40]!r}"
            ) from None
        if len(row) != 4:
            raise DataError(f"{path}: line {i + 1}: motif {motif}: {len(row)} values, expected 4")
        if abs(sum(row) - 1.0) > 0.02:
            raise DataError(
                f"{path}: line {i + 1}: motif {motif}: row sums to {sum(row):.3f}, "
                "expected 1 (probabilities, not counts)"
            )
        rows.append(row)
        i += 1
    if not rows or (width is not None and len(rows) < width):
        raise DataError(f"{path}: line {lineno}: motif {motif}: matrix has {len(rows)} rows, header says w={width}")
    return rows, i
