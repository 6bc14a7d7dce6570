"""A local plugin that registers one small dataset, as a third party would."""

from __future__ import annotations

import hashlib

import pandas as pd

from regshift_bench import datasets, hookimpl
from regshift_bench.api import SeqDataset, Task
from regshift_bench.datasets import DataFile, Dataset

CONTENT = b"seq\tactivity\nACGTACGTAC\t1.5\nTTGACAGGCA\t-0.25\n"
TOY_COUNTS = Dataset(
    "toy_counts",
    "toy/counts",
    "Toy activity table for the dataset hook tests",
    (DataFile("counts.tsv", hashlib.sha256(CONTENT).hexdigest(), len(CONTENT)),),
    tasks=("toy_table",),
)


@hookimpl
def rsbench_register_datasets(register):
    register("toy_counts", TOY_COUNTS, summary="toy activity table (tests)")


class ToyCountsTask(Task):
    """A fixed task reading ``toy_counts`` from the data directory (skipped without it)."""

    kind = "fixed"

    def load(self, domain=None):
        frame = pd.read_csv(datasets.locate(TOY_COUNTS, "counts.tsv"), sep="\t")
        return SeqDataset.from_strings(list(frame["seq"]), frame["activity"].to_numpy())


@hookimpl
def rsbench_register_tasks(register):
    register("toy_counts_task", ToyCountsTask)
