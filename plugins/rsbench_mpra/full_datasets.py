"""The optional full-size datasets (MPRA-MNIST's reprocessed tables), pinned by MD5.

The MPRA-MNIST project publishes the full tables on Zenodo and its package verifies
each download with an MD5 sum (``mpramnist/info.py``); those sums are the pins here
(no SHA-256 is published, and none is invented). The datasets are ``optional``:
``rsbench data fetch --all`` leaves them out; ``rsbench data fetch lentimpra_full``
(and so on) gets them. The task reading ``lentimpra_full`` is in :mod:`rsbench_mpra.full`;
this catalogue imports nothing heavy, since registering the datasets loads it.
"""

from __future__ import annotations

from regshift_bench.datasets import DataFile, Dataset

_ZENODO = "https://zenodo.org/records"
_CHECKSUMS = (
    "MD5 sums as verified by the MPRA-MNIST package (mpramnist/info.py at "
    "commit 667c27606abef8850a0c8fd2c73ebf9b36c99bd7)"
)


def _zenodo(record: str, name: str, md5: str) -> DataFile:
    return DataFile(name, None, 0, f"{_ZENODO}/{record}/files/{name}?download=1", md5=md5)


def _full(
    name: str, folder: str, title: str, files: tuple[DataFile, ...], citation: str, tasks: tuple[str, ...] = ()
) -> Dataset:
    return Dataset(
        name,
        f"full/{folder}",
        title,
        files,
        tasks,
        optional=True,
        source=f"MPRA-MNIST reprocessed tables on Zenodo; {_CHECKSUMS}",
        licence="not stated in the MPRA-MNIST package; see the Zenodo record, and cite the original study",
        citation=citation,
    )


_AGARWAL = (
    "Agarwal V, Inoue F, Schubach M, et al. Massively parallel characterization of "
    "transcriptional regulatory elements. Nature (2025). doi:10.1038/s41586-024-08430-9"
)

FULL_DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        _full(
            "lentimpra_full",
            "agarwal2025_lentimpra",
            "Agarwal et al. lentiMPRA, every sequence: HepG2 122,926, K562 196,664, WTC11 46,185",
            (
                _zenodo("17453603", "Agarwal_HepG2.tsv", "13766f66e19d57c250fe733f4f521bc9"),
                _zenodo("17453603", "Agarwal_K562.tsv", "27e61525d4344da4d40f60cceadb6069"),
                _zenodo("17453603", "Agarwal_WTC11.tsv", "831ac9bfe38d103e67492dc3a3618ff8"),
                _zenodo("18969018", "AgarwalJoint_joint_data.tsv", "b974b97992fd15d668a5fe5d9befd361"),
            ),
            _AGARWAL,
            ("mpra_k562",),
        ),
        _full(
            "dream_yeast_full",
            "dream2022_yeast",
            "DREAM 2022 yeast: ~6.7M training sequences, the single and paired test sets",
            (
                _zenodo("15195607", "Dream_train.tsv", "a7f71419d75b048a1f1b84c352b3ab78"),
                _zenodo("15195607", "Dream_single.tsv", "1bcbc80702d74151c57e2da8a82b2c7a"),
                _zenodo("15195607", "Dream_paired.tsv", "7512ae3f91711af4331210548cb3cb52"),
            ),
            "Rafi AM, Nogina D, Penzar D, et al. A community effort to optimize sequence-based "
            "deep learning models of gene regulation. Nat Biotechnol (2024). "
            "doi:10.1038/s41587-024-02414-w",
        ),
        _full(
            "deepstarr_full",
            "deepstarr",
            "DeepSTARR Drosophila STARR-seq, 282,892 sequences",
            (_zenodo("17724143", "DeepStarr_all_chr.tsv", "78fc4954eb5cf5343beff1788c7c225c"),),
            "de Almeida BP, Reiter F, Pagani M, Stark A. DeepSTARR predicts enhancer activity from "
            "DNA sequence and enables the de novo design of synthetic enhancers. Nat Genet (2022). "
            "doi:10.1038/s41588-022-01048-5",
        ),
        _full(
            "kircher_satmut_full",
            "kircher2019_satmut",
            "Kircher et al. 2019 saturation mutagenesis, every element",
            (_zenodo("17453603", "Kircher_GRCh38_ALL.tsv", "eacbb118660a3bd39575d88b1a03f7a7"),),
            "Kircher M, Xiong C, Martin B, et al. Saturation mutagenesis of twenty "
            "disease-associated regulatory elements at single base-pair resolution. Nat Commun "
            "10, 3583 (2019). doi:10.1038/s41467-019-11526-w",
        ),
        _full(
            "sharpr_full",
            "ernst2016_sharpr",
            "Sharpr-MPRA, full design",
            (_zenodo("17723590", "Sharpr_all_chr.tsv", "a3f66e56506013e58d869258922bce46"),),
            "Ernst J, Melnikov A, Zhang X, et al. Genome-scale high-resolution mapping of activating "
            "and repressive nucleotides in regulatory regions. Nat Biotechnol 34 (2016). "
            "doi:10.1038/nbt.3678",
        ),
        _full(
            "vaishnav_full",
            "vaishnav2022_yeast",
            "Vaishnav et al. 2022 yeast promoter drift, complex and defined media",
            (
                _zenodo("15195607", "Vaishnav_complex_drift.tsv", "26eb589f80e6f7922d4fdcc561ff5e52"),
                _zenodo("15195607", "Vaishnav_defined_drift.tsv", "ff0cee1369303c0cc3469680027f432c"),
            ),
            "Vaishnav ED, de Boer CG, Molinet J, et al. The evolution, evolvability and "
            "engineering of gene regulatory DNA. Nature 603 (2022). "
            "doi:10.1038/s41586-022-04506-6",
        ),
        _full(
            "malinois_full",
            "gosai2024_malinois",
            "Gosai et al. (Malinois) MPRA, K562, HepG2 and SK-N-SH",
            (_zenodo("17453603", "Malinois_Table_S2.tsv", "6b17ac4091c28ead54cf962ed557b3b4"),),
            "Gosai SJ, Castro RI, Fuentes N, et al. Machine-guided design of cell-type-targeting "
            "cis-regulatory elements. Nature 634 (2024). doi:10.1038/s41586-024-08070-z",
        ),
    )
}
