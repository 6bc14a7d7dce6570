"""Agarwal et al. lentiMPRA: the HepG2 and WTC11 tables, from three public repositories.

Steps (every row of every listed file is kept; nothing is sampled):

HepG2 (``hepg2_folds9-10.tsv.gz``)
    1. Stack MPRA-MNIST's ``val_HepG2.tsv`` (fold 9) and ``test_HepG2.tsv`` (fold 10),
       in file order.
    2. Annotate each row (:func:`annotate`): orientation, element class, pair key and
       the GC fraction of the 200-nt core (nucleotides 16-215; the 15-nt adapters
       on both sides are checked on every row).

WTC11 (``wtc11_union_subset.tsv.gz``)
    1. Legnet folds: MPRA-MNIST ``val_WTC11``/``test_WTC11`` (folds 9/10, with ids) and
       human_legnet's tutorial ``WTC11_test``/``WTC11_valid`` (folds 1/2, no ids).
    2. The DREAM repository's three human sample files overlap; collapse them to one
       row per sequence, keeping the DREAM fold and the sorted, ``;``-joined list of
       sample files (``train``, ``valid``, ``test``); rewrite the ``_Reversed:`` id
       mark as ``_R``. Id, value and fold must agree across copies.
    3. Merge 1 and 2 on the exact sequence (outer join); where both have a row, the
       activity values must be equal and the ids must not contradict; the id is the
       legnet one (else DREAM's) and the sources are joined with ``+``.
    4. Annotate as for HepG2. An id-less row whose orientation partner (same pair
       key) has an ``_F``/``_R`` id takes the partner's id with the opposite suffix
       (``id_inferred_from_partner``).
    5. Sort by pair key, then sequence.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rsbench_mpra.derive.tables import gc_fraction, original, require, reverse_complement, write_tsv_gz

if TYPE_CHECKING:  # for annotations; imported where used, so the dataset catalogue loads light
    import pandas as pd

_MNIST = "autosome-imtf/MPRA-MNIST/0a4b122102a076e52c14dbfc1c38f9ca55988fb4/datasets/Vikram_splited"
_LEGNET = "autosome-ru/human_legnet/1f167828678d55949078306e1d2a77576d268920/tutorial/dataset"
_DREAM = (
    "de-Boer-Lab/random-promoter-dream-challenge-2022/f7b2e197f673319aaae3ef460b7f9980f74304af/benchmarks/human/data"
)

SOURCES = (
    original(f"{_MNIST}/val_HepG2.tsv", "18ae15e1ec4325d02ed682b9a78579e72198ea2eb00100d4dbca0ba41ccfca1c", 3273509),
    original(f"{_MNIST}/test_HepG2.tsv", "bb41689f33ec0488ed483d0bd8653367eb03766b0d57cd9f06f8cd8127755930", 3274488),
    original(f"{_MNIST}/val_WTC11.tsv", "d708a8d2188f7453e53e148d59ab4f98aa15e2dada8ad0c7f41d2b2acd1961d1", 1153894),
    original(f"{_MNIST}/test_WTC11.tsv", "af564348af93616934b0d8462b69ed48d0ba6d8653c3de4fda7e8933140a7f84", 1155094),
    original(f"{_LEGNET}/WTC11_valid.tsv", "7caa09eb6870e9a0e6c557f879c6abc330b654c29908663da06a2a544294afb7", 1097282),
    original(f"{_LEGNET}/WTC11_test.tsv", "e4cd3b668117818f07a311ea989c05825ab4481124796d331137642084c6ceaa", 1097968),
    original(f"{_DREAM}/sample_train.txt", "f70b10aba904dfaccf4b1c6e00f7aa818c4ccac078ab93cb6fcd928975840887", 255433),
    original(f"{_DREAM}/sample_valid.txt", "37335175d7132d0556f1e5643e55bd991f0a48bebff360e1335f870319c2bac7", 255932),
    original(f"{_DREAM}/sample_test.txt", "f52f30144dd13de49635ab7b902a5fd21b04b94d35d06b9691a1314ea470d233", 255759),
)

LEFT_ADAPTER, RIGHT_ADAPTER = "AGGACCGGATCAACT", "CATTGCGTGAACCGA"
WTC11_COLUMNS = [
    "seq_id",
    "seq",
    "mean_value",
    "fold_legnet",
    "fold_dream",
    "dream_split",
    "orientation",
    "element_class",
    "pair_key",
    "gc_core200",
    "source",
    "id_inferred_from_partner",
]


def orientation(seq_id: str) -> str:
    """``reverse`` for ids marked ``_Reversed`` or ending in ``_R``; ``unknown`` without id."""
    if not seq_id:
        return "unknown"
    return "reverse" if "_Reversed" in seq_id or seq_id.endswith("_R") else "forward"


def element_class(seq_id: str) -> str:
    """``promoter`` for ``ENSG`` ids, ``enhancer_candidate`` for others, ``unknown`` without."""
    if not seq_id:
        return "unknown"
    return "promoter" if seq_id.startswith("ENSG") else "enhancer_candidate"


def annotate(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``pair_key`` and ``gc_core200`` from the 200-nt core of each 230-nt construct.

    The pair key is the lexicographically smaller of the core and its reverse
    complement, shared by the two orientations of one element.
    """
    seqs = frame["seq"].tolist()
    require(
        all(len(s) == 230 and s.startswith(LEFT_ADAPTER) and s.endswith(RIGHT_ADAPTER) for s in seqs),
        "a lentiMPRA row lacks its 15-nt adapters",
    )
    cores = [s[15:215] for s in seqs]
    frame["pair_key"] = [min(c, reverse_complement(c)) for c in cores]
    frame["gc_core200"] = [gc_fraction(c) for c in cores]
    return frame


