"""TF panels for the ``motif`` prior: which database and which TFs, per organism and cell type.

A prior scanning all 879 JASPAR vertebrate motifs costs ~30x more than a panel and
gives mostly redundant features, so the prior scans a *panel*: the regulators a
biologist would name for the cell type, plus a core of ubiquitous promoter /
enhancer TFs. Names are gene symbols as JASPAR writes them (matched
case-insensitively; JASPAR 2024 CORE non-redundant lacks e.g. NANOG, SALL4 as
human matrices, so mouse ``Nanog`` / ``Prdm14`` / ``Zic3`` stand in).

Simulated tasks (:func:`independent_panel`): the simulator plants and scores with its
own matrices (built-in consensus PWMs, or a MEME file). The prior must not read those
(it would be an oracle), so it reads the *same TFs* from an independent database —
HOCOMOCO v12 when the simulator's set is built-in or JASPAR, JASPAR 2024 vertebrates
when it is HOCOMOCO — and adds :data:`DECOYS`, TFs the simulator does not use.
"""

from __future__ import annotations

#: Ubiquitous promoter / enhancer TFs, part of every human panel.
HUMAN_CORE = (
    "CTCF",
    "SP1",
    "NFYA",
    "CREB1",
    "FOS::JUN",
    "YY1",
    "NRF1",
    "ELK1",
    "GABPA",
    "ZNF143",
    "E2F1",
    "MAX",
    "USF1",
    "REST",
    "TBP",
    "NFIA",
)

#: Cell-type regulators. HepG2: hepatocyte TFs (Odom et al. 2004 Science; the HNF
#: network); K562: erythroid TFs (GATA1/TAL1 complex, KLF1, NF-E2/MAF, BACH1);
#: WTC11 (iPSC): pluripotency network (OCT4/SOX2/NANOG, KLF4, ZIC3, PRDM14, TEAD4).
CELL_PANELS: dict[str, tuple[str, ...]] = {
    "HepG2": (
        "HNF1A",
        "HNF1B",
        "HNF4A",
        "HNF4G",
        "FOXA1",
        "FOXA2",
        "FOXA3",
        "CEBPA",
        "CEBPB",
        "ONECUT1",
        "NR2F2",
        "PPARA::RXRA",
        "NR1H4::RXRA",
        "GATA4",
        "TEAD1",
    ),
    "K562": (
        "GATA1",
        "GATA1::TAL1",
        "TAL1::TCF3",
        "KLF1",
        "NFE2",
        "MAFK",
        "BACH1",
        "Runx1",
        "ZBTB7A",
        "Stat5a",
        "Gfi1B",
        "Spi1",
    ),
    "WTC11": (
        "POU5F1",
        "Pou5f1::Sox2",
        "SOX2",
        "Nanog",
        "KLF4",
        "Zic3",
        "Zic2",
        "TEAD4",
        "Prdm14",
        "OTX2",
        "MYCN",
        "ZFP42",
    ),
}

#: Yeast promoter regulators (JASPAR 2024 fungi): general regulatory factors and
#: nucleosome organisers (REB1, ABF1, RAP1, TBF1, RSC3/RSC30, CBF1), which dominate
#: random-promoter expression in de Boer et al. 2020 (Nat Biotechnol), plus the main
#: stress / nutrient / cell-cycle regulators and TBP (SPT15).
YEAST = (
    "REB1",
    "ABF1",
    "RAP1",
    "TBF1",
    "RSC3",
    "RSC30",
    "CBF1",
    "MCM1",
    "GCR1",
    "GCN4",
    "MSN2",
    "MSN4",
    "HSF1",
    "PHO4",
    "RPN4",
    "SFP1",
    "HAP2",
    "SKN7",
    "STE12",
    "TEC1",
    "YAP1",
    "MIG1",
    "ADR1",
    "AZF1",
    "SWI4",
    "MBP1",
    "FKH1",
    "FKH2",
    "ROX1",
    "UME6",
    "INO4",
    "LEU3",
    "SPT15",
    "DOT6",
    "TOD6",
    "SUM1",
)

#: panel name -> TF names. ``human`` is the core alone (human data, unknown cell type).
PANELS: dict[str, tuple[str, ...]] = {
    **{cell: HUMAN_CORE + tfs for cell, tfs in CELL_PANELS.items()},
    "human": HUMAN_CORE,
    "yeast": YEAST,
}

#: organism -> database short name (see :data:`regshift_bench.motifs.databases.DATABASES`).
ORGANISM_DATABASE = {
    "human": "jaspar_vertebrates",
    "mouse": "jaspar_vertebrates",
    "yeast": "jaspar_fungi",
    "fly": "jaspar_insects",
}


