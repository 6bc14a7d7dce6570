"""The catalogue of datasets the built-in tasks read: folders and pinned checksums.

Each :class:`~regshift_bench.datasets.DataFile` is pinned by SHA-256. Public
originals carry the URL they are fetched from (a GitHub raw URL at a fixed commit,
verified against the git blob ids recorded in the folder's SOURCE.md); derived
tables made from them carry no URL and are fetched only from a mirror given with
``--url``. The plugin registers every entry of :data:`DATASETS` with the
``rsbench_register_datasets`` hook; describing, verifying and fetching live in the
core (:mod:`regshift_bench.datasets`).
"""

from __future__ import annotations

from pathlib import Path

from regshift_bench.datasets import DataFile, Dataset
from regshift_bench.datasets import locate as _locate
from regshift_bench.errors import UnknownNameError

__all__ = ["DATASETS", "DataFile", "Dataset", "get_dataset", "locate"]

_GH = "https://raw.githubusercontent.com"
_SHARPR = (f"{_GH}/diego-calderon-lab/MPRA/f100c49c551fa65f062145840732c2c8f2cab54d/"
           "MPRA_dataset/GSE71279_RAW")
_RSAT = f"{_GH}/rsa-tools/motif_databases/3545ff131339f00a0ba1915963a5bb58d6de6219/JASPAR/Jaspar_2024"


def _sharpr_raw(sample: str, name: str, sha: str, size: int) -> DataFile:
    fname = f"{sample}_{name}.counts.txt.gz"
    return DataFile(f"raw_geo_GSE71279/{fname}", sha, size, f"{_SHARPR}/{fname}")


DATASETS: dict[str, Dataset] = {d.name: d for d in (
    Dataset("lentimpra", "mpra/agarwal2025_lentimpra",
            "Agarwal et al. 2025 lentiMPRA, HepG2 folds 9-10 + WTC11 public subsets", (
                DataFile("hepg2_folds9-10.tsv.gz", "c2a62b37921acaab2cc886ae258e6f6959a79bfcc028bfd1a0fad96dc52e6a5c", 1889867),
                DataFile("wtc11_union_subset.tsv.gz", "e07628be6fa08f7b334a8c6a621b316d9164a53a9795763acc64056750157fc6", 1654997),
            ), ("mpra_hepg2", "mpra_wtc11")),
    Dataset("sharpr_pilot", "mpra/ernst2016_sharpr_pilot",
            "Ernst et al. 2016 Sharpr-MPRA pilot, GEO GSE71279 barcode counts", (
                _sharpr_raw("GSM1831777", "HepG2_PilotDesign_SV40P_mRNA_Rep1", "9538d0aadc051c1ad6f80ce00b82023d22b74ff3d102926a062d9e8e3d94d70e", 363947),
                _sharpr_raw("GSM1831778", "HepG2_PilotDesign_SV40P_mRNA_Rep2", "20e858abb73a50b26dcc0cbdb16e6dcb836dbd9fe59ef44c46e8c77b0dd5afcb", 362464),
                _sharpr_raw("GSM1831779", "K562_PilotDesign_SV40P_mRNA_Rep1", "a4170510dfe02ff8c26cc82e4d1160ccc5d84468eb68d7c1390193b8d7851b4f", 350072),
                _sharpr_raw("GSM1831780", "K562_PilotDesign_SV40P_mRNA_Rep2", "261e946f455ab35a772b932e202bbcc54006b70a2721ede93c27f0af6713d6b1", 348433),
                _sharpr_raw("GSM1831781", "PilotDesign_SV40P_Plasmid_Rep1", "6db9d3db5cf97aa45942c2c28f99d1708234c807950514abc5aad7aa0d0c3a12", 371394),
                _sharpr_raw("GSM1831782", "PilotDesign_SV40P_Plasmid_Rep2", "de090d92cdda2b0b7c3ed7a07ccc4903e344143607c332f962e22d3677459e64", 370005),
            ), ("sharpr_pilot",)),
    Dataset("dream_yeast", "expression/dream2022_yeast_random_promoters",
            "DREAM 2022 yeast random promoters: demo training data + labelled public test", (
                DataFile("demo_train.tsv.gz", "2dd14a7d276ed4e867a72c1f16ca92438f0dd7a0f63227d94a902b7ffe846137", 201723),
                DataFile("public_leaderboard_labeled.tsv.gz", "86571b18d2c63488b3baa334974932cffd1d0b23cf01e13a71a3a1fe1a43814a", 79200),
                DataFile("public_leaderboard_pairs.tsv.gz", "c34458920336de1ef5e2869d3d53d1e3aad09bae96f3dfbe2ed562420c9efff9", 11289),
            ), ("dream_yeast",)),
    Dataset("kircher_satmut", "mpra/kircher2019_satmut",
            "Kircher et al. 2019 saturation mutagenesis of 20 regulatory elements", (
                DataFile("satmut_variants.tsv.gz", "142a8e8893328f6a722feca15899d4c3557868af3a75f856865c5a3a8e907768", 1424703),
                DataFile("element_reference_GRCh38.fa", "35322e2484cab3f3d53c4e553450222e0265d7522518326fdd24eedc65ce221c", 16428),
            ), ("kircher_satmut",)),
    Dataset("motifs", "motifs", "JASPAR 2022/2024 and HOCOMOCO v12 motif PWMs", (
        DataFile("JASPAR2022_CORE_non-redundant_pfms.meme", "e9b25223df69b49353ff841a9afe34984477ee788227efce787700aee4effff9", 1229369,
                 f"{_GH}/Genentech/gReLU/a1b7d4ad0d2e066a6f949905f90f87fb7afd0d3f/src/grelu/resources/meme/JASPAR2022_CORE_non-redundant_pfms_meme.txt"),
        DataFile("JASPAR2024_CORE_vertebrates_non-redundant.meme", "ed8629939e82656d2eba37a1d50ec3cc37fb4596d1275b1d672dc8cfe2414b51", 468266),
        DataFile("JASPAR2024_CORE_fungi_non-redundant.meme", "bc797035a73e52147039093ba557df8e274ddbffcb6bc87ebba5eb844b5485dc", 79020),
        DataFile("JASPAR2024_CORE_insects_non-redundant.meme", "50fbf5a16e65d0bd32bbcbeb834549e6fb5391f46dd4d07ea433d4593453a7de", 136842),
        DataFile("HOCOMOCO_v12_H12CORE.meme.gz", "1e23f58807feec730e158000968109a9a279de43378690ac6ebbda48691945a8", 518955),
        DataFile("jaspar2024_transfac_original/JASPAR2024_CORE_vertebrates_non-redundant_pfms_transfac.txt", "0196cf785599aab1a64cc78dc0a087dfefae932bd3b75053caedfab1c52ddd4e", 447831,
                 f"{_RSAT}/JASPAR2024_CORE_vertebrates_non-redundant_pfms_transfac.txt"),
        DataFile("jaspar2024_transfac_original/JASPAR2024_CORE_fungi_non-redundant_pfms_transfac.txt", "b3203c906ee947d14978e562bd8fd7da0ed44b5a3da670cb91cefb419f02896b", 72887,
                 f"{_RSAT}/JASPAR2024_CORE_fungi_non-redundant_pfms_transfac.txt"),
        DataFile("jaspar2024_transfac_original/JASPAR2024_CORE_insects_non-redundant_pfms_transfac.txt", "1f42c611618974719c6a56b22455936aa2c41cf9fe3370f3679729d173f92b1f", 133869,
                 f"{_RSAT}/JASPAR2024_CORE_insects_non-redundant_pfms_transfac.txt"),
    )),
)}


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
