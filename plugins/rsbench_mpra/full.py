"""Optional full-size datasets (MPRA-MNIST's reprocessed tables) and the K562 lentiMPRA task.

The datasets and their pins are catalogued in :mod:`rsbench_mpra.full_datasets`
(re-exported here as :data:`FULL_DATASETS`).

The column layout of the lentiMPRA tables is taken from the publisher's description
(MPRA-MNIST's ``mpramnist/Agarwal2025/README.md``): ``seq_id, chromosome, start, end,
strand, seq, expression, averaged_expression, fold``, 200-nt sequences without the
constant 15-nt adapters, ``fold`` 1-10 (8 train : 1 val : 1 test), coordinates hg38,
0-based. :func:`read_agarwal` checks exactly that and fails with one line otherwise.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench.api import SeqDataset, Task
from regshift_bench.datasets import locate as _locate
from regshift_bench.errors import DataError
from rsbench_mpra import ceilings, table
from rsbench_mpra.derive.tables import reverse_complement
from rsbench_mpra.full_datasets import FULL_DATASETS as FULL_DATASETS  # apart: registering stays light

ADAPTER_5, ADAPTER_3 = "AGGACCGGATCAACT", "CATTGCGTGAACCGA"
AGARWAL_COLUMNS = ("seq_id", "chromosome", "start", "end", "strand", "seq", "expression", "averaged_expression", "fold")


def read_agarwal(path: str | Path) -> pd.DataFrame:
    """A full lentiMPRA table in the publisher's layout, checked and annotated.

    Returns
    -------
    DataFrame
        The input columns plus ``construct`` (230 nt: adapter + element + adapter),
        ``orientation`` (``+`` forward, ``-`` reverse), ``element_class`` (promoter for
        ``ENSG`` ids), ``pair_key`` (the smaller of the element and its reverse
        complement) and ``locus`` (``chromosome:start-end``, shared by both orientations).

    Raises
    ------
    DataError
        A missing column, a sequence that is not 200 nt of ACGT, a strand other than
        ``+``/``-``, a fold outside 1-10 or a non-numeric activity (one line each).
    """
    name = Path(path).name
    frame = table.read_table(path, sep="\t")
    table.require_columns(frame, {c: c for c in AGARWAL_COLUMNS}, name)
    seqs = table.clean_sequences(frame["seq"], source=name, column="seq")
    bad = [i for i, s in enumerate(seqs) if len(s) != 200]
    if bad:
        raise DataError(
            f"{name}: row {bad[0] + 1}: sequence of {len(seqs[bad[0]])} nt; the "
            "publisher's layout has 200-nt elements without adapters"
        )
    strand = frame["strand"].astype(str)
    if not strand.isin(["+", "-"]).all():
        row = int(np.flatnonzero(~strand.isin(["+", "-"]).to_numpy())[0]) + 1
        raise DataError(f"{name}: row {row}: strand {strand.iloc[row - 1]!r}; expected + or -")
    fold = table.numeric_column(frame, "fold", source=name)
    if not np.isin(fold, np.arange(1, 11)).all():
        raise DataError(f"{name}: fold values outside 1-10; expected the 10-fold assignment")
    ids = frame["seq_id"].astype(str)
    return frame.assign(
        seq=seqs,
        fold=fold.astype(int),
        expression=table.numeric_column(frame, "expression", source=name),
        averaged_expression=table.numeric_column(frame, "averaged_expression", source=name),
        construct=[ADAPTER_5 + s + ADAPTER_3 for s in seqs],
        orientation=np.where(strand == "+", "forward", "reverse"),
        element_class=np.where(ids.str.startswith("ENSG"), "promoter", "enhancer_candidate"),
        pair_key=[min(s, reverse_complement(s)) for s in seqs],
        locus=frame["chromosome"].astype(str) + ":" + frame["start"].astype(str) + "-" + frame["end"].astype(str),
    )


def _partner_y(pair_key: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Activity of the opposite-orientation construct (same pair key), NaN for singletons."""
    order = np.argsort(pair_key, kind="stable")
    keys = pair_key[order]
    same = keys[1:] == keys[:-1]
    partner = np.full(len(y), -1, dtype=np.int64)
    partner[order[1:][same]] = order[:-1][same]
    partner[order[:-1][same]] = order[1:][same]
    return np.where(partner >= 0, y[np.maximum(partner, 0)], np.nan)


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> SeqDataset:
    frame = read_agarwal(path)
    y = frame["expression"].to_numpy(np.float64)
    pair = frame["pair_key"].to_numpy()
    meta = pd.DataFrame(
        {
            "seq_id": frame["seq_id"].astype(str).to_numpy(),
            "orientation": frame["orientation"],
            "element_class": frame["element_class"],
            "pair_key": pair,
            "fold": frame["fold"],
            "locus": frame["locus"],
            "partner_y": _partner_y(pair, y),
            "cell_type": "K562",
        }
    )
    data = SeqDataset.from_strings(
        frame["construct"].tolist(),
        y,
        source=Path(path).name,
        meta=meta,
        info={"cell_type": "K562", "organism": "human", "dataset": "lentimpra_full"},
    )
    return data.with_values(meta=data.meta.assign(gc=data.gc()))


class LentiMPRAK562Full(Task):
    """Agarwal et al. lentiMPRA K562: all 196,664 sequences (230-nt constructs).

    Reads ``Agarwal_K562.tsv`` of the optional dataset ``lentimpra_full``; splits group
    by genomic locus (both orientations of an element share it). The orientation
    ceiling (forward vs reverse agreement) is the task's noise reference.
    """

    kind = "fixed"
    group_column = "locus"
    reference_names = ("orientation_ceiling",)

    @property
    def domains(self) -> tuple[str, ...]:
        return ("K562",)

    def load(self, domain: str | None = None) -> SeqDataset:
        if domain not in (None, "K562"):
            raise DataError(f"task {self.name!r}: unknown domain {domain!r}; known: ['K562']")
        path = _locate(FULL_DATASETS["lentimpra_full"], "Agarwal_K562.tsv")
        return _load(str(path), os.path.getmtime(path))

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, float]:
        """Orientation ceiling on this split's rows."""
        return ceilings.orientation_ceiling(data.y, data.meta)
