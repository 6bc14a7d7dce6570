"""A dataset plugin: a data-directory folder whose files are pinned by SHA-256.

Run by tests/test_docs.py: ``check(root)`` writes the file into a temporary data
directory and must pass the conformance kit (present, checksums match).
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from regshift_bench import hookimpl
from regshift_bench.api import DataFile, Dataset
from regshift_bench.testing import CheckReport, check_dataset

# What the file holds; a real plugin pins a published file instead.
CONTENT = gzip.compress(b"seq\tactivity\nACGTACGTAC\t0.5\nTTTTACGTAA\t-0.2\n", mtime=0)

MY_ASSAY = Dataset(
    name="my_assay",
    folder="mpra/my_assay",                       # relative to the data directory
    title="My assay 2024, processed activities",
    files=(DataFile("activities.tsv.gz", hashlib.sha256(CONTENT).hexdigest(), len(CONTENT),
                    url=None),                    # None: a mirror provides it (no public URL)
           ),
    tasks=("my_task",),
)


@hookimpl
def rsbench_register_datasets(register):
    register("my_assay", MY_ASSAY, summary=MY_ASSAY.title)


def check(root: Path) -> CheckReport:
    """Place the file under ``root`` (a data directory) and verify it."""
    target = root / MY_ASSAY.folder / "activities.tsv.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(CONTENT)
    return check_dataset(MY_ASSAY, root=root)
