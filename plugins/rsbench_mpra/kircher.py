"""``kircher_satmut``: Kircher et al. 2019 saturation mutagenesis as variant effects.

44,647 single-base substitutions and deletions of 20 regulatory elements (29
experiments: some elements were measured twice, in two libraries, orientations,
time points or cell lines), each with a log2 effect (``Coefficient``) and its
p-value. A model is trained on a task measured in the same cell type and scored on
how well its predicted effects (alt − ref, strand-averaged) follow the measured
ones, per experiment (see :mod:`rsbench_mpra.variant_effects`).

Only experiments measured in ``cell_type`` are scored (HepG2: F9, LDLR, LDLR.2,
SORT1, SORT1.2, SORT1-flip, with ``mpra_hepg2``); every other experiment is listed
with status ``skipped`` and the cell line it was measured in, since no training
task of that cell type is set.

Windows: the training sequences' length (200 nt: the lentiMPRA cores, adapters
trimmed) centred on the variant and slid inside the element (F9 303 nt, LDLR 318,
SORT1 600), so every window is element sequence; deletions pull in the next base
(:func:`rsbench_mpra.variants.windows`).

Published references (``published_effect_pearson``): the per-element Pearson
correlation of the Kircher et al. 2019 model's predictions with the measured effects
(F9 0.51, LDLR 0.66, SORT1 0.49, PKLR 0.65); LDLR and SORT1 are given for the
first library, PKLR for the 48 h experiment (the published protocol's transfection
time).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from regshift_bench.errors import DataError
from rsbench_mpra import datasets, table, variants
from rsbench_mpra.variants import Variants
from rsbench_mpra.variants_task import VariantsTask

_TSV, _FASTA = "satmut_variants.tsv.gz", "element_reference_GRCh38.fa"
_SF7996 = "SF7996 glioblastoma"
#: Cell line of each experiment (kircherlab/MPRA_SaturationMutagenesis, mrkdown/about.md).
CELL_LINES: dict[str, str] = {
    "BCL11A": "HEL 92.1.7",
    "F9": "HepG2",
    "FOXE1": "HeLa",
    "GP1BA": "HEL 92.1.7",
    "HBB": "HEL 92.1.7",
    "HBG1": "HEL 92.1.7",
    "HNF4A": "HEK293T",
    "IRF4": "SK-MEL-28",
    "IRF6": "HaCaT",
    "LDLR": "HepG2",
    "LDLR.2": "HepG2",
    "MSMB": "HEK293T",
    "MYCrs11986220": "LNCaP",
    "MYCrs6983267": "HEK293T",
    "PKLR-24h": "K562",
    "PKLR-48h": "K562",
    "RET": "Neuro-2a (mouse)",
    "SORT1": "HepG2",
    "SORT1-flip": "HepG2",
    "SORT1.2": "HepG2",
    "TCF7L2": "MIN6 (mouse)",
    "TERT-GAa": f"{_SF7996} (GAa)",
    "TERT-GBM": _SF7996,
    "TERT-GSc": f"{_SF7996} (GSc)",
    "TERT-HEK": "HEK293T",
    "UC88": "Neuro-2a (mouse)",
    "ZFAND3": "MIN6 (mouse)",
    "ZRSh-13": "NIH/3T3 (mouse)",
    "ZRSh-13h2": "NIH/3T3 (mouse)",
}
#: Per-element Pearson r of the Kircher et al. 2019 model (predicted vs measured effect).
PUBLISHED_PEARSON: dict[str, float] = {"F9": 0.51, "LDLR": 0.66, "SORT1": 0.49, "PKLR-48h": 0.65}
#: Training-task parameters used when ``train_params`` is None.
DEFAULT_TRAIN_PARAMS: dict[str, dict[str, Any]] = {
    "mpra_hepg2": {"trim_adapters": True},
    "mpra_wtc11": {"trim_adapters": True},
}


class KircherSatMut(VariantsTask):
    """Kircher et al. 2019 saturation mutagenesis, scored per experiment.

    Parameters
    ----------
    train_task : str
        Registered fixed task whose training data trains the model.
    train_params : mapping, optional
        Its parameters; None: adapters trimmed for the lentiMPRA tasks (200-nt cores).
    cell_type : str
        Experiments measured in this cell line are scored; the others are skipped.
    window : int, optional
        Window length; default the training sequences' length.
    alpha : float
        p-value below which a measured effect counts as significant (sign agreement);
        1e-5 as in Kircher et al. 2019.
    """

    reference_names: ClassVar[tuple[str, ...]] = ("published",)

    def __init__(
        self,
        train_task: str = "mpra_hepg2",
        train_params: Mapping[str, Any] | None = None,
        cell_type: str = "HepG2",
        window: int | None = None,
        alpha: float = 1e-5,
    ) -> None:
        self.train_task = train_task
        self.train_params = train_params
        self.cell_type = cell_type
        self.window = window
        self.alpha = alpha
        self.element_column = None

    def _train_params(self) -> Mapping[str, Any]:
        if self.train_params is not None:
            return self.train_params
        return DEFAULT_TRAIN_PARAMS.get(self.train_task, {})

    def variants(self) -> Variants:
        tsv = datasets.locate("kircher_satmut", _TSV)
        fasta = datasets.locate("kircher_satmut", _FASTA)
        return _read_kircher(str(tsv), str(fasta), os.path.getmtime(tsv), os.path.getmtime(fasta))

    def skip_reason(self, element: str) -> str:
        line = CELL_LINES.get(element, "an unknown cell line")
        if line == self.cell_type:
            return ""
        return (
            f"measured in {line}; no training data for that cell type (the model is "
            f"trained on {self.train_task}, {self.cell_type})"
        )

    def published(self, element: str) -> dict[str, float]:
        r = PUBLISHED_PEARSON.get(element)
        return {} if r is None else {"published_effect_pearson": r}


@functools.lru_cache(maxsize=2)
def _read_kircher(tsv: str, fasta: str, mtime: float, fasta_mtime: float) -> Variants:
    """The 44,647 variants validated against the 29 reconstructed references."""
    name = os.path.basename(tsv)
    frame = table.read_table(tsv)
    table.require_columns(frame, {c: c for c in ("Element", "ref_offset", "Ref", "Alt", "Coefficient", "pValue")}, name)
    records = table.read_fasta(fasta)
    references = dict(zip(records["id"], (s.upper() for s in records["seq"])))
    elements = frame["Element"].astype(str).to_numpy()
    unknown = sorted(set(elements) - set(references))
    if unknown:
        row = int(np.flatnonzero(elements == unknown[0])[0]) + 1
        raise DataError(
            f"{name}: row {row}: element {unknown[0]!r} has no reference in "
            f"{os.path.basename(fasta)}; re-fetch the dataset "
            "(rsbench data fetch kircher_satmut)"
        )
    return variants.from_positions(
        elements,
        references,
        frame["ref_offset"].to_numpy(),
        frame["Ref"].tolist(),
        frame["Alt"].tolist(),
        table.numeric_column(frame, "Coefficient", source=name),
        table.numeric_column(frame, "pValue", source=name),
        None,
        source=name,
        position_column="ref_offset",
        ref_allele_column="Ref",
        alt_allele_column="Alt",
    )
