"""The catalogue of datasets the built-in tasks read: folders, pinned checksums, origins.

Each :class:`~regshift_bench.datasets.DataFile` is pinned by SHA-256. Public
originals carry the URL they are fetched from (a GitHub raw URL at a fixed commit);
derived tables carry no URL and are made locally by the dataset's ``derive``
function (:mod:`rsbench_mpra.derive`, one module per dataset) from its pinned
``sources``, then checked against their pins. The plugin registers every entry of
:data:`DATASETS` with the ``rsbench_register_datasets`` hook; fetching, deriving and
verifying live in the core (:mod:`regshift_bench.datasets`).
"""

from __future__ import annotations

from pathlib import Path

from regshift_bench.datasets import DataFile, Dataset
from regshift_bench.datasets import locate as _locate
from regshift_bench.errors import UnknownNameError
from rsbench_mpra.derive import dream_yeast, kircher, lentimpra, motifs, sharpr
from rsbench_mpra.full_datasets import FULL_DATASETS

__all__ = ["DATASETS", "DataFile", "Dataset", "get_dataset", "locate"]


def _sharpr_raw(library: str) -> DataFile:
    """A GEO count file, kept unchanged in ``raw_geo_GSE71279/``."""
    source = next(s for s in sharpr.SOURCES if s.path.endswith(sharpr.raw_name(library)))
    return DataFile(f"raw_geo_GSE71279/{sharpr.raw_name(library)}", source.sha256, source.size, source.url)


def _transfac(taxon: str) -> DataFile:
    """A JASPAR 2024 TRANSFAC file, kept unchanged."""
    source = next(s for s in motifs.SOURCES if s.url == motifs.TRANSFAC_URLS[taxon])
    return DataFile(
        f"jaspar2024_transfac_original/{motifs.transfac_name(taxon)}", source.sha256, source.size, source.url
    )


_GH = "https://raw.githubusercontent.com"
_NO_LICENCE = "no licence file in the repository"

LENTIMPRA = Dataset(
    "lentimpra",
    "mpra/agarwal2025_lentimpra",
    "Agarwal et al. 2025 lentiMPRA, HepG2 folds 9-10 + WTC11 public subsets",
    (
        DataFile("hepg2_folds9-10.tsv.gz", "c2a62b37921acaab2cc886ae258e6f6959a79bfcc028bfd1a0fad96dc52e6a5c", 1889867),
        DataFile(
            "wtc11_union_subset.tsv.gz", "e07628be6fa08f7b334a8c6a621b316d9164a53a9795763acc64056750157fc6", 1654997
        ),
    ),
    ("mpra_hepg2", "mpra_wtc11"),
    sources=lentimpra.SOURCES,
    derive=lentimpra.derive,
    source="autosome-imtf/MPRA-MNIST, autosome-ru/human_legnet and "
    "de-Boer-Lab/random-promoter-dream-challenge-2022 on GitHub (pinned commits)",
    licence=f"MPRA-MNIST: {_NO_LICENCE}; human_legnet: MIT; DREAM challenge repository: MIT",
    citation="Agarwal V, Inoue F, Schubach M, et al. Massively parallel characterization of "
    "transcriptional regulatory elements. Nature (2025). doi:10.1038/s41586-024-08430-9",
)

SHARPR_PILOT = Dataset(
    "sharpr_pilot",
    "mpra/ernst2016_sharpr_pilot",
    "Ernst et al. 2016 Sharpr-MPRA pilot, GEO GSE71279 barcode counts",
    (
        *(_sharpr_raw(lib) for lib in sharpr.LIBRARIES),
        DataFile(
            "pilot_barcode_counts.tsv.gz", "e15dc39175c51bde9dba6291573007456f23992ff492da51b8362d010c678e75", 914202
        ),
        # Pinned: the rounded rendering this code writes; accepted: the earlier full-precision
        # rendering (its log2 values differ from the rounded ones by < 5e-13).
        DataFile(
            "pilot_sequence_summary.tsv.gz",
            "f7d48fed0ce0847293545082d869f6ae4b442eaf54038aa3e05342d8cd495531",
            212592,
            accept=("b81bb28aecdfeba24b8b41f3503a73408d6d239c5cd2f9f3bdacd9e907ac18e6",),
        ),
    ),
    ("sharpr_pilot",),
    sources=sharpr.SOURCES,
    derive=sharpr.derive,
    source="NCBI GEO GSE71279 (samples GSM1831777-GSM1831782), via the unmodified copy in "
    "diego-calderon-lab/MPRA on GitHub",
    licence="GEO records (NCBI places no restriction on their use; cite the publication and "
    f"GSE71279); the GitHub copy: {_NO_LICENCE}",
    citation="Ernst J, Melnikov A, Zhang X, et al. Genome-scale high-resolution mapping of "
    "activating and repressive nucleotides in regulatory regions. Nat Biotechnol 34 "
    "(2016). doi:10.1038/nbt.3678",
)

