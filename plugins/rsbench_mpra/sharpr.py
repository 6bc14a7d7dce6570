"""Sharpr-MPRA pilot (Ernst et al. 2016): activity recomputed from barcode counts.

The task reads the six unmodified GEO files of GSE71279 (``ID, Sequence, Tags,
Counts``; 2,250 tiles x 24 barcodes) and computes, for each cell type c in
{HepG2, K562} and replicate r in {1, 2}::

    a[c, r] = log2((RNA_CPM + 1) / (DNA_CPM + 1))
    CPM     = (sum of the tile's 24 barcode counts) / (library total) * 1e6

with RNA from the ``<c>`` mRNA library of replicate r and DNA from the plasmid
library of the same replicate (the convention of the data folder's SOURCE.md).
The label is the replicate mean ``y = (a[c, 1] + a[c, 2]) / 2``.

``noise_var`` is empirical: the barcode-bootstrap variance of y. For every tile its
24 barcodes are resampled with replacement ``bootstrap`` times (seeded), a[c, r]
is recomputed from the resampled sums, and ``noise_var = (var_b a[c,1] + var_b
a[c,2]) / 4`` — the sampling variance of a two-replicate mean. It captures barcode
and counting noise, not replicate-to-replicate (biological) variation; the
replicate ceiling (``ceiling_pearson`` = rep1 vs rep2) shows the latter.

Tiles of one region overlap (9 tiles shifted by 30 nt), and two pairs of regions
overlap each other (high_5 / high_15 and high_33 / high_35 share ~430 40-mers), so
splits group by ``locus_id``: the region, widened to every region sharing a 40-mer
with it (:func:`rsbench_mpra.overlap.locus_labels`; the smallest region id names it).
"""

from __future__ import annotations

import functools
import gzip
import os
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench.api import SeqDataset, Task
from regshift_bench.errors import DataError
from rsbench_mpra import ceilings, datasets, overlap, references, table
from rsbench_mpra.derive.sharpr import LIBRARIES  # library column -> GEO sample file stem

CELLS = {"HepG2": "hepg2", "K562": "k562"}


def read_counts_file(path: os.PathLike | str) -> pd.DataFrame:
    """One GEO counts file as columns ``id, seq, tags (list), counts (int64 array)``.

    Raises
    ------
    DataError
        When the header is wrong or tags and counts of a row differ in number.
    """
    name = os.path.basename(path)
    with gzip.open(path, "rt") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:4] != ["ID", "Sequence", "Tags", "Counts"]:
            raise DataError(f"{name}: header {header[:4]} is not ID, Sequence, Tags, Counts")
        ids, seqs, tags, counts = [], [], [], []
        for row, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                raise DataError(f"{name}: row {row}: expected 4 tab-separated fields")
            t, c = parts[2].split(","), parts[3].split(",")
            if len(t) != len(c):
                raise DataError(f"{name}: row {row}: {len(t)} tags but {len(c)} counts")
            try:
                counts.append(np.asarray(c, dtype=np.int64))
            except ValueError as exc:
                raise DataError(f"{name}: row {row}: non-integer count") from exc
            ids.append(parts[0])
            seqs.append(parts[1])
            tags.append(t)
    return pd.DataFrame({"id": ids, "seq": seqs, "tags": tags, "counts": counts})


@functools.lru_cache(maxsize=2)
def _load_counts(root: str, mtimes: tuple[float, ...]) -> tuple[pd.DataFrame, dict]:
    """Tile table (id, seq, category, region, tile, region_id) and counts (n, 24) per library."""
    frames = {}
    for lib, stem in LIBRARIES.items():
        frames[lib] = read_counts_file(datasets.locate("sharpr_pilot", f"raw_geo_GSE71279/{stem}.counts.txt.gz"))
    first = frames["plasmid_rep1"]
    for lib, frame in frames.items():
        if list(frame["id"]) != list(first["id"]) or list(frame["tags"]) != list(first["tags"]):
            raise DataError(
                f"{LIBRARIES[lib]}: tiles or barcodes differ from the plasmid "
                "library; the six GEO files must list the same tiles and tags"
            )
    widths = {len(c) for c in first["counts"]}
    if len(widths) != 1:
        raise DataError(f"{LIBRARIES['plasmid_rep1']}: tiles have different barcode numbers {sorted(widths)}")
    counts = {lib: np.stack(f["counts"].to_list()) for lib, f in frames.items()}
    parts = first["id"].str.rsplit("_", n=2, expand=True)
    if parts.shape[1] != 3 or parts.isna().any().any():
        raise DataError(f"{LIBRARIES['plasmid_rep1']}: ids must look like <category>_<region>_<tile>")
    tiles = pd.DataFrame(
        {
            "seq_id": first["id"],
            "seq": table.clean_sequences(first["seq"], source=LIBRARIES["plasmid_rep1"], column="Sequence"),
            "category": parts[0],
            "region": parts[1].astype(int),
            "tile": parts[2].astype(int),
        }
    )
    tiles["region_id"] = tiles["category"] + "_" + tiles["region"].astype(str)
    codes = SeqDataset.from_strings(tiles["seq"].tolist(), np.zeros(len(tiles))).seqs
    tiles["locus_id"] = overlap.locus_labels(codes, tiles["region_id"].to_numpy())
    return tiles, counts


