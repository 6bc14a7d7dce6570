"""Data containers: :class:`SeqDataset` (an immutable batch) and :class:`Splits`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench.api import encoding
from regshift_bench.errors import DataError


def _freeze(arr: np.ndarray | None) -> np.ndarray | None:
    if arr is not None:
        arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class SeqDataset:
    """An immutable batch of sequences with measured activity.

    Parameters
    ----------
    seqs : numpy.ndarray, uint8, shape (n, L)
        Codes A=0 C=1 G=2 T=3 N=4; variable-length data is right-padded with N.
    y : numpy.ndarray, float32, shape (n,)
        Measured activity.
    y_true : numpy.ndarray, float32, shape (n,), optional
        Noise-free activity (simulation only).
    noise_var : numpy.ndarray, float32, shape (n,), optional
        True (simulation) or empirical (replicates) per-example noise variance.
    meta : pandas.DataFrame, n rows, optional
        Per-example annotations (ids, gc, cell_type, batch, sites, ...).
    lengths : numpy.ndarray, int64, shape (n,), optional
        True lengths when padded; ``None`` means every row has length L.
    info : mapping, optional
        Dataset-level facts shared by all rows, e.g. ``{"motifs": MotifSet}`` so a
        prior can use the task's motif set, or ``{"cell_type": "HepG2"}``.

    Raises
    ------
    DataError
        When codes are outside 0-4, or an array's length differs from n.
    """

    seqs: np.ndarray
    y: np.ndarray
    y_true: np.ndarray | None = None
    noise_var: np.ndarray | None = None
    meta: pd.DataFrame = field(default_factory=pd.DataFrame)
    lengths: np.ndarray | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seqs = encoding.validate_codes(self.seqs, source="SeqDataset.seqs")
        n = seqs.shape[0]
        set_ = object.__setattr__
        set_(self, "seqs", _freeze(np.ascontiguousarray(seqs)))
        for name in ("y", "y_true", "noise_var"):
            value = getattr(self, name)
            if value is None:
                continue
            value = np.ascontiguousarray(np.asarray(value, dtype=np.float32).reshape(-1))
            if value.shape[0] != n:
                raise DataError(f"SeqDataset.{name}: length {value.shape[0]} != {n} sequences")
            set_(self, name, _freeze(value))
        meta = self.meta if self.meta is not None else pd.DataFrame()
        if len(meta.columns) == 0 and len(meta) == 0:
            meta = pd.DataFrame(index=pd.RangeIndex(n))
        if len(meta) != n:
            raise DataError(f"SeqDataset.meta: {len(meta)} rows != {n} sequences")
        set_(self, "meta", meta.reset_index(drop=True))
        if self.lengths is not None:
            lengths = np.asarray(self.lengths, dtype=np.int64).reshape(-1)
            if lengths.shape[0] != n:
                raise DataError(f"SeqDataset.lengths: length {lengths.shape[0]} != {n}")
            set_(self, "lengths", _freeze(lengths))
        set_(self, "info", dict(self.info))

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_strings(
        cls,
        seqs: Sequence[str],
        y: Sequence[float] | np.ndarray,
        *,
        source: str = "input",
        **kwargs: Any,
    ) -> SeqDataset:
        """Build from DNA strings, refusing characters other than ACGTN.

        Parameters
        ----------
        seqs : sequence of str, length n
        y : array-like, shape (n,)
        source : str
            Named in error messages (row and offending character are reported).
        **kwargs
            Other fields (``meta``, ``y_true``, ``noise_var``, ``info``).
        """
        codes, lengths = encoding.encode(seqs, source=source)
        uniform = lengths.size == 0 or (lengths == lengths.max()).all()
        return cls(codes, np.asarray(y), lengths=None if uniform else lengths, **kwargs)

    @classmethod
    def concat(cls, parts: Sequence[SeqDataset]) -> SeqDataset:
        """Stack datasets row-wise, padding to the longest L with N."""
        if not parts:
            raise DataError("SeqDataset.concat: nothing to concatenate")
        width = max(p.seq_len for p in parts)
        seqs = np.concatenate([np.pad(p.seqs, ((0, 0), (0, width - p.seq_len)), constant_values=4) for p in parts])
        padded = any(p.lengths is not None for p in parts) or len({p.seq_len for p in parts}) > 1
        lengths = np.concatenate([p.lengths_or_full() for p in parts]) if padded else None

        def opt(name: str) -> np.ndarray | None:
            vals = [getattr(p, name) for p in parts]
            return None if any(v is None for v in vals) else np.concatenate(vals)

        meta = pd.concat([p.meta for p in parts], ignore_index=True)
        return cls(
            seqs, np.concatenate([p.y for p in parts]), opt("y_true"), opt("noise_var"), meta, lengths, parts[0].info
        )

    # -- views ------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.seqs.shape[0])

    @property
    def seq_len(self) -> int:
        """Padded length L."""
        return int(self.seqs.shape[1])

    def lengths_or_full(self) -> np.ndarray:
        """Lengths (n,), filling in L when the data is not padded."""
        if self.lengths is not None:
            return self.lengths
        return np.full(len(self), self.seq_len, dtype=np.int64)

    def onehot(self, dtype: type = np.float32) -> np.ndarray:
        """One-hot array (n, 4, L); N and padding are all-zero columns."""
        return encoding.onehot(self.seqs, dtype)

    def gc(self) -> np.ndarray:
        """GC fraction per sequence (n,) over called (non-N) bases."""
        return encoding.gc_fraction(self.seqs)

    def strings(self) -> list[str]:
        """The sequences as strings (padding removed)."""
        return encoding.decode(self.seqs, self.lengths)

    def subset(self, idx: np.ndarray | Sequence[int] | slice) -> SeqDataset:
        """Rows ``idx`` (integer indices, boolean mask or slice) as a new dataset."""
        if isinstance(idx, slice):
            idx = np.arange(len(self))[idx]
        idx = np.asarray(idx)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)

        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return SeqDataset(
            self.seqs[idx],
            self.y[idx],
            take(self.y_true),
            take(self.noise_var),
            self.meta.iloc[idx],
            take(self.lengths),
            self.info,
        )

    def revcomp(self) -> SeqDataset:
        """The reverse complement of every sequence; labels unchanged."""
        return replace(self, seqs=encoding.revcomp(self.seqs, self.lengths))

    def with_values(self, **fields: Any) -> SeqDataset:
        """A copy with some fields replaced (``y=...``, ``meta=...``)."""
        return replace(self, **fields)

    def fingerprint(self) -> str:
        """A content hash of sequences and labels, used in cache keys."""
        h = hashlib.blake2b(digest_size=16)
        h.update(np.asarray(self.seqs.shape, dtype=np.int64).tobytes())
        h.update(self.seqs.tobytes())
        h.update(self.y.tobytes())
        if self.lengths is not None:
            h.update(self.lengths.tobytes())
        return h.hexdigest()

    def input_fingerprint(self) -> str:
        """A content hash of what a model predicts from: sequences, lengths and the
        scalar entries of ``info`` (e.g. the cell type).

        Labels and ``meta`` are left out (``meta`` carries measurement columns), so two
        splits holding the same sequences with different labels (a shift that moves
        only the labels) share it, and a model's prediction of one is its prediction
        of the other (:meth:`regshift_bench.api.Model.predict`).
        """
        h = hashlib.blake2b(digest_size=16)
        h.update(np.asarray(self.seqs.shape, dtype=np.int64).tobytes())
        h.update(self.seqs.tobytes())
        if self.lengths is not None:
            h.update(self.lengths.tobytes())
        scalars = sorted((k, v) for k, v in self.info.items() if isinstance(v, (str, int, float)))
        h.update(repr(scalars).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Splits:
    """The data one shift hands to one model.

    Parameters
    ----------
    train, val, test_id : SeqDataset
        Training, validation (early stopping) and in-distribution test data.
    test_ood : SeqDataset or mapping of str to SeqDataset
        The shifted test set, or several named ones (``{"low_gc": ..., "high_gc": ...}``),
        reported as split ``test_ood/<name>``.
    changes_train : bool
        Whether this shift changed the training data relative to the source domain.
    description : str
        One line saying what differs between train and ``test_ood``.
    """

    train: SeqDataset
    val: SeqDataset
    test_id: SeqDataset
    test_ood: SeqDataset | Mapping[str, SeqDataset]
    changes_train: bool = False
    description: str = ""

    def evaluation_sets(self) -> dict[str, SeqDataset]:
        """Every split that is scored, keyed by its results-table name."""
        sets = {"val": self.val, "test_id": self.test_id}
        if isinstance(self.test_ood, SeqDataset):
            sets["test_ood"] = self.test_ood
        else:
            sets.update({f"test_ood/{k}": v for k, v in self.test_ood.items()})
        return sets


@dataclass(frozen=True)
class SplitSizes:
    """How many examples each split should hold.

    For generative tasks these are the numbers drawn; for fixed tasks they cap a
    random subsample of each split (``None`` keeps every example).
    """

    train: int | None = None
    val: int | None = None
    test: int | None = None
