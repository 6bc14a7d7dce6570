"""Agarwal et al. lentiMPRA tasks: ``mpra_hepg2`` and ``mpra_wtc11``.

Each element was measured in forward and reverse orientation; both constructs
share ``pair_key`` (the lexicographically smaller of the 200-nt core and its reverse
complement), and their agreement is the orientation noise ceiling. Some elements
share sequence with others (repeats, (CA)n tracts, overlapping windows: 46 such
clusters in HepG2, 75 in WTC11), so splits group by ``locus``: the pair, widened
to every pair sharing a 40-mer with it (:func:`rsbench_mpra.overlap.locus_labels`),
and no element leaks across splits. Activity is the mean over three
biological replicates of median-normalised log2(RNA/DNA); no replicate values or
counts are public, so these tasks carry no ``noise_var``.

Constructs are 230 nt: a 15-nt adapter, the 200-nt element and a 15-nt adapter;
``trim_adapters=True`` cuts the constant adapters.

Domains: the HepG2 file and the WTC11 file share 482 identical constructs. The
task's second domain gives, for every row of the source file, the activity of the
same construct in the other cell type, or NaN where it was not measured there; the
``cell_type`` shift tests only on measured rows.
"""

from __future__ import annotations

import functools
import os
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from regshift_bench.api import SeqDataset, Task
from regshift_bench.errors import DataError
from rsbench_mpra import ceilings, datasets, overlap, references, table

ADAPTER_5, ADAPTER_3 = "AGGACCGGATCAACT", "CATTGCGTGAACCGA"
_FILES = {"HepG2": ("hepg2_folds9-10.tsv.gz", "fold"), "WTC11": ("wtc11_union_subset.tsv.gz", "fold_legnet")}


@functools.lru_cache(maxsize=4)
def _read(cell: str, mtime: float) -> pd.DataFrame:
    """The validated raw table of one cell type (parsed once per process)."""
    fname, _ = _FILES[cell]
    path = datasets.locate("lentimpra", fname)
    frame = table.read_table(path)
    table.require_columns(
        frame, {c: c for c in ("seq", "mean_value", "pair_key", "orientation", "element_class")}, fname
    )
    frame = frame.assign(
        seq=table.clean_sequences(frame["seq"], source=fname, column="seq"),
        mean_value=table.numeric_column(frame, "mean_value", source=fname),
    )
    return frame


def _mtime(cell: str) -> float:
    return os.path.getmtime(datasets.locate("lentimpra", _FILES[cell][0]))


@functools.lru_cache(maxsize=8)
def _build(
    cell: str, other: str, trim: bool, mtime: float, other_mtime: float
) -> tuple[SeqDataset, np.ndarray, np.ndarray]:
    """(dataset, other-cell activity (n,) with NaN, orientation-partner row (n,) or -1)."""
    frame = _read(cell, mtime)
    fname, fold_col = _FILES[cell]
    y = frame["mean_value"].to_numpy(np.float64)
    # Orientation partner: the other row with the same pair_key (singletons get NaN).
    pair = frame["pair_key"].to_numpy()
    order = np.argsort(pair, kind="stable")
    partner = np.full(len(frame), -1, dtype=np.int64)
    sorted_keys = pair[order]
    same_next = sorted_keys[1:] == sorted_keys[:-1]
    partner[order[1:][same_next]] = order[:-1][same_next]
    partner[order[:-1][same_next]] = order[1:][same_next]
    partner_y = np.where(partner >= 0, y[np.maximum(partner, 0)], np.nan)
    meta = pd.DataFrame(
        {
            "seq_id": frame.get("seq_id", pd.Series([""] * len(frame))).fillna("").to_numpy(),
            "orientation": frame["orientation"].to_numpy(),
            "element_class": frame["element_class"].to_numpy(),
            "pair_key": pair,
            "fold": pd.to_numeric(frame.get(fold_col), errors="coerce"),
            "partner_y": partner_y,
            "cell_type": cell,
        }
    )
    seqs = frame["seq"].tolist()
    if trim:
        bad = [i for i, s in enumerate(seqs) if not (s.startswith(ADAPTER_5) and s.endswith(ADAPTER_3))]
        if bad:
            raise DataError(f"{fname}: row {bad[0] + 1}: adapters not found at the ends; use trim_adapters=False")
        seqs = [s[len(ADAPTER_5) : -len(ADAPTER_3)] for s in seqs]
    data = SeqDataset.from_strings(
        seqs, y, source=fname, meta=meta, info={"cell_type": cell, "dataset": "lentimpra", "organism": "human"}
    )
    data = data.with_values(meta=data.meta.assign(gc=data.gc(), locus=overlap.locus_labels(data.seqs, pair)))
    other_frame = _read(other, other_mtime)
    other_y = frame["seq"].map(dict(zip(other_frame["seq"], other_frame["mean_value"])))
    return data, other_y.to_numpy(np.float64), partner


class LentiMPRATask(Task):
    """Agarwal et al. 2025 lentiMPRA activity of 230-nt constructs in one cell type.

    Parameters
    ----------
    trim_adapters : bool
        Cut the constant 15-nt adapters from both ends (230 -> 200 nt).
    """

    kind = "fixed"
    group_column = "locus"
    reference_names = ("orientation_ceiling", references.SOURCE_LABEL)
    cell_type: ClassVar[str] = "HepG2"
    other_cell_type: ClassVar[str] = "WTC11"

    def __init__(self, trim_adapters: bool = False) -> None:
        self.trim_adapters = trim_adapters

    @property
    def domains(self) -> tuple[str, ...]:
        return (self.cell_type, self.other_cell_type)

    def _data(self) -> tuple[SeqDataset, np.ndarray, np.ndarray]:
        return _build(
            self.cell_type,
            self.other_cell_type,
            bool(self.trim_adapters),
            _mtime(self.cell_type),
            _mtime(self.other_cell_type),
        )

    def load(self, domain: str | None = None) -> SeqDataset:
        """All rows; in the other cell type, unmeasured constructs have NaN activity."""
        data, other_y, partner = self._data()
        if domain is None or domain == self.cell_type:
            return data
        if domain != self.other_cell_type:
            raise DataError(f"task {self.name!r}: unknown domain {domain!r}; known: {list(self.domains)}")
        # Orientation partners in the other domain come from the other domain's values.
        partner_y = np.where(partner >= 0, other_y[np.maximum(partner, 0)], np.nan)
        meta = data.meta.assign(cell_type=domain, partner_y=partner_y)
        return data.with_values(y=other_y, meta=meta)

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, float]:
        """Orientation ceiling (forward vs reverse agreement) on this split's rows."""
        return ceilings.orientation_ceiling(data.y, data.meta)

    def reference_predictions(self, split: str, data: SeqDataset, splits: Any) -> dict[str, Any]:
        """Source-label reference on rows measured in the other cell type."""
        return references.source_label(self, data)


class LentiMPRAHepG2(LentiMPRATask):
    """lentiMPRA HepG2 (folds 9-10: 12,295 elements x 2 orientations, 230 nt)."""

    cell_type = "HepG2"
    other_cell_type = "WTC11"


class LentiMPRAWTC11(LentiMPRATask):
    """lentiMPRA WTC11 (20,473 public constructs, 230 nt)."""

    cell_type = "WTC11"
    other_cell_type = "HepG2"