def choose_panel(organism: str | None, cell_type: str | None) -> tuple[str, str]:
    """(database, panel name) for a task's organism and cell type.

    Yeast -> JASPAR fungi + ``yeast``; human/mouse -> JASPAR vertebrates + the cell
    type's panel (``human`` core when the cell type has none). Unknown organism with a
    known human cell type -> human; nothing known -> vertebrates + ``human`` core.
    """
    org = (organism or "").lower()
    if org in ("yeast", "s_cerevisiae", "saccharomyces cerevisiae"):
        return "jaspar_fungi", "yeast"
    if cell_type in CELL_PANELS and org in ("", "human"):
        return "jaspar_vertebrates", str(cell_type)
    return ORGANISM_DATABASE.get(org, "jaspar_vertebrates"), "human"


# -- simulated tasks ----------------------------------------------------------------------
#: Built-in consensus motif -> the TF's name in HOCOMOCO v12 (UniProt mnemonics).
BUILTIN_TO_HOCOMOCO = {
    "AP1": "FOS",
    "CREB": "CREB1",
    "SP1": "SP1",
    "NFKB": "NFKB1",
    "GATA": "GATA1",
    "ETS": "ELK1",
    "CEBP": "CEBPB",
    "HNF1": "HNF1A",
    "HNF4": "HNF4A",
    "FOXA": "FOXA2",
    "EBOX": "MAX",
    "CTCF": "CTCF",
    "P53": "P53",
    "YY1": "TYY1",
    "TATA": "TBP",
    "NRF1": "NRF1",
    "SRF": "SRF",
    "NFY": "NFYA",
    "GR": "GCR",
    "ER": "ESR1",
    "STAT": "STAT3",
    "IRF": "IRF1",
    "MEF2": "MEF2A",
    "REST": "REST",
    "E2F": "E2F1",
    "PU1": "SPI1",
}
#: Gene symbols whose HOCOMOCO name differs (JASPAR <-> HOCOMOCO).
SYMBOL_TO_HOCOMOCO = {
    "YY1": "TYY1",
    "NR3C1": "GCR",
    "TP53": "P53",
    "RELA": "TF65",
    "TFAP2A": "AP2A",
    "ZNF143": "ZN143",
    "HOXA9": "HXA9",
}
#: Decoy TFs (HOCOMOCO names; JASPAR symbols via the table above) the built-in
#: simulator never uses: a prior should learn to ignore them.
DECOYS = ("PAX5", "SOX10", "MYOD1", "AP2A", "RUNX1", "EGR1", "HXA9", "TEAD1")


def to_hocomoco(name: str) -> str:
    """A built-in or JASPAR motif name as a HOCOMOCO TF name (heterodimers: first TF)."""
    if name.upper() in BUILTIN_TO_HOCOMOCO:
        return BUILTIN_TO_HOCOMOCO[name.upper()]
    first = name.split("::")[0].upper()
    return SYMBOL_TO_HOCOMOCO.get(first, first)


def to_jaspar(name: str) -> str:
    """A HOCOMOCO TF name as a JASPAR gene symbol."""
    back = {v: k for k, v in SYMBOL_TO_HOCOMOCO.items()}
    return back.get(name.upper(), name.upper())


def independent_panel(
    sim_names: tuple[str, ...], sim_source: str, sim_ids: tuple[str, ...], n_decoys: int, decoys_only: bool = False
) -> tuple[str, tuple[str, ...]]:
    """(database, TF names) for a simulated task: its TFs from another database + decoys.

    Parameters
    ----------
    sim_names, sim_ids : tuple of str, length m
        Names and ids of the simulator's motifs.
    sim_source : str
        Where the simulator's motifs came from (``"builtin"`` or a file path).
    n_decoys : int
        How many of :data:`DECOYS` to add (those the simulator does not use).
    decoys_only : bool
        Only the decoys (the ``decoys`` rung of the prior's quality ladder).
    """
    from_hocomoco = "hocomoco" in sim_source.lower() or any(".H12CORE." in i for i in sim_ids)
    if from_hocomoco:
        names = [to_jaspar(n.split(".")[0]) for n in sim_names]
        decoys = [to_jaspar(d) for d in DECOYS]
        database = "jaspar_vertebrates"
    else:
        names = [to_hocomoco(n) for n in sim_names]
        decoys = list(DECOYS)
        database = "hocomoco"
    used = {n.upper() for n in names}
    extra = [d for d in decoys if d.upper() not in used][: max(int(n_decoys), 0)]
    return database, tuple(dict.fromkeys(([] if decoys_only else names) + extra))
