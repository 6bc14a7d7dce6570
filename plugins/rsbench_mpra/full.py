"""Optional full-size datasets (MPRA-MNIST's reprocessed tables) and the K562 lentiMPRA task.

The MPRA-MNIST project publishes the full tables on Zenodo and its package verifies
each download with an MD5 sum (``mpramnist/info.py``); those sums are the pins here
(no SHA-256 is published, and none is invented). The datasets are ``optional``:
``rsbench data fetch --all`` leaves them out; ``rsbench data fetch lentimpra_full``
(and so on) gets them.

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
from regshift_bench.datasets import DataFile, Dataset
from regshift_bench.datasets import locate as _locate
from regshift_bench.errors import DataError
from rsbench_mpra import ceilings, table
from rsbench_mpra.derive.tables import reverse_complement

ADAPTER_5, ADAPTER_3 = "AGGACCGGATCAACT", "CATTGCGTGAACCGA"
AGARWAL_COLUMNS = ("seq_id", "chromosome", "start", "end", "strand", "seq", "expression",
                   "averaged_expression", "fold")
_ZENODO = "https://zenodo.org/records"
_CHECKSUMS = ("MD5 sums as verified by the MPRA-MNIST package (mpramnist/info.py at "
              "commit 667c27606abef8850a0c8fd2c73ebf9b36c99bd7)")


def _zenodo(record: str, name: str, md5: str) -> DataFile:
    return DataFile(name, None, 0, f"{_ZENODO}/{record}/files/{name}?download=1", md5=md5)


def _full(name: str, folder: str, title: str, files: tuple[DataFile, ...], citation: str,
          tasks: tuple[str, ...] = ()) -> Dataset:
    return Dataset(name, f"full/{folder}", title, files, tasks, optional=True,
                   source=f"MPRA-MNIST reprocessed tables on Zenodo; {_CHECKSUMS}",
                   licence="not stated in the MPRA-MNIST package; see the Zenodo record, "
                           "and cite the original study",
                   citation=citation)


_AGARWAL = ("Agarwal V, Inoue F, Schubach M, et al. Massively parallel characterization of "
            "transcriptional regulatory elements. Nature (2025). doi:10.1038/s41586-024-08430-9")

FULL_DATASETS: dict[str, Dataset] = {d.name: d for d in (
    _full("lentimpra_full", "agarwal2025_lentimpra",
          "Agarwal et al. lentiMPRA, every sequence: HepG2 122,926, K562 196,664, WTC11 46,185", (
              _zenodo("17453603", "Agarwal_HepG2.tsv", "13766f66e19d57c250fe733f4f521bc9"),
              _zenodo("17453603", "Agarwal_K562.tsv", "27e61525d4344da4d40f60cceadb6069"),
              _zenodo("17453603", "Agarwal_WTC11.tsv", "831ac9bfe38d103e67492dc3a3618ff8"),
              _zenodo("18969018", "AgarwalJoint_joint_data.tsv",
                      "b974b97992fd15d668a5fe5d9befd361"),
          ), _AGARWAL, ("mpra_k562",)),
    _full("dream_yeast_full", "dream2022_yeast", "DREAM 2022 yeast: ~6.7M training "
          "sequences, the single and paired test sets", (
              _zenodo("15195607", "Dream_train.tsv", "a7f71419d75b048a1f1b84c352b3ab78"),
              _zenodo("15195607", "Dream_single.tsv", "1bcbc80702d74151c57e2da8a82b2c7a"),
              _zenodo("15195607", "Dream_paired.tsv", "7512ae3f91711af4331210548cb3cb52"),
          ), "Rafi AM, Nogina D, Penzar D, et al. A community effort to optimize sequence-based "
             "deep learning models of gene regulation. Nat Biotechnol (2024). "
             "doi:10.1038/s41587-024-02414-w"),
    _full("deepstarr_full", "deepstarr", "DeepSTARR Drosophila STARR-seq, 282,892 sequences", (
        _zenodo("17724143", "DeepStarr_all_chr.tsv", "78fc4954eb5cf5343beff1788c7c225c"),
    ), "de Almeida BP, Reiter F, Pagani M, Stark A. DeepSTARR predicts enhancer activity from "
       "DNA sequence and enables the de novo design of synthetic enhancers. Nat Genet (2022). "
       "doi:10.1038/s41588-022-01048-5"),
    _full("kircher_satmut_full", "kircher2019_satmut", "Kircher et al. 2019 saturation "
          "mutagenesis, every element", (
              _zenodo("17453603", "Kircher_GRCh38_ALL.tsv", "eacbb118660a3bd39575d88b1a03f7a7"),
          ), "Kircher M, Xiong C, Martin B, et al. Saturation mutagenesis of twenty "
             "disease-associated regulatory elements at single base-pair resolution. Nat Commun "
             "10, 3583 (2019). doi:10.1038/s41467-019-11526-w"),
    _full("sharpr_full", "ernst2016_sharpr", "Sharpr-MPRA, full design", (
        _zenodo("17723590", "Sharpr_all_chr.tsv", "a3f66e56506013e58d869258922bce46"),
    ), "Ernst J, Melnikov A, Zhang X, et al. Genome-scale high-resolution mapping of activating "
       "and repressive nucleotides in regulatory regions. Nat Biotechnol 34 (2016). "
       "doi:10.1038/nbt.3678"),
    _full("vaishnav_full", "vaishnav2022_yeast", "Vaishnav et al. 2022 yeast promoter drift, "
          "complex and defined media", (
              _zenodo("15195607", "Vaishnav_complex_drift.tsv",
                      "26eb589f80e6f7922d4fdcc561ff5e52"),
              _zenodo("15195607", "Vaishnav_defined_drift.tsv",
                      "ff0cee1369303c0cc3469680027f432c"),
          ), "Vaishnav ED, de Boer CG, Molinet J, et al. The evolution, evolvability and "
             "engineering of gene regulatory DNA. Nature 603 (2022). "
             "doi:10.1038/s41586-022-04506-6"),
    _full("malinois_full", "gosai2024_malinois", "Gosai et al. (Malinois) MPRA, K562, HepG2 "
          "and SK-N-SH", (
              _zenodo("17453603", "Malinois_Table_S2.tsv", "6b17ac4091c28ead54cf962ed557b3b4"),
          ), "Gosai SJ, Castro RI, Fuentes N, et al. Machine-guided design of cell-type-targeting "
             "cis-regulatory elements. Nature 634 (2024). doi:10.1038/s41586-024-08070-z"),
)}


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
        raise DataError(f"{name}: row {bad[0] + 1}: sequence of {len(seqs[bad[0]])} nt; the "
                        "publisher's layout has 200-nt elements without adapters")
    strand = frame["strand"].astype(str)
    if not strand.isin(["+", "-"]).all():
        row = int(np.flatnonzero(~strand.isin(["+", "-"]).to_numpy())[0]) + 1
        raise DataError(f"{name}: row {row}: strand {strand.iloc[row - 1]!r}; expected + or -")
    fold = table.numeric_column(frame, "fold", source=name)
    if not np.isin(fold, np.arange(1, 11)).all():
        raise DataError(f"{name}: fold values outside 1-10; expected the 10-fold assignment")
    ids = frame["seq_id"].astype(str)
    return frame.assign(
        seq=seqs, fold=fold.astype(int),
        expression=table.numeric_column(frame, "expression", source=name),
        averaged_expression=table.numeric_column(frame, "averaged_expression", source=name),
        construct=[ADAPTER_5 + s + ADAPTER_3 for s in seqs],
        orientation=np.where(strand == "+", "forward", "reverse"),
        element_class=np.where(ids.str.startswith("ENSG"), "promoter", "enhancer_candidate"),
        pair_key=[min(s, reverse_complement(s)) for s in seqs],
        locus=frame["chromosome"].astype(str) + ":" + frame["start"].astype(str) + "-"
        + frame["end"].astype(str))


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
    meta = pd.DataFrame({
        "seq_id": frame["seq_id"].astype(str).to_numpy(), "orientation": frame["orientation"],
        "element_class": frame["element_class"], "pair_key": pair, "fold": frame["fold"],
        "locus": frame["locus"], "partner_y": _partner_y(pair, y), "cell_type": "K562"})
    data = SeqDataset.from_strings(frame["construct"].tolist(), y, source=Path(path).name,
                                   meta=meta, info={"cell_type": "K562", "organism": "human",
                                                    "dataset": "lentimpra_full"})
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
