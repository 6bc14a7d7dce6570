"""A plugin whose dataset hook registers one good dataset, then something that is not one."""

from __future__ import annotations

from regshift_bench import hookimpl
from regshift_bench.datasets import DataFile, Dataset

GOOD = Dataset("good_first", "toy/good", "registered before the bad one", (DataFile("a.txt", "0" * 64, 1),))


@hookimpl
def rsbench_register_datasets(register):
    register("good_first", GOOD)
    register("not_a_dataset", {"folder": "toy/bad", "files": ["a.txt"]})