def log2_activity(
    rna: np.ndarray, dna: np.ndarray, rna_total: float, dna_total: float, pseudocount: float = 1.0
) -> np.ndarray:
    """log2((RNA_CPM + p) / (DNA_CPM + p)) of summed counts; any leading shape."""
    rna_cpm = rna / rna_total * 1e6
    dna_cpm = dna / dna_total * 1e6
    return np.log2((rna_cpm + pseudocount) / (dna_cpm + pseudocount))


def activities(counts: dict[str, np.ndarray], cell: str, pseudocount: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Replicate activities (n,) x 2 of ``cell`` ("hepg2" / "k562") from barcode counts."""
    reps = []
    for r in (1, 2):
        rna, dna = counts[f"{cell}_rep{r}"], counts[f"plasmid_rep{r}"]
        reps.append(log2_activity(rna.sum(1), dna.sum(1), rna.sum(), dna.sum(), pseudocount))
    return reps[0], reps[1]


def bootstrap_var(
    counts: dict[str, np.ndarray], cell: str, n_boot: int, rng: np.random.Generator, pseudocount: float = 1.0
) -> np.ndarray:
    """Barcode-bootstrap variance (n,) of the two-replicate mean activity of ``cell``."""
    n, k = counts["plasmid_rep1"].shape
    var = np.zeros(n)
    for r in (1, 2):
        rna, dna = counts[f"{cell}_rep{r}"], counts[f"plasmid_rep{r}"]
        # weights (n, B, k): how often each barcode is drawn in each resample
        w = rng.multinomial(k, np.full(k, 1.0 / k), size=(n, n_boot))
        a = log2_activity(
            np.einsum("nbk,nk->nb", w, rna), np.einsum("nbk,nk->nb", w, dna), rna.sum(), dna.sum(), pseudocount
        )
        var += a.var(axis=1, ddof=1)
    return var / 4.0


@functools.lru_cache(maxsize=8)
def _build(root: str, mtimes: tuple[float, ...], cell: str, n_boot: int, seed: int, pseudocount: float) -> SeqDataset:
    tiles, counts = _load_counts(root, mtimes)
    key = CELLS[cell]
    rep1, rep2 = activities(counts, key, pseudocount)
    noise_var = None
    if n_boot > 1:
        noise_var = np.maximum(bootstrap_var(counts, key, n_boot, np.random.default_rng(seed), pseudocount), 1e-8)
    meta = tiles.drop(columns="seq").assign(
        rep1=rep1,
        rep2=rep2,
        cell_type=cell,
        dna_count=counts["plasmid_rep1"].sum(1) + counts["plasmid_rep2"].sum(1),
        rna_count=counts[f"{key}_rep1"].sum(1) + counts[f"{key}_rep2"].sum(1),
    )
    data = SeqDataset.from_strings(
        tiles["seq"].tolist(),
        (rep1 + rep2) / 2.0,
        source="GSE71279",
        noise_var=noise_var,
        meta=meta,
        info={"cell_type": cell, "dataset": "sharpr_pilot", "organism": "human"},
    )
    return data.with_values(meta=data.meta.assign(gc=data.gc()))


class SharprPilotTask(Task):
    """Sharpr-MPRA pilot: 2,250 145-nt tiles, HepG2 and K562, two replicates.

    Parameters
    ----------
    bootstrap : int
        Barcode-bootstrap resamples for the empirical ``noise_var`` (0 or 1: none).
    seed : int
        Seed of the bootstrap (fixed so ``noise_var`` is reproducible).
    pseudocount : float
        Added to both CPMs before the log ratio.
    """

    kind = "fixed"
    group_column = "locus_id"
    reference_names = ("replicate_ceiling", references.SOURCE_LABEL)

    def __init__(self, bootstrap: int = 200, seed: int = 0, pseudocount: float = 1.0) -> None:
        self.bootstrap = bootstrap
        self.seed = seed
        self.pseudocount = pseudocount

    @property
    def domains(self) -> tuple[str, ...]:
        return ("HepG2", "K562")

    def load(self, domain: str | None = None) -> SeqDataset:
        """Tiles with activity in ``domain`` (default HepG2); row i is tile i in both."""
        domain = domain or "HepG2"
        if domain not in CELLS:
            raise DataError(f"task {self.name!r}: unknown domain {domain!r}; known: {list(self.domains)}")
        paths = [datasets.locate("sharpr_pilot", f"raw_geo_GSE71279/{s}.counts.txt.gz") for s in LIBRARIES.values()]
        mtimes = tuple(os.path.getmtime(p) for p in paths)
        return _build(
            str(paths[0].parent), mtimes, domain, int(self.bootstrap), int(self.seed), float(self.pseudocount)
        )

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, float]:
        """Replicate ceiling (rep1 vs rep2 of this split's cell type and rows)."""
        return ceilings.replicate_ceiling(data.meta)

    def reference_predictions(self, split: str, data: SeqDataset, splits: Any) -> dict[str, Any]:
        """Source-label reference (HepG2 activity) on rows measured in K562."""
        return references.source_label(self, data)
