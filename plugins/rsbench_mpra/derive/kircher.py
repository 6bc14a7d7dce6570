"""Kircher et al. 2019 saturation mutagenesis: variant table and element references.

Steps, from the data portal's ``data/elements.tsv.gz`` (every variant listed twice,
first all GRCh38 rows, then the GRCh37 rows in the same order):

1. Split the rows by ``Release``; row *i* of GRCh38 and row *i* of GRCh37 must carry
   the same element and measurements (barcodes, DNA, RNA, coefficient, p-value).
2. Per element, ``GRCh37_strand`` is ``+`` when both releases give the same alleles
   and ``-`` when the GRCh37 alleles are the complement (MSMB lies in a region
   inverted between the assemblies); anything else fails.
3. Drop rows without a position (``NA``: 11 variants), keep the GRCh38 row with the
   GRCh37 position alongside, and ``ref_offset`` = position minus the element's
   first GRCh38 position. Coefficient and p-value are written as floats.
4. ``element_reference_GRCh38.fa``: per element (sorted by name), the ``Ref`` allele
   at every position of its GRCh38 span, ``N`` where no variant exists; one line
   per sequence.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rsbench_mpra.derive.tables import original, require, write_text, write_tsv_gz

if TYPE_CHECKING:  # for annotations; imported where used, so the dataset catalogue loads light
    import pandas as pd

SOURCES = (
    original(
        "kircherlab/MPRA_SaturationMutagenesis/c5cadb46a3ec9bbeb8f678e8dc2b2335191f121b/data/elements.tsv.gz",
        "fec2eed91fe27af3aae07ebce2eca65e9bad4bb6abba5d8c27f478887dd7b134",
        2677485,
    ),
)

COLUMNS = [
    "Element",
    "Chrom",
    "Pos_GRCh38",
    "Pos_GRCh37",
    "ref_offset",
    "Ref",
    "Alt",
    "Barcodes",
    "DNA",
    "RNA",
    "GRCh37_strand",
    "Coefficient",
    "pValue",
]
_MEASURED = ["Element", "Barcodes", "DNA", "RNA", "Coefficient", "pValue"]
_COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A", "-": "-"}


def _strands(new: pd.DataFrame, old: pd.DataFrame) -> dict[str, str]:
    """Element -> ``+`` (same alleles in both assemblies) or ``-`` (complemented)."""
    import numpy as np

    same = (new["Ref"].to_numpy() == old["Ref"].to_numpy()) & (new["Alt"].to_numpy() == old["Alt"].to_numpy())
    flipped = np.array(
        [
            _COMPLEMENT.get(r) == r37 and _COMPLEMENT.get(a) == a37
            for r, a, r37, a37 in zip(new["Ref"], new["Alt"], old["Ref"], old["Alt"])
        ]
    )
    elements = new["Element"].to_numpy()
    strands = {}
    for element in dict.fromkeys(elements):
        rows = elements == element
        require(
            bool(same[rows].all() or flipped[rows].all()),
            f"Kircher element {element} has alleles neither equal nor complemented",
        )
        strands[element] = "+" if same[rows].all() else "-"
    return strands


def variants(elements_tsv: Path) -> pd.DataFrame:
    """The GRCh38 variant table with GRCh37 positions, strand and reference offsets."""
    import pandas as pd

    rows = pd.read_csv(elements_tsv, sep="\t", dtype=str, keep_default_na=False)
    new = rows[rows["Release"] == "GRCh38"].reset_index(drop=True)
    old = rows[rows["Release"] == "GRCh37"].reset_index(drop=True)
    require(
        len(new) == len(old) and bool((new[_MEASURED].to_numpy() == old[_MEASURED].to_numpy()).all()),
        "the GRCh38 and GRCh37 rows of elements.tsv.gz differ in their measurements",
    )
    keep = (new["Pos"] != "NA").to_numpy()
    require(
        bool((keep == (old["Pos"] != "NA").to_numpy()).all()), "a Kircher variant has a position in one assembly only"
    )
    strands = _strands(new[keep], old[keep])
    out, old = new[keep].copy(), old[keep]
    position = out["Pos"].astype(int)
    out["Pos_GRCh38"], out["Pos_GRCh37"] = out["Pos"], old["Pos"].to_numpy()
    out["ref_offset"] = (position - position.groupby(out["Element"]).transform("min")).to_numpy()
    out["GRCh37_strand"] = [strands[e] for e in out["Element"]]
    out["Coefficient"] = out["Coefficient"].astype(float)
    out["pValue"] = out["pValue"].astype(float)
    return out[COLUMNS]


def references(table: pd.DataFrame) -> str:
    """FASTA of each element's GRCh38 + strand span rebuilt from its Ref alleles."""
    records = []
    position = table["Pos_GRCh38"].astype(int)
    for element in sorted(set(table["Element"])):
        rows = (table["Element"] == element).to_numpy()
        start, end = int(position[rows].min()), int(position[rows].max())
        seq = ["N"] * (end - start + 1)
        for pos, ref in zip(position[rows], table["Ref"][rows]):
            require(seq[pos - start] in ("N", ref), f"Kircher {element}: two Ref alleles at {pos}")
            seq[pos - start] = ref
        chrom = table["Chrom"][rows].iloc[0]
        records.append(
            f">{element} chr{chrom}:{start}-{end} GRCh38 + strand, reconstructed "
            f"from Ref alleles; N = position without any variant\n{''.join(seq)}\n"
        )
    return "".join(records)


def derive(sources: Mapping[str, Path], out: Path) -> None:
    """Write ``satmut_variants.tsv.gz`` and ``element_reference_GRCh38.fa`` under ``out``."""
    table = variants(sources["elements.tsv.gz"])
    write_tsv_gz(table, out / "satmut_variants.tsv.gz")
    write_text(references(table), out / "element_reference_GRCh38.fa")
