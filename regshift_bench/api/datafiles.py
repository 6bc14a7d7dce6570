"""What a data-directory dataset holds: its folder and files pinned by SHA-256.

A plugin describes each dataset its tasks read as a :class:`Dataset` (a folder of
the data directory and its :class:`DataFile` s) and registers it with the
``rsbench_register_datasets`` hook. A file is either a public original (it has a
URL) or derived: made by the dataset's ``derive`` function from its pinned public
``sources``. These are plain descriptions: fetching, deriving, verifying and
locating the files is :mod:`regshift_bench.datasets` (I/O only).

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from regshift_bench.errors import DataError

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def _relative(path: str, what: str) -> None:
    """Refuse absolute paths and ``..``: every file must stay inside the data directory."""
    parts = PurePosixPath(path).parts
    if not path or PurePosixPath(path).is_absolute() or ".." in parts or "\\" in path:
        raise DataError(
            f"{what} {path!r} is not a relative path inside the data directory; use a '/'-separated path without '..'"
        )


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Parameters
    ----------
    path : str
        Path relative to the dataset's folder, '/'-separated.
    sha256 : str or None
        Pinned SHA-256 (64 lower-case hex digits); a file that differs is "modified".
        ``None`` only with ``md5``.
    size : int
        Size in bytes (shown before a download); 0 where the publisher does not state it.
    url : str, optional
        Where the public original is fetched from; ``None`` for derived files (made
        by the dataset's ``derive``, or, without one, provided by a mirror).
    accept : tuple of str
        Further SHA-256 sums that are also valid copies of this file: an earlier,
        numerically equal rendering of a derived table (e.g. one whose floats were
        written before they were rounded). ``sha256`` is what fetching produces.
    md5 : str, optional
        The publisher's MD5 sum, for a file whose publisher pins nothing stronger;
        ``sha256`` is then ``None`` and downloads are checked against ``md5``.

    Raises
    ------
    DataError
        When the path leaves the folder, the checksum is malformed or the size is negative.
    """

    path: str
    sha256: str | None
    size: int
    url: str | None = None
    accept: tuple[str, ...] = ()
    md5: str | None = None

    def __post_init__(self) -> None:
        _relative(self.path, "data file path")
        if self.sha256 is None and self.md5 is None:
            raise DataError(
                f"data file {self.path!r}: no checksum; pin its sha256 (or, "
                "where the publisher gives only that, its md5)"
            )
        for sha in ((self.sha256,) if self.sha256 is not None else ()) + self.accept:
            if not isinstance(sha, str) or not _SHA256_RE.match(sha):
                raise DataError(
                    f"data file {self.path!r}: sha256 {sha!r} is not 64 "
                    "lower-case hex digits; pin the output of `sha256sum`"
                )
        if self.md5 is not None and not re.match(r"^[0-9a-f]{32}$", str(self.md5)):
            raise DataError(
                f"data file {self.path!r}: md5 {self.md5!r} is not 32 lower-case "
                "hex digits; pin the publisher's MD5 sum"
            )
        if not isinstance(self.size, int) or self.size < 0:
            raise DataError(
                f"data file {self.path!r}: size {self.size!r} is not a byte count; give the file size in bytes"
            )

    def valid(self, sha256: str, md5: str | None = None) -> bool:
        """Whether a file with these sums is a valid copy (the pin or an accepted one).

        ``md5`` is only consulted for a file pinned by its publisher's MD5 alone.
        """
        if self.sha256 is None:
            return md5 is not None and md5 == self.md5
        return sha256 == self.sha256 or sha256 in self.accept


#: ``derive(sources, out)``: ``sources`` maps each source file's name (the last part of
#: its path) to the verified local copy; the function writes every derived file of the
#: dataset under ``out`` at its relative path. The core verifies what it wrote.
Derive = Callable[[Mapping[str, Path], Path], None]


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
    sources : tuple of DataFile
        The public originals the derived files are made from, each with its URL and
        pinned SHA-256; ``path`` is where the original sits under its host (for a
        GitHub raw URL: ``owner/repo/commit/path``).
    derive : callable, optional
        Makes the derived files (those without a URL) from ``sources``; see
        :data:`Derive`. Must be deterministic: the output is checked by SHA-256.
    source, licence, citation : str
        Where the data comes from, under which terms, and what to cite (shown by
        ``rsbench data list``).
    optional : bool
        Not fetched by ``rsbench data fetch --all`` (large full-size tables).

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
    sources: tuple[DataFile, ...] = ()
    derive: Derive | None = None
    source: str = ""
    licence: str = ""
    citation: str = ""
    optional: bool = False

    def __post_init__(self) -> None:
        _relative(self.folder, f"dataset {self.name!r}: folder")
        if not self.files or not all(isinstance(f, DataFile) for f in self.files):
            raise DataError(f"dataset {self.name!r}: files must be a non-empty tuple of regshift_bench.api.DataFile")
        seen = [f.path for f in self.files]
        dupes = sorted({p for p in seen if seen.count(p) > 1})
        if dupes:
            raise DataError(f"dataset {self.name!r}: file {dupes[0]!r} is listed twice; list each file once")
        self._check_sources()

    def _check_sources(self) -> None:
        """Sources need URLs and distinct names; derived files need a derive function."""
        names = [PurePosixPath(s.path).name for s in self.sources]
        if any(s.url is None for s in self.sources) or len(set(names)) < len(names):
            raise DataError(
                f"dataset {self.name!r}: every source needs a URL and a file "
                "name of its own; give each public original its URL"
            )
        if self.derive is not None and not self.sources:
            raise DataError(
                f"dataset {self.name!r}: derive is set but there are no sources; list the public originals it reads"
            )

    @property
    def derived(self) -> tuple[DataFile, ...]:
        """The files made by :attr:`derive` (those without a URL of their own)."""
        return tuple(f for f in self.files if f.url is None)

    @property
    def fetchable(self) -> bool:
        """Whether every file comes from a public URL, directly or by derivation."""
        return all(f.url for f in self.files) or (self.derive is not None)

    def file(self, path: str) -> DataFile:
        """The :class:`DataFile` at ``path``; unknown paths raise with the known ones."""
        for f in self.files:
            if f.path == path:
                return f
        raise DataError(f"dataset {self.name!r} has no file {path!r} (files: {', '.join(f.path for f in self.files)})")
