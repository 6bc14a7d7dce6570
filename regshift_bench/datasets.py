"""Data-directory datasets: what they hold, pinned checksums, verification and download.

A plugin describes each dataset its tasks read as a :class:`Dataset` (a folder of
the data directory and its :class:`DataFile` s, each pinned by SHA-256) and
registers it with the ``rsbench_register_datasets`` hook. ``rsbench data list`` and
``rsbench data fetch NAME`` work from those descriptions; a task finds its files
with :func:`locate`. Public originals carry the URL they are fetched from; files
without one (derived tables) are fetched only from a mirror given with ``--url``.

Example
-------
>>> from regshift_bench.datasets import DataFile, Dataset
>>> Dataset("my_assay", "mpra/my_assay", "My assay, 2024", (
...     DataFile("counts.tsv.gz", "ab" * 32, 1024, "https://example.org/counts.tsv.gz"),
... )).name
'my_assay'
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from regshift_bench.errors import DataError, DataMissingError

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
                            "regshift_bench.datasets.DataFile")
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


def get_dataset(name: str) -> Dataset:
    """The dataset registered as ``name`` by a plugin's ``rsbench_register_datasets``.

    Raises
    ------
    UnknownNameError
        For an unregistered name, with close matches.
    """
    from regshift_bench import plugins

    dataset: Dataset = plugins.current().registry.create("dataset", name)
    return dataset


def registered() -> list[Dataset]:
    """Every registered dataset, sorted by name."""
    from regshift_bench import plugins

    entries = plugins.current().registry.entries("dataset")
    return [e.factory for e in entries if isinstance(e.factory, Dataset)]


def sha256_of(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            h.update(block)
    return h.hexdigest()


def missing_hint(dataset: Dataset) -> str:
    """How to get ``dataset``, for one-line DataMissingError messages."""
    if all(f.url for f in dataset.files):
        return f"run `rsbench data fetch {dataset.name}`"
    return (f"copy the folder {dataset.folder}/ from a data mirror (see its SOURCE.md) or run "
            f"`rsbench data fetch {dataset.name} --url <mirror of that folder>`")


def fetch_file(url: str, dest: Path, sha256: str, *, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` and verify its SHA-256; nothing is left on failure.

    The bytes go to a temporary file next to ``dest`` that is renamed into place
    only after the checksum matches, so an interrupted or corrupt download never
    looks like a valid dataset.

    Raises
    ------
    DataError
        When the URL cannot be read or the checksum differs.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as src:
            while block := src.read(1 << 20):
                h.update(block)
                out.write(block)
        if h.hexdigest() != sha256:
            raise DataError(f"checksum mismatch for {dest.name} from {url}: expected sha256 "
                            f"{sha256[:16]}..., got {h.hexdigest()[:16]}...; the URL serves a "
                            "different or corrupt file, nothing was written")
        os.replace(tmp, dest)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DataError(f"cannot download {dest.name} from {url}: {exc}; check the URL or "
                        "your network, nothing was written") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return dest


def fetch(dataset: Dataset, root: Path, url: str | None = None) -> list[tuple[str, str]]:
    """Download every file of ``dataset`` into ``root/<folder>``; keep verified ones.

    Parameters
    ----------
    dataset : Dataset
        What to fetch (:func:`get_dataset` resolves a registered name).
    root : Path
        The data directory.
    url : str, optional
        A mirror: the file's URL for a one-file dataset, else a base URL to which each
        file's relative path is appended. Files are verified against the pinned checksum.

    Returns
    -------
    list of (str, str)
        (relative path, "present" | "downloaded") per file.

    Raises
    ------
    DataMissingError
        When a file has no public URL and no mirror was given.
    DataError
        When a download fails or its checksum differs.
    """
    folder = root / dataset.folder
    done = []
    for f in dataset.files:
        dest = folder / f.path
        if dest.is_file() and sha256_of(dest) == f.sha256:
            done.append((f.path, "present"))
            continue
        if url is not None:
            src = url if len(dataset.files) == 1 else f"{url.rstrip('/')}/{f.path}"
        elif f.url is not None:
            src = f.url
        else:
            raise DataMissingError(f"dataset {dataset.name!r}: {f.path} is derived and has no "
                                   f"public URL; {missing_hint(dataset)}")
        fetch_file(src, dest, f.sha256)
        done.append((f.path, "downloaded"))
    return done


def status(root: Path | None, datasets: Iterable[Dataset]) -> list[dict[str, Any]]:
    """One record per file of ``datasets``: presence, size and checksum against the pin.

    Parameters
    ----------
    root : Path or None
        The data directory; ``None`` (not configured) reports every file missing.
    datasets : iterable of Dataset
        Usually :func:`registered`.

    Returns
    -------
    list of dict
        Keys ``dataset``, ``file`` (folder/path), ``present``, ``size``, ``sha256``,
        ``checksum_ok`` (``None`` when absent), ``fetchable``, ``tasks``.
    """
    rows = []
    for d in datasets:
        for f in d.files:
            path = root / d.folder / f.path if root is not None else None
            present = path is not None and path.is_file()
            sha = sha256_of(path) if path is not None and present else None
            size = path.stat().st_size if path is not None and present else None
            rows.append({
                "dataset": d.name, "file": f"{d.folder}/{f.path}", "present": present,
                "size": size, "sha256": sha,
                "checksum_ok": (sha == f.sha256) if present else None,
                "fetchable": f.url is not None, "tasks": list(d.tasks),
            })
    return rows


def locate(dataset: Dataset, path: str) -> Path:
    """Absolute path of ``path`` (relative to the dataset's folder) in the data directory.

    Raises
    ------
    DataMissingError
        One line naming where it looked and how to get the dataset.
    """
    from regshift_bench.paths import dataset_path

    return dataset_path(f"{dataset.folder}/{path}",
                        what=f"dataset {dataset.name!r} file {path} ({missing_hint(dataset)})")