def _read(path: Path) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(path, sep="\t", dtype={"seq_id": str, "seq": str}, keep_default_na=False)


def hepg2(sources: Mapping[str, Path]) -> pd.DataFrame:
    """The HepG2 table (24,590 rows): folds 9 and 10, annotated."""
    import pandas as pd

    parts = []
    for name, fold in (("val_HepG2.tsv", 9), ("test_HepG2.tsv", 10)):
        part = pd.read_csv(sources[name], sep="\t", dtype=str, keep_default_na=False)
        part["fold"] = fold
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["orientation"] = [orientation(i) for i in frame["seq_id"]]
    frame["element_class"] = [element_class(i) for i in frame["seq_id"]]
    return annotate(frame)


def _legnet_folds(sources: Mapping[str, Path]) -> pd.DataFrame:
    import pandas as pd

    parts = []
    for name, fold, label in (
        ("val_WTC11.tsv", 9, "MPRA-MNIST:val_WTC11"),
        ("test_WTC11.tsv", 10, "MPRA-MNIST:test_WTC11"),
        ("WTC11_test.tsv", 1, "human_legnet:tutorial/WTC11_test"),
        ("WTC11_valid.tsv", 2, "human_legnet:tutorial/WTC11_valid"),
    ):
        part = _read(sources[name])
        if "seq_id" not in part:
            part.insert(0, "seq_id", "")
        part["fold_legnet"], part["source"] = fold, label
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    require(not frame["seq"].duplicated().any(), "the legnet WTC11 subsets overlap")
    return frame


def _dream_sample(sources: Mapping[str, Path]) -> pd.DataFrame:
    import pandas as pd

    parts = []
    for split in ("train", "valid", "test"):
        part = _read(sources[f"sample_{split}.txt"])
        part["dream_split"] = split
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["seq_id"] = frame["seq_id"].str.replace("_Reversed:", "_R", regex=False)
    groups = frame.groupby("seq", sort=False)
    require(
        bool((groups[["seq_id", "mean_value", "fold"]].nunique() == 1).all().all()),
        "copies of one DREAM sample sequence disagree",
    )
    out = groups.agg(
        seq_id=("seq_id", "first"),
        mean_value=("mean_value", "first"),
        fold_dream=("fold", "first"),
        dream_split=("dream_split", lambda s: ";".join(sorted(set(s)))),
    ).reset_index()
    out["source"] = "dream2022:benchmarks/human/sample"
    return out


def _merge(legnet: pd.DataFrame, dream: pd.DataFrame) -> pd.DataFrame:
    import numpy as np

    merged = legnet.merge(dream, on="seq", how="outer", suffixes=("", "_d"), indicator=True)
    both = (merged["_merge"] == "both").to_numpy()
    require(
        bool((merged["mean_value"] == merged["mean_value_d"])[both].all()),
        "lentiMPRA WTC11 sources disagree on an activity value",
    )
    ids, ids_d = merged["seq_id"].fillna(""), merged["seq_id_d"].fillna("")
    require(
        bool(((ids == "") | (ids_d == "") | (ids == ids_d))[both].all()), "lentiMPRA WTC11 sources disagree on an id"
    )
    merged["seq_id"] = np.where(ids != "", ids, ids_d)
    merged["mean_value"] = merged["mean_value"].fillna(merged["mean_value_d"])
    merged["source"] = [
        "+".join(s for s in pair if isinstance(s, str)) for pair in zip(merged["source"], merged["source_d"])
    ]
    return merged


def _infer_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Give id-less rows their partner's ``_F``/``_R`` id with the opposite suffix."""
    by_key: dict[str, list[str]] = {}
    for key, seq_id in zip(frame["pair_key"], frame["seq_id"]):
        if seq_id:
            by_key.setdefault(key, []).append(seq_id)
    ids, inferred = frame["seq_id"].tolist(), [False] * len(frame)
    for row, key in enumerate(frame["pair_key"]):
        partners = [p for p in by_key.get(key, []) if p.endswith(("_F", "_R"))]
        if not ids[row] and len(partners) == 1:
            ids[row] = partners[0][:-2] + ("_R" if partners[0].endswith("_F") else "_F")
            inferred[row] = True
    frame["seq_id"], frame["id_inferred_from_partner"] = ids, inferred
    return frame


def wtc11(sources: Mapping[str, Path]) -> pd.DataFrame:
    """The WTC11 union table (20,473 rows), sorted by pair key then sequence."""
    frame = annotate(_merge(_legnet_folds(sources), _dream_sample(sources)))
    frame = _infer_ids(frame)
    frame["orientation"] = [orientation(i) for i in frame["seq_id"]]
    frame["element_class"] = [element_class(i) for i in frame["seq_id"]]
    frame = frame.sort_values(["pair_key", "seq"], kind="mergesort")
    return frame[WTC11_COLUMNS]


def derive(sources: Mapping[str, Path], out: Path) -> None:
    """Write ``hepg2_folds9-10.tsv.gz`` and ``wtc11_union_subset.tsv.gz`` under ``out``."""
    write_tsv_gz(hepg2(sources), out / "hepg2_folds9-10.tsv.gz")
    write_tsv_gz(wtc11(sources), out / "wtc11_union_subset.tsv.gz")
