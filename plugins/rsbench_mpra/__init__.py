"""Built-in plugin rsbench_mpra: real MPRA tasks, a table loader and real-data shifts.

Tasks: ``table`` (a user's own table, via a task file), ``mpra_hepg2`` and
``mpra_wtc11`` (Agarwal lentiMPRA), ``sharpr_pilot`` (Ernst Sharpr-MPRA pilot,
activity recomputed from barcode counts), ``dream_yeast`` (DREAM 2022 yeast).
Shifts: ``random``, ``gc_extremes``, ``element_class``, ``cell_type``,
``random_to_native``. Datasets (registered with ``rsbench_register_datasets``):
``lentimpra``, ``sharpr_pilot``, ``dream_yeast``, ``kircher_satmut``, ``motifs``,
catalogued with pinned checksums in :mod:`rsbench_mpra.datasets`. Data is read from
the data directory (``regshift_bench.paths.data_dir``); see ``rsbench data list``.

Tasks and shifts are registered as :func:`~regshift_bench.api.lazy` factories with
what ``rsbench list`` shows, so loading the plugin imports none of their modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from regshift_bench import hookimpl
from regshift_bench.api.lazy_factory import lazy

if TYPE_CHECKING:
    from rsbench_mpra.dream import DreamYeastTask
    from rsbench_mpra.kircher import KircherSatMut
    from rsbench_mpra.lentimpra import LentiMPRAHepG2, LentiMPRAWTC11
    from rsbench_mpra.sharpr import SharprPilotTask
    from rsbench_mpra.shifts import ElementClass, GCExtremes, RandomSplit
    from rsbench_mpra.shifts_domain import CellType, RandomToNative
    from rsbench_mpra.table_task import TableTask
    from rsbench_mpra.variants_task import VariantEffect, VariantsTask

__all__ = [
    "CellType",
    "DreamYeastTask",
    "ElementClass",
    "GCExtremes",
    "LentiMPRAHepG2",
    "LentiMPRAWTC11",
    "RandomSplit",
    "RandomToNative",
    "SharprPilotTask",
    "TableTask",
    "KircherSatMut",
    "VariantEffect",
    "VariantsTask",
]

#: Exported class -> its module, imported when the name is first read.
_EXPORTS = {
    "CellType": "shifts_domain",
    "DreamYeastTask": "dream",
    "ElementClass": "shifts",
    "GCExtremes": "shifts",
    "LentiMPRAHepG2": "lentimpra",
    "LentiMPRAWTC11": "lentimpra",
    "RandomSplit": "shifts",
    "RandomToNative": "shifts_domain",
    "SharprPilotTask": "sharpr",
    "TableTask": "table_task",
    "KircherSatMut": "kircher",
    "VariantEffect": "variants_task",
    "VariantsTask": "variants_task",
}


def _task(target: str) -> Any:
    """A fixed task without an oracle (every task of this plugin), loaded on use."""
    return lazy(f"rsbench_mpra.{target}", kind="fixed", has_oracle=False)


def _shift(
    target: str, kind: str, changes_train: bool, changes_inputs: bool, default_severities: tuple[float, ...]
) -> Any:
    return lazy(
        f"rsbench_mpra.{target}",
        kind=kind,
        changes_train=changes_train,
        changes_inputs=changes_inputs,
        default_severities=default_severities,
    )


@hookimpl
def rsbench_register_tasks(register) -> None:  # type: ignore[no-untyped-def]
    register(
        "table",
        _task("table_task:TableTask"),
        summary="your own MPRA table (TSV/CSV/Parquet/FASTA) described by a task file",
        data="user",
    )
    register(
        "mpra_hepg2",
        _task("lentimpra:LentiMPRAHepG2"),
        summary="Agarwal lentiMPRA HepG2, 24,590 constructs (230 nt), orientation pairs; domains HepG2, WTC11",
        data="lentimpra",
    )
    register(
        "mpra_wtc11",
        _task("lentimpra:LentiMPRAWTC11"),
        summary="Agarwal lentiMPRA WTC11, 20,473 constructs (230 nt); domains WTC11, HepG2",
        data="lentimpra",
    )
    register(
        "sharpr_pilot",
        _task("sharpr:SharprPilotTask"),
        summary="Ernst Sharpr-MPRA pilot, 2,250 tiles (145 nt) from barcode counts; HepG2, K562; 2 replicates",
        data="sharpr_pilot",
    )
    register(
        "dream_yeast",
        _task("dream:DreamYeastTask"),
        summary="DREAM 2022 yeast random promoters: 6,370 training + 1,921 labelled public test",
        data="dream_yeast",
    )
    register(
        "variants",
        _task("variants_task:VariantsTask"),
        summary="your own variant-effect table (ref/alt) scored with a model of a training task, via a task file",
        data="user",
    )
    register(
        "kircher_satmut",
        _task("kircher:KircherSatMut"),
        summary="Kircher 2019 "
        "saturation mutagenesis: variant effects in 6 HepG2 experiments (model trained on "
        "mpra_hepg2)",
        data="kircher_satmut",
    )
    register(
        "mpra_k562",
        _task("full:LentiMPRAK562Full"),
        summary="Agarwal lentiMPRA K562, all 196,664 constructs (230 nt; optional full-size data, lentimpra_full)",
        data="lentimpra_full",
    )


@hookimpl
def rsbench_register_shifts(register) -> None:  # type: ignore[no-untyped-def]
    register(
        "random",
        _shift("shifts:RandomSplit", "selection", False, False, (0.0,)),
        summary="grouped random split: two held-out halves (no shift; the noise floor)",
    )
    register(
        "gc_extremes",
        _shift("shifts:GCExtremes", "selection", True, True, (0.5, 1.0)),
        summary="train on mid GC, test on low_gc and high_gc tails (severity narrows the tails)",
    )
    register(
        "element_class",
        _shift("shifts:ElementClass", "selection", True, True, (1.0,)),
        summary="train on enhancer candidates, test on promoters",
    )
    register(
        "cell_type",
        _shift("shifts_domain:CellType", "mechanism", True, False, (1.0,)),
        summary="train in the source cell type, test in the second domain (HepG2 -> K562 / WTC11)",
    )
    register(
        "random_to_native",
        _shift("shifts_domain:RandomToNative", "covariate", False, True, (1.0,)),
        summary="DREAM yeast: random promoters -> native and designed promoters",
    )
    register(
        "variant_effect",
        _shift("variants_task:VariantEffect", "covariate", False, True, (1.0,)),
        summary="variant tasks: train on the training task, test on ref/alt effects per element",
    )


@hookimpl
def rsbench_register_datasets(register) -> None:  # type: ignore[no-untyped-def]
    from rsbench_mpra.datasets import DATASETS

    for dataset in DATASETS.values():
        register(dataset.name, dataset, summary=dataset.title)


@hookimpl
def rsbench_register_claims(register) -> None:  # type: ignore[no-untyped-def]
    from rsbench_mpra.claims import CLAIMS  # light: the judge loads when first called

    for claim in CLAIMS:
        register(claim.name, claim)


@hookimpl
def rsbench_register_anchors(register) -> None:  # type: ignore[no-untyped-def]
    from rsbench_mpra.anchors import ANCHORS, anchor_key

    for anchor in ANCHORS:
        register(anchor_key(anchor), anchor)


def __getattr__(name: str) -> Any:
    # `from rsbench_mpra import TableTask` still works; it imports the class on use.
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"rsbench_mpra.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
