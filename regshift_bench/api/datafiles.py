"""What a data-directory dataset holds: its folder and files pinned by SHA-256.

A plugin describes each dataset its tasks read as a :class:`Dataset` (a folder of
the data directory and its :class:`DataFile` s) and registers it with the
``rsbench_register_datasets`` hook. These are plain descriptions: fetching,
verifying and locating the files is :mod:`regshift_bench.datasets` (I/O only).

Example
-------
>>> from regshift_bench.api import DataFile, Dataset
>>> Dataset("my_assay", "mpra/my_assay", "My assay, 2024", (
...     DataFile("counts.tsv.gz", "ab" * 32, 1024, "https://example.org/counts.tsv.gz"),
... )).name
'my_assay'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from regshift_bench.errors import DataError

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def _relative(path: str, what: str) -> None:
    """Refuse absolute paths and ``..``: every file must stay inside the data directory."""
    parts = PurePosixPath(path).parts
    if not path or PurePosixPath(path).is_absolute() or ".." in parts or "\\" in path:
        raise DataError(f"{what} {path!r} is not a relative path inside the data directory; "
                        "use a '/'-separated path without '..'")


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Parameters
    ----------
    path : str
        Path relative to the dataset's folder, '/'-separated.
    sha256 : str
        Pinned SHA-256 (64 lower-case hex digits); a file that differs is "modified".
    size : int
        Size in bytes (shown before a download).
    url : str, optional
        Where the public original is fetched from; ``None`` for derived files that
        only a mirror (``rsbench data fetch NAME --url``) provides.

    Raises
    ------
    DataError
        When the path leaves the folder, the checksum is malformed or the size is negative.
    """

    path: str
    sha256: str
    size: int
    url: str | None = None

    def __post_init__(self) -> None:
        _relative(self.path, "data file path")
        if not isinstance(self.sha256, str) or not _SHA256_RE.match(self.sha256):
            raise DataError(f"data file {self.path!r}: sha256 {self.sha256!r} is not 64 "
                            "lower-case hex digits; pin the output of `sha256sum`")
        if not isinstance(self.size, int) or self.size < 0:
            raise DataError(f"data file {self.path!r}: size {self.size!r} is not a byte "
                            "count; give the file size in bytes")


@dataclass(frozen=True)
class Dataset:
    """A folder of the data directory and the files the tasks need from it.

    Parameters
    ----------
    name : str
        The name it is registered under (``rsbench data fetch NAME``).
    folder : str
        Folder relative to the data directory, '/'-separated.
    title : str
        One-line description (source, year); the default ``rsbench list`` summary.
    files : tuple of DataFile
        At least one file; paths are unique.
    tasks : tuple of str
        Names of the tasks that read it (shown by ``rsbench data list``).

    Raises
    ------
    DataError
        When the folder leaves the data directory, there are no files, or a path repeats.
    """

    name: str
    folder: str
    title: str
    files: tuple[DataFile, ...]
    tasks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _relative(self.folder, f"dataset {self.name!r}: folder")
        if not self.files or not all(isinstance(f, DataFile) for f in self.files):
            raise DataError(f"dataset {self.name!r}: files must be a non-empty tuple of "
                            "regshift_bench.api.DataFile")
        seen = [f.path for f in self.files]
        dupes = sorted({p for p in seen if seen.count(p) > 1})
        if dupes:
            raise DataError(f"dataset {self.name!r}: file {dupes[0]!r} is listed twice; "
                            "list each file once")

    def file(self, path: str) -> DataFile:
        """The :class:`DataFile` at ``path``; unknown paths raise with the known ones."""
        for f in self.files:
            if f.path == path:
                return f
        raise DataError(f"dataset {self.name!r} has no file {path!r} "
                        f"(files: {', '.join(f.path for f in self.files)})")
