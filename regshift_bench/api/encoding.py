"""Vectorised DNA encoding: strings <-> uint8 codes, one-hot, reverse complement.

Codes are A=0 C=1 G=2 T=3 N=4. Variable-length inputs are right-padded with N.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from regshift_bench.errors import DataError

ALPHABET = "ACGTN"
N_CODE = 4
_INVALID = 255
# Byte -> code lookup; lower case is accepted, anything else is invalid.
_LUT = np.full(256, _INVALID, dtype=np.uint8)
for _code, _ch in enumerate(ALPHABET):
    _LUT[ord(_ch)] = _code
    _LUT[ord(_ch.lower())] = _code
_COMPLEMENT = np.array([3, 2, 1, 0, 4], dtype=np.uint8)
_DECODE = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)


def encode(seqs: Sequence[str], *, source: str = "input") -> tuple[np.ndarray, np.ndarray]:
    """Encode DNA strings as a padded code matrix.

    Parameters
    ----------
    seqs : sequence of str, length n
        DNA over ACGTN (either case).
    source : str
        Named in error messages (a file name, say).

    Returns
    -------
    codes : numpy.ndarray, uint8, shape (n, L)
        L is the longest sequence; shorter ones are padded with N (4).
    lengths : numpy.ndarray, int64, shape (n,)

    Raises
    ------
    DataError
        On an empty sequence or a character outside ACGTN, naming row and character.
    """
    seqs = list(seqs)
    n = len(seqs)
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=n)
    if n == 0:
        return np.zeros((0, 0), dtype=np.uint8), lengths
    if (lengths == 0).any():
        row = int(np.flatnonzero(lengths == 0)[0])
        raise DataError(f"{source}: row {row}: empty sequence; remove it or fill it in")
    width = int(lengths.max())
    try:
        joined = "".join(s.ljust(width, "N") for s in seqs).encode("ascii")
    except (UnicodeEncodeError, AttributeError) as exc:
        row = next(i for i, s in enumerate(seqs) if not isinstance(s, str) or not s.isascii())
        raise DataError(
            f"{source}: row {row}: sequence is not ASCII DNA ({str(seqs[row])[:20]!r}); expected only A, C, G, T, N"
        ) from exc
    codes = _LUT[np.frombuffer(joined, dtype=np.uint8)].reshape(n, width)
    bad = codes == _INVALID
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise DataError(
            f"{source}: row {row}: invalid character {seqs[row][col]!r} at position {col}; expected only A, C, G, T, N"
        )
    return codes, lengths


def decode(codes: np.ndarray, lengths: np.ndarray | None = None) -> list[str]:
    """Decode a code matrix (n, L) back to strings, trimming to ``lengths``."""
    chars = _DECODE[np.asarray(codes, dtype=np.uint8)]
    rows = [r.tobytes().decode("ascii") for r in chars]
    if lengths is not None:
        rows = [r[: int(k)] for r, k in zip(rows, lengths)]
    return rows


def validate_codes(codes: np.ndarray, *, source: str = "seqs") -> np.ndarray:
    """Check a code matrix is uint8 (n, L) with values 0-4; return it unchanged.

    Raises
    ------
    DataError
        When the dtype, rank or a value is wrong, naming the first bad row.
    """
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise DataError(f"{source}: expected a 2-D code array (n, L), got shape {codes.shape}")
    if not np.issubdtype(codes.dtype, np.integer):
        raise DataError(f"{source}: expected integer codes 0-4, got dtype {codes.dtype}")
    if codes.size and (codes.min() < 0 or codes.max() > N_CODE):
        row = int(np.argwhere((codes < 0) | (codes > N_CODE))[0][0])
        raise DataError(f"{source}: row {row}: code outside 0-4 (A=0 C=1 G=2 T=3 N=4); re-encode the sequences")
    codes = codes.astype(np.uint8, copy=False)
    return codes


def onehot(codes: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """One-hot encode codes (n, L) as (n, 4, L); N positions are all zero."""
    eye: np.ndarray = np.vstack([np.eye(4, dtype=dtype), np.zeros((1, 4), dtype=dtype)])
    return np.ascontiguousarray(eye[codes].transpose(0, 2, 1))


def revcomp(codes: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """Reverse-complement codes (n, L); padding stays at the right end."""
    rc = _COMPLEMENT[codes[:, ::-1]]
    if lengths is None or (lengths == codes.shape[1]).all():
        return np.ascontiguousarray(rc)
    # Padded rows: after reversal the padding is on the left; roll it back right.
    width = codes.shape[1]
    shift = (width - lengths).astype(np.int64)
    idx = (np.arange(width)[None, :] + shift[:, None]) % width
    return np.ascontiguousarray(np.take_along_axis(rc, idx, axis=1))


def gc_fraction(codes: np.ndarray) -> np.ndarray:
    """GC fraction of each row (n,) over non-N positions (0.0 for all-N rows)."""
    gc = ((codes == 1) | (codes == 2)).sum(axis=1)
    called = (codes < N_CODE).sum(axis=1)
    return np.where(called > 0, gc / np.maximum(called, 1), 0.0).astype(np.float64)
