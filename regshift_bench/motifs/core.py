"""Motif and MotifSet: position probability matrices and named collections of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from regshift_bench.errors import DataError
from regshift_bench.names import did_you_mean

_IUPAC = {
    "A": "A",
    "C": "C",
    "G": "G",
    "T": "T",
    "R": "AG",
    "Y": "CT",
    "S": "CG",
    "W": "AT",
    "K": "GT",
    "M": "AC",
    "B": "CGT",
    "D": "AGT",
    "H": "ACT",
    "V": "ACG",
    "N": "ACGT",
}
_UNIFORM = (0.25, 0.25, 0.25, 0.25)


@dataclass(frozen=True, eq=False)
class Motif:
    """One transcription-factor motif as a position probability matrix.

    Parameters
    ----------
    name : str
        TF name (``"CTCF"``); used to select motifs and in ``meta`` site records.
    id : str
        Collection identifier (``"MA0139.2"``, ``"builtin/CTCF"``).
    pwm : numpy.ndarray, float64, shape (w, 4)
        Probabilities of A, C, G, T per position; rows are renormalised to sum to 1.
    """

    name: str
    id: str
    pwm: np.ndarray

    def __post_init__(self) -> None:
        pwm = np.array(self.pwm, dtype=np.float64)
        if pwm.ndim != 2 or pwm.shape[1] != 4 or pwm.shape[0] == 0:
            raise DataError(f"motif {self.name!r}: PWM must have shape (w, 4), got {pwm.shape}")
        if (pwm < 0).any() or not np.isfinite(pwm).all():
            raise DataError(f"motif {self.name!r}: PWM has negative or non-finite entries")
        sums = pwm.sum(axis=1, keepdims=True)
        if (sums <= 0).any():
            raise DataError(f"motif {self.name!r}: a PWM row sums to 0; every row needs mass")
        pwm = pwm / sums
        pwm.setflags(write=False)
        object.__setattr__(self, "pwm", pwm)

    @property
    def width(self) -> int:
        """Number of positions w."""
        return int(self.pwm.shape[0])

    @property
    def consensus(self) -> str:
        """The most probable base at each position."""
        return "".join("ACGT"[i] for i in self.pwm.argmax(axis=1))

    def log_odds(self, background: Sequence[float] = _UNIFORM, pseudocount: float = 0.01) -> np.ndarray:
        """Log-odds matrix (w, 4) in nats, ``log(p' / background)``.

        ``p' = (1 - pseudocount) * p + pseudocount * background`` keeps zero
        probabilities (common in JASPAR counts) finite.
        """
        bg = _check_background(background)
        p = (1.0 - pseudocount) * self.pwm + pseudocount * bg[None, :]
        return np.log(p / bg[None, :])

    def max_score(self, background: Sequence[float] = _UNIFORM, pseudocount: float = 0.01) -> float:
        """Log-odds score of the best possible site (the consensus)."""
        return float(self.log_odds(background, pseudocount).max(axis=1).sum())

    def reverse_complement(self) -> Motif:
        """The motif read on the other strand (positions reversed, A<->T, C<->G)."""
        return Motif(self.name, self.id, self.pwm[::-1, ::-1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Motif):
            return NotImplemented
        return (self.name, self.id) == (other.name, other.id) and np.array_equal(self.pwm, other.pwm)

    def __hash__(self) -> int:
        return hash((self.name, self.id, self.pwm.tobytes()))

    def __repr__(self) -> str:
        return f"Motif(name={self.name!r}, id={self.id!r}, width={self.width}, consensus={self.consensus!r})"


class MotifSet(Sequence[Motif]):
    """An immutable, ordered collection of motifs.

    Parameters
    ----------
    motifs : iterable of Motif
    source : str
        Where the motifs came from (a file path, ``"builtin"``); named in errors.
    background : 4 floats, optional
        A, C, G, T background frequencies the collection declares (MEME header).
    """

    def __init__(self, motifs: Iterable[Motif], source: str = "", background: Sequence[float] | None = None) -> None:
        self._motifs = tuple(motifs)
        self.source = source
        self.background = None if background is None else tuple(float(b) for b in background)
        for m in self._motifs:
            if not isinstance(m, Motif):
                raise DataError(f"MotifSet({source!r}): expected Motif objects, got {type(m).__name__}")

    @property
    def names(self) -> tuple[str, ...]:
        """Motif names in order."""
        return tuple(m.name for m in self._motifs)

    @property
    def ids(self) -> tuple[str, ...]:
        """Motif identifiers in order."""
        return tuple(m.id for m in self._motifs)

    @property
    def max_width(self) -> int:
        """Width of the widest motif (0 for an empty set)."""
        return max((m.width for m in self._motifs), default=0)

    def __len__(self) -> int:
        return len(self._motifs)

    @overload
    def __getitem__(self, i: int) -> Motif: ...
    @overload
    def __getitem__(self, i: slice) -> MotifSet: ...
    def __getitem__(self, i: int | slice) -> Motif | MotifSet:
        if isinstance(i, slice):
            return MotifSet(self._motifs[i], self.source, self.background)
        return self._motifs[i]

    def __iter__(self) -> Iterator[Motif]:
        return iter(self._motifs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MotifSet) and self._motifs == other._motifs

    def __hash__(self) -> int:
        return hash(self._motifs)

    def __repr__(self) -> str:
        shown = ", ".join(self.names[:6]) + (", ..." if len(self) > 6 else "")
        return f"MotifSet({len(self)} motifs from {self.source or 'memory'}: {shown})"

    def select(self, names_or_ids: Iterable[str]) -> MotifSet:
        """The motifs with the given names or ids, in the order asked.

        Matching tries, in turn: exact id, exact name, case-insensitive name or id,
        and an id without its version suffix (``"MA0139"`` for ``"MA0139.2"``).
        The first motif in file order wins when a name repeats.

        Raises
        ------
        DataError
            For a name that matches nothing, with close matches.
        """
        if isinstance(names_or_ids, str):
            names_or_ids = [names_or_ids]
        lookup: dict[str, Motif] = {}
        for key_fn in (
            lambda m: m.id,
            lambda m: m.name,
            lambda m: m.id.lower(),
            lambda m: m.name.lower(),
            lambda m: m.id.rsplit(".", 1)[0].lower(),
        ):
            for m in self._motifs:
                lookup.setdefault(key_fn(m), m)
        chosen = []
        for key in names_or_ids:
            found = lookup.get(key) or lookup.get(key.lower())
            if found is None:
                hint = did_you_mean(key, [*self.names, *self.ids], cutoff=0.6)
                raise DataError(
                    f"motif {key!r} not found in {self.source or 'the motif set'} ({len(self)} motifs){hint}"
                )
            chosen.append(found)
        return MotifSet(chosen, self.source, self.background)

    def log_odds_stack(
        self, background: Sequence[float] = _UNIFORM, pseudocount: float = 0.01
    ) -> tuple[np.ndarray, np.ndarray]:
        """Left-aligned log-odds of every motif, zero-padded to the widest one.

        Returns
        -------
        weights : numpy.ndarray, float32, shape (m, 4, max_width)
        widths : numpy.ndarray, int64, shape (m,)
        """
        w = np.zeros((len(self), 4, self.max_width), dtype=np.float32)
        for j, m in enumerate(self._motifs):
            w[j, :, : m.width] = m.log_odds(background, pseudocount).T
        return w, np.array([m.width for m in self._motifs], dtype=np.int64)


def _check_background(background: Sequence[float] | None) -> np.ndarray:
    bg = np.asarray(_UNIFORM if background is None else background, dtype=np.float64)
    if bg.shape != (4,) or (bg <= 0).any() or abs(bg.sum() - 1.0) > 1e-3:
        raise DataError(f"background must be 4 positive frequencies (A, C, G, T) summing to 1, got {bg}")
    return bg / bg.sum()


def from_iupac(name: str, consensus: str, specificity: float = 0.85, id: str | None = None) -> Motif:
    """A PWM from an IUPAC consensus site.

    At a position allowing k bases, each allowed base gets ``specificity / k`` and
    each other base ``(1 - specificity) / (4 - k)``; ``N`` is uniform. So
    ``specificity`` is the probability that a sampled site matches the consensus
    at each position (0.85 gives sites with ~1-2 mismatches per 10 bp, like
    real binding sites).

    Raises
    ------
    DataError
        For a character that is not an IUPAC code or a specificity outside (0.25, 1].
    """
    if not 0.25 < specificity <= 1.0:
        raise DataError(f"from_iupac({name!r}): specificity must be in (0.25, 1], got {specificity}")
    rows = []
    for pos, ch in enumerate(consensus.upper()):
        allowed = _IUPAC.get(ch)
        if allowed is None:
            raise DataError(f"from_iupac({name!r}): {ch!r} at position {pos} is not an IUPAC code")
        k = len(allowed)
        row = np.full(4, 0.25 if k == 4 else (1.0 - specificity) / (4 - k))
        if k < 4:
            row[["ACGT".index(b) for b in allowed]] = specificity / k
        rows.append(row)
    if not rows:
        raise DataError(f"from_iupac({name!r}): empty consensus")
    return Motif(name, id or f"builtin/{name}", np.array(rows))