DREAM_YEAST = Dataset(
    "dream_yeast",
    "expression/dream2022_yeast_random_promoters",
    "DREAM 2022 yeast random promoters: demo training data + labelled public test",
    (
        DataFile("demo_train.tsv.gz", "2dd14a7d276ed4e867a72c1f16ca92438f0dd7a0f63227d94a902b7ffe846137", 201723),
        DataFile(
            "public_leaderboard_labeled.tsv.gz",
            "86571b18d2c63488b3baa334974932cffd1d0b23cf01e13a71a3a1fe1a43814a",
            79200,
        ),
        DataFile(
            "public_leaderboard_pairs.tsv.gz", "c34458920336de1ef5e2869d3d53d1e3aad09bae96f3dfbe2ed562420c9efff9", 11289
        ),
    ),
    ("dream_yeast",),
    sources=dream_yeast.SOURCES,
    derive=dream_yeast.derive,
    source="de-Boer-Lab/random-promoter-dream-challenge-2022 on GitHub (pinned commit)",
    licence="MIT (repository LICENSE, Copyright 2024 de Boer lab)",
    citation="Rafi AM, Nogina D, Penzar D, et al. A community effort to optimize "
    "sequence-based deep learning models of gene regulation. Nat Biotechnol (2024). "
    "doi:10.1038/s41587-024-02414-w",
)

KIRCHER_SATMUT = Dataset(
    "kircher_satmut",
    "mpra/kircher2019_satmut",
    "Kircher et al. 2019 saturation mutagenesis of 20 regulatory elements",
    (
        DataFile("satmut_variants.tsv.gz", "142a8e8893328f6a722feca15899d4c3557868af3a75f856865c5a3a8e907768", 1424703),
        DataFile(
            "element_reference_GRCh38.fa", "35322e2484cab3f3d53c4e553450222e0265d7522518326fdd24eedc65ce221c", 16428
        ),
    ),
    ("kircher_satmut",),
    sources=kircher.SOURCES,
    derive=kircher.derive,
    source="kircherlab/MPRA_SaturationMutagenesis on GitHub (data portal, pinned commit); GEO GSE126550",
    licence="repository LICENSE: GNU GPL v3 (the app code; its DESCRIPTION says MIT); no "
    "separate data licence, the portal asks users to cite the paper",
    citation="Kircher M, Xiong C, Martin B, et al. Saturation mutagenesis of twenty "
    "disease-associated regulatory elements at single base-pair resolution. Nat "
    "Commun 10, 3583 (2019). doi:10.1038/s41467-019-11526-w",
)

MOTIFS = Dataset(
    "motifs",
    "motifs",
    "JASPAR 2022/2024 and HOCOMOCO v12 motif PWMs",
    (
        DataFile(
            "JASPAR2022_CORE_non-redundant_pfms.meme",
            "e9b25223df69b49353ff841a9afe34984477ee788227efce787700aee4effff9",
            1229369,
            f"{_GH}/Genentech/gReLU/a1b7d4ad0d2e066a6f949905f90f87fb7afd0d3f/src/grelu/resources/meme/JASPAR2022_CORE_non-redundant_pfms_meme.txt",
        ),
        DataFile(
            "JASPAR2024_CORE_vertebrates_non-redundant.meme",
            "ed8629939e82656d2eba37a1d50ec3cc37fb4596d1275b1d672dc8cfe2414b51",
            468266,
        ),
        DataFile(
            "JASPAR2024_CORE_fungi_non-redundant.meme",
            "bc797035a73e52147039093ba557df8e274ddbffcb6bc87ebba5eb844b5485dc",
            79020,
        ),
        DataFile(
            "JASPAR2024_CORE_insects_non-redundant.meme",
            "50fbf5a16e65d0bd32bbcbeb834549e6fb5391f46dd4d07ea433d4593453a7de",
            136842,
        ),
        DataFile(
            "HOCOMOCO_v12_H12CORE.meme.gz", "1e23f58807feec730e158000968109a9a279de43378690ac6ebbda48691945a8", 518955
        ),
        *(_transfac(t) for t in motifs.TAXA),
    ),
    sources=motifs.SOURCES,
    derive=motifs.derive,
    source="Genentech/gReLU (JASPAR 2022 and HOCOMOCO v12 MEME files) and "
    "rsa-tools/motif_databases (JASPAR 2024 TRANSFAC files) on GitHub (pinned commits)",
    licence="JASPAR: CC BY 4.0; HOCOMOCO: WTFPL (or CC BY, at the user's choice); gReLU repository: MIT",
    citation="Castro-Mondragon JA, et al. JASPAR 2022. Nucleic Acids Res (2022) "
    "doi:10.1093/nar/gkab1113; Rauluseviciute I, et al. JASPAR 2024. Nucleic Acids "
    "Res (2024) doi:10.1093/nar/gkad1059; Vorontsov IE, et al. HOCOMOCO v12. Nucleic "
    "Acids Res (2024) doi:10.1093/nar/gkad1077",
)

#: Every catalogued dataset: the five the shipped suites read, then the optional
#: full-size tables (:mod:`rsbench_mpra.full`, not fetched by ``--all``).
DATASETS: dict[str, Dataset] = {
    d.name: d for d in (LENTIMPRA, SHARPR_PILOT, DREAM_YEAST, KIRCHER_SATMUT, MOTIFS, *FULL_DATASETS.values())
}


def get_dataset(name: str) -> Dataset:
    """The catalogue entry ``name``; unknown names raise with close matches."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownNameError("dataset", name, list(DATASETS)) from None


def locate(name: str, path: str) -> Path:
    """Absolute path of ``path`` of catalogue dataset ``name`` in the data directory.

    Raises
    ------
    DataMissingError
        One line naming where it looked and how to get the dataset.
    """
    return _locate(get_dataset(name), path)
