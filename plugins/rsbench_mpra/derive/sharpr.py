"""Ernst et al. 2016 Sharpr-MPRA pilot: barcode counts and per-tile summary.

The six GEO GSE71279 pilot-design count files (HepG2 and K562 mRNA, plasmid; two
replicates each) are the dataset's own files, copied unchanged. From them:

``pilot_barcode_counts.tsv.gz``
    The six files must list the same tiles, sequences and barcode tags in the same
    order (checked). One row per tile and barcode (2,250 x 24): ``seq_id``,
    ``barcode_index``, ``barcode`` and one raw count column per library.
``pilot_sequence_summary.tsv.gz``
    One row per tile: category, region and tile split from the id
    (``<category>_<region>_<tile>``), ``region_id``, sequence, GC fraction, the counts
    summed over barcodes per library, and for each cell type and replicate
    ``log2((RNA CPM + 1) / (plasmid CPM + 1))`` (CPM = count / library total x 1e6,
    replicate r RNA paired with plasmid replicate r), plus the replicates' mean.
    The log2 columns are rounded to :data:`LOG2_DECIMALS` decimals: numpy's
    vectorised log2 is not correctly rounded on every CPU (its SIMD code path
    depends on the processor), and the rounding makes the bytes the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rsbench_mpra.derive.tables import gc_fraction, original, require, write_tsv_gz

if TYPE_CHECKING:  # for annotations; imported where used, so the dataset catalogue loads light
    import numpy as np
    import pandas as pd

_RAW = "diego-calderon-lab/MPRA/f100c49c551fa65f062145840732c2c8f2cab54d/MPRA_dataset/GSE71279_RAW"

#: Library column -> GEO sample file stem.
LIBRARIES = {
    "hepg2_rep1": "GSM1831777_HepG2_PilotDesign_SV40P_mRNA_Rep1",
    "hepg2_rep2": "GSM1831778_HepG2_PilotDesign_SV40P_mRNA_Rep2",
    "k562_rep1": "GSM1831779_K562_PilotDesign_SV40P_mRNA_Rep1",
    "k562_rep2": "GSM1831780_K562_PilotDesign_SV40P_mRNA_Rep2",
    "plasmid_rep1": "GSM1831781_PilotDesign_SV40P_Plasmid_Rep1",
    "plasmid_rep2": "GSM1831782_PilotDesign_SV40P_Plasmid_Rep2",
}
_SHA = {
    "hepg2_rep1": ("9538d0aadc051c1ad6f80ce00b82023d22b74ff3d102926a062d9e8e3d94d70e", 363947),
    "hepg2_rep2": ("20e858abb73a50b26dcc0cbdb16e6dcb836dbd9fe59ef44c46e8c77b0dd5afcb", 362464),
    "k562_rep1": ("a4170510dfe02ff8c26cc82e4d1160ccc5d84468eb68d7c1390193b8d7851b4f", 350072),
    "k562_rep2": ("261e946f455ab35a772b932e202bbcc54006b70a2721ede93c27f0af6713d6b1", 348433),
    "plasmid_rep1": ("6db9d3db5cf97aa45942c2c28f99d1708234c807950514abc5aad7aa0d0c3a12", 371394),
    "plasmid_rep2": ("de090d92cdda2b0b7c3ed7a07ccc4903e344143607c332f962e22d3677459e64", 370005),
}
SOURCES = tuple(original(f"{_RAW}/{stem}.counts.txt.gz", *_SHA[lib]) for lib, stem in LIBRARIES.items())

#: Decimals the log2 activity columns are rounded to before writing.
LOG2_DECIMALS = 12


def raw_name(library: str) -> str:
    """The GEO file name of a library column (``hepg2_rep1`` ...)."""
    return f"{LIBRARIES[library]}.counts.txt.gz"


def _read_raw(sources: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    import pandas as pd

    raw = {lib: pd.read_csv(sources[raw_name(lib)], sep="\t", dtype=str, keep_default_na=False) for lib in LIBRARIES}
    first = raw["hepg2_rep1"]
    for frame in raw.values():
        require(
            all(frame[c].equals(first[c]) for c in ("ID", "Sequence", "Tags")),
            "the six Sharpr pilot files do not list the same tiles and barcodes",
        )
    return raw


def barcode_counts(raw: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per tile and barcode with the six libraries' raw counts."""
    import numpy as np
    import pandas as pd

    first = raw["hepg2_rep1"]
    tags = first["Tags"].str.split(",")
    per_tile = tags.str.len().to_numpy()
    columns = {
        "seq_id": np.repeat(first["ID"].to_numpy(), per_tile),
        "barcode_index": np.concatenate([np.arange(n) for n in per_tile]),
        "barcode": np.concatenate(tags.to_numpy()),
    }
    for lib, frame in raw.items():
        counts = [np.array(c.split(","), dtype=np.int64) for c in frame["Counts"]]
        require(all(len(c) == n for c, n in zip(counts, per_tile)), f"Sharpr {lib}: a tile has as many counts as tags")
        columns[lib] = np.concatenate(counts)
    return pd.DataFrame(columns)


def _log2_ratio(rna: pd.Series, dna: pd.Series) -> np.ndarray:
    """log2((RNA CPM + 1) / (DNA CPM + 1)), full precision."""
    import numpy as np

    rna_cpm, dna_cpm = rna / rna.sum() * 1e6, dna / dna.sum() * 1e6
    return np.log2((rna_cpm + 1) / (dna_cpm + 1)).to_numpy()


def sequence_summary(raw: Mapping[str, pd.DataFrame], counts: pd.DataFrame) -> pd.DataFrame:
    """One row per tile: design fields, summed counts and rounded log2 activities."""
    import numpy as np
    import pandas as pd

    first = raw["hepg2_rep1"]
    parts = first["ID"].str.rsplit("_", n=2, expand=True)
    out = pd.DataFrame(
        {
            "seq_id": first["ID"],
            "category": parts[0],
            "region": parts[1].astype(int),
            "tile": parts[2].astype(int),
            "seq": first["Sequence"],
            "region_id": parts[0] + "_" + parts[1],
        }
    )
    out["gc"] = [gc_fraction(s) for s in out["seq"]]
    sums = counts.groupby("seq_id", sort=False)[list(LIBRARIES)].sum()
    for lib in LIBRARIES:
        out[lib] = sums.loc[out["seq_id"], lib].to_numpy()
    for cell in ("hepg2", "k562"):
        reps = [_log2_ratio(out[f"{cell}_{r}"], out[f"plasmid_{r}"]) for r in ("rep1", "rep2")]
        # The mean is taken at full precision; every column is rounded only when written.
        for name, values in (("rep1", reps[0]), ("rep2", reps[1]), ("mean", (reps[0] + reps[1]) / 2)):
            out[f"log2_{cell}_{name}"] = np.round(values, LOG2_DECIMALS)
    return out


def derive(sources: Mapping[str, Path], out: Path) -> None:
    """Write ``pilot_barcode_counts.tsv.gz`` and ``pilot_sequence_summary.tsv.gz``."""
    raw = _read_raw(sources)
    counts = barcode_counts(raw)
    write_tsv_gz(counts, out / "pilot_barcode_counts.tsv.gz")
    write_tsv_gz(sequence_summary(raw, counts), out / "pilot_sequence_summary.tsv.gz")
