"""Variant tables: parsing, validation, and the ref / alt windows a model scores.

Every variant, whatever the table gave, is normalised to one edit of its element's
reference sequence ``R``: at 0-based position ``p`` the ``k`` reference bases
``R[p:p+k]`` are replaced by the alt string ``a`` (``a == ""`` is a deletion,
``k == 0`` an insertion before ``p``). Two table layouts are accepted:

* full sequences (``ref_column`` + ``alt_column``): the edit is what lies between
  the longest common prefix and suffix of ref and alt;
* positions (``ref_column`` + ``position_column`` + ``alt_allele_column``, optional
  ``ref_allele_column``): the edit is given; ``-`` or an empty alt allele is a
  deletion, and without a ref allele column one base (``k = 1``) is replaced.

Every problem is one :class:`~regshift_bench.errors.DataError` naming the table and
the row (numbered from 1 after the header).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regshift_bench.errors import DataError

_BAD = re.compile(r"[^ACGTN]")
#: An allele written as one of these is empty (deletion alt / insertion ref).
EMPTY_ALLELES = frozenset({"", "-", "."})


@dataclass(frozen=True)
class Variants:
    """Validated variants of one table, each an edit of its element's reference.

    Attributes
    ----------
    frame : pandas.DataFrame, one row per variant
        ``element`` (str), ``pos`` (int, 0-based), ``ref_len`` (int, k), ``ref_allele``
        and ``alt_allele`` (str, ``""`` when empty), ``effect`` (float, measured),
        ``pvalue`` (float, NaN when the table has none), ``variant_id`` (str, unique),
        ``row`` (int, 1-based row of the source table).
    references : dict of str to str
        Element -> reference sequence.
    source : str
        The table's name, used in messages.
    """

    frame: pd.DataFrame
    references: dict[str, str]
    source: str

    def elements(self) -> list[str]:
        """Element names in order of first appearance."""
        return list(dict.fromkeys(self.frame["element"]))


def _allele(value: object, *, source: str, row: int, column: str) -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = text.strip().upper()
    if text in EMPTY_ALLELES:
        return ""
    bad = _BAD.search(text)
    if bad:
        raise DataError(
            f"{source}: row {row}: allele {text[:20]!r} in column {column!r} has "
            f"invalid character {bad.group()!r}; expected A, C, G, T, N or - "
            "(deletion)"
        )
    return text


def one_reference_per_element(
    elements: np.ndarray, refs: list[str], rows: np.ndarray, source: str, column: str
) -> dict[str, str]:
    """Element -> reference; an element whose rows disagree on it is an error."""
    out: dict[str, str] = {}
    first: dict[str, int] = {}
    for element, ref, row in zip(elements, refs, rows):
        if element not in out:
            out[element], first[element] = ref, int(row)
        elif out[element] != ref:
            raise DataError(
                f"{source}: row {row}: element {element!r} has a different "
                f"reference sequence in column {column!r} than row "
                f"{first[element]}; every variant of an element (group) must "
                "share its reference sequence"
            )
    return out


def element_names(frame: pd.DataFrame, group_column: str | None, refs: list[str], source: str) -> np.ndarray:
    """The group column, or an element per distinct reference sequence."""
    if group_column:
        groups = frame[group_column]
        if groups.isna().any():
            row = int(np.flatnonzero(groups.isna().to_numpy())[0]) + 1
            raise DataError(
                f"{source}: row {row}: missing value in group column {group_column!r}; give every variant its element"
            )
        return groups.astype(str).to_numpy()
    codes = pd.factorize(pd.Series(refs))[0]
    return np.asarray([f"element_{c + 1}" for c in codes], dtype=object)


def from_positions(
    elements: np.ndarray,
    references: dict[str, str],
    positions: np.ndarray,
    ref_alleles: Sequence[object] | None,
    alt_alleles: Sequence[object],
    effect: np.ndarray,
    pvalue: np.ndarray | None,
    ids: Sequence[str] | None,
    *,
    source: str,
    position_column: str = "position",
    ref_allele_column: str = "ref_allele",
    alt_allele_column: str = "alt_allele",
    one_based: bool = False,
) -> Variants:
    """Validate position-style variants against their element references.

    Parameters
    ----------
    elements : numpy.ndarray of str, shape (n,)
    references : dict of str to str
        Element -> reference sequence (upper-case ACGTN).
    positions : numpy.ndarray, shape (n,)
        Position of the first reference base of each variant (0-based unless
        ``one_based``); an insertion goes before it.
    ref_alleles : list, length n, optional
        The reference bases replaced; checked against the reference. ``None``
        replaces one base (SNVs and single-base deletions).
    alt_alleles : list, length n
        The bases put in; ``-`` / empty is a deletion.
    effect, pvalue : numpy.ndarray, shape (n,)
    ids : list of str, optional
        Variant ids; default ``<element>:<pos>:<ref>><alt>``.

    Raises
    ------
    DataError
        Naming the row: position out of range or not an integer, a ref allele that
        does not match the reference, an allele with bad characters, alt equal to
        ref, or a duplicated variant id.
    """
    n = len(elements)
    pos = pd.to_numeric(pd.Series(positions), errors="coerce").to_numpy(np.float64)
    columns = (position_column, ref_allele_column, alt_allele_column)
    edits = [
        _position_edit(
            i + 1,
            elements[i],
            references[elements[i]],
            pos[i],
            positions[i],
            None if ref_alleles is None else ref_alleles[i],
            alt_alleles[i],
            source=source,
            columns=columns,
            one_based=one_based,
        )
        for i in range(n)
    ]
    frame = _variant_frame(elements, edits, effect, pvalue, ids)
    _check_unique_ids(frame, source)
    used = set(frame["element"])
    return Variants(frame, {k: v for k, v in references.items() if k in used}, source)


def _variant_frame(
    elements: np.ndarray,
    edits: list[tuple[int, int, str, str]],
    effect: np.ndarray,
    pvalue: np.ndarray | None,
    ids: Sequence[str] | None,
) -> pd.DataFrame:
    """The table of checked variants, one row per input row, in input order.

    Parameters
    ----------
    elements : numpy.ndarray of str, shape (n,)
    edits : list of (pos, ref_len, ref_allele, alt_allele), length n
        Each row's edit as :func:`_position_edit` checked it (0-based ``pos``).
    effect, pvalue : numpy.ndarray, shape (n,)
        A missing ``pvalue`` is NaN in every row.
    ids : list of str, optional
        Variant ids; default ``<element>:<pos>:<ref>><alt>`` (``-`` for an empty allele).

    Returns
    -------
    pandas.DataFrame
        Columns ``element``, ``pos``, ``ref_len``, ``ref_allele``, ``alt_allele``,
        ``effect``, ``pvalue``, ``row`` (1-based, for messages) and ``variant_id``.
    """
    n = len(elements)
    out_pos = np.asarray([e[0] for e in edits], dtype=np.int64).reshape(n)
    ref_len = np.asarray([e[1] for e in edits], dtype=np.int64).reshape(n)
    refs_out, alts_out = [e[2] for e in edits], [e[3] for e in edits]
    frame = pd.DataFrame(
        {
            "element": np.asarray(elements, dtype=object),
            "pos": out_pos,
            "ref_len": ref_len,
            "ref_allele": refs_out,
            "alt_allele": alts_out,
            "effect": np.asarray(effect, dtype=np.float64),
            "pvalue": (np.full(n, np.nan) if pvalue is None else np.asarray(pvalue, np.float64)),
            "row": np.arange(1, n + 1),
        }
    )
    if ids is None:
        ids = [f"{e}:{p}:{r or '-'}>{a or '-'}" for e, p, r, a in zip(frame["element"], out_pos, refs_out, alts_out)]
    frame["variant_id"] = [str(v) for v in ids]
    return frame


def _check_unique_ids(frame: pd.DataFrame, source: str) -> None:
    """Refuse a variant id listed twice: the id joins each variant's ref and alt predictions.

    Raises
    ------
    DataError
        Naming the row of the first repeated ``variant_id``.
    """
    dup = frame["variant_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise DataError(
            f"{source}: row {row}: variant {frame['variant_id'][row - 1]!r} is "
            "listed twice; keep one row per variant (or give id_column)"
        )


def _position_edit(
    row: int,
    element: str,
    ref: str,
    raw: float,
    given: object,
    ref_allele_raw: object | None,
    alt_raw: object,
    *,
    source: str,
    columns: tuple[str, str, str],
    one_based: bool,
) -> tuple[int, int, str, str]:
    """One position-style row checked against its reference: (p, k, ref_allele, alt).

    ``raw`` is the position as a float (NaN when not a number), ``given`` as written;
    ``columns`` names the position, ref-allele and alt-allele columns for messages.
    """
    position_column, ref_allele_column, alt_allele_column = columns
    if not np.isfinite(raw) or raw != int(raw):
        raise DataError(f"{source}: row {row}: position {given!r} in column {position_column!r} is not an integer")
    p = int(raw) - (1 if one_based else 0)
    alt = _allele(alt_raw, source=source, row=row, column=alt_allele_column)
    if ref_allele_raw is None:
        k = 1
        ref_allele = ref[p : p + 1] if 0 <= p < len(ref) else ""
    else:
        ref_allele = _allele(ref_allele_raw, source=source, row=row, column=ref_allele_column)
        k = len(ref_allele)
    # An insertion (k = 0) may sit at the very end; everything else needs p < len.
    if p < 0 or p + k > len(ref):
        base = "1-based" if one_based else "0-based"
        raise DataError(
            f"{source}: row {row}: position {int(raw)} ({base}) is out of range "
            f"for element {element!r} of length {len(ref)}"
            + ("" if one_based else "; set one_based = true if positions count from 1")
        )
    if ref_allele_raw is not None and ref[p : p + k] != ref_allele:
        raise DataError(
            f"{source}: row {row}: ref allele {ref_allele!r} does not match "
            f"the reference of element {element!r} at position {int(raw)} "
            f"({ref[p : p + k] or '-'!r}); check the position, its base "
            "(one_based) and the strand"
        )
    if alt == ref_allele:
        raise DataError(
            f"{source}: row {row}: alt allele equals the ref allele {ref_allele or '-'!r}; the row changes nothing"
        )
    return p, k, ref_allele, alt


def edit_of(ref: str, alt: str) -> tuple[int, int, str]:
    """(p, k, a): the edit turning ``ref`` into ``alt`` between their common ends."""
    limit = min(len(ref), len(alt))
    p = 0
    while p < limit and ref[p] == alt[p]:
        p += 1
    s = 0
    while s < limit - p and ref[len(ref) - 1 - s] == alt[len(alt) - 1 - s]:
        s += 1
    return p, len(ref) - p - s, alt[p : len(alt) - s]


def from_sequences(
    frame: pd.DataFrame,
    ref_seqs: list[str],
    alt_seqs: list[str],
    *,
    effect: np.ndarray,
    pvalue: np.ndarray | None,
    ids: list[str] | None,
    group_column: str | None,
    source: str,
    ref_column: str,
    alt_column: str,
    max_edit: int,
) -> Variants:
    """Variants given as full ref and alt sequences (already cleaned, one per row).

    Raises
    ------
    DataError
        Naming the row when alt equals ref, when ref and alt differ over more than
        ``max_edit`` bases (they are different elements, not a variant), or when one
        element's rows disagree on its reference.
    """
    elements = element_names(frame, group_column, ref_seqs, source)
    rows = np.arange(1, len(frame) + 1)
    references = one_reference_per_element(elements, ref_seqs, rows, source, ref_column)
    positions: list[int] = []
    ref_alleles: list[str] = []
    alt_alleles: list[str] = []
    for i, (ref, alt) in enumerate(zip(ref_seqs, alt_seqs)):
        if ref == alt:
            raise DataError(
                f"{source}: row {i + 1}: the {alt_column!r} sequence equals the "
                f"{ref_column!r} sequence; the row changes nothing"
            )
        p, k, a = edit_of(ref, alt)
        if max(k, len(a)) > max_edit:
            raise DataError(
                f"{source}: row {i + 1}: {ref_column!r} and {alt_column!r} differ over "
                f"{max(k, len(a))} bases (from position {p}); they look like different "
                f"elements, not a variant (at most max_edit = {max_edit} bases may change)"
            )
        positions.append(p)
        ref_alleles.append(ref[p : p + k])
        alt_alleles.append(a)
    return from_positions(
        elements, references, np.asarray(positions), ref_alleles, alt_alleles, effect, pvalue, ids, source=source
    )


def windows(variants: Variants, width: int) -> tuple[list[str], list[str]]:
    """The ref and alt sequences of every variant, ``width`` bases around the edit.

    The window starts at ``s = clip(p + k // 2 - width // 2, 0, len(R) - width)``, so
    it is centred on the edit and slid inwards at the element's ends; the alt window
    is ``alt_full[s:s + width]`` with ``alt_full`` the edited element, i.e. the same
    frame to the left of the edit. A deletion therefore pulls in the next reference
    base on the right, and a deletion within ``width`` of the element's 3' end gives an
    alt window one base short (padded with N by :class:`SeqDataset`), which is what
    the shorter construct is. Elements shorter than ``width`` are used whole.

    Returns
    -------
    ref_windows, alt_windows : list of str, length n
    """
    refs, alts = [], []
    frame = variants.frame
    for element, p, k, a in zip(frame["element"], frame["pos"], frame["ref_len"], frame["alt_allele"]):
        ref = variants.references[element]
        s = int(np.clip(p + k // 2 - width // 2, 0, max(0, len(ref) - width)))
        alt_full = ref[:p] + a + ref[p + k :]
        refs.append(ref[s : s + width])
        alts.append(alt_full[s : s + width])
    return refs, alts
