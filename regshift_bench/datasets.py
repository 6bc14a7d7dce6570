"""Data-directory I/O: verify, fetch and locate the files of a registered dataset.

The descriptions themselves (:class:`~regshift_bench.api.Dataset`,
:class:`~regshift_bench.api.DataFile`) live with the plugin API; this module only
reads and writes files, and never asks the plugin manager anything (the caller
passes the datasets in: :func:`regshift_bench.plugins.get_dataset` resolves a
registered name). Downloads go through `pooch`_, which streams to a temporary
file, checks the pinned SHA-256 and moves the file into place only when it
matches; the data directory (:func:`regshift_bench.paths.data_dir`) is the cache.

.. _pooch: https://www.fatiando.org/pooch
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Re-exported: plugins written against the first API import the description types
# from here.
from regshift_bench.api.datafiles import DataFile, Dataset
from regshift_bench.errors import DataError, DataMissingError
from regshift_bench.paths import dataset_path

__all__ = ["DataFile", "Dataset", "fetch", "fetch_file", "locate", "missing_hint",
           "sha256_of", "status"]


def sha256_of(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            h.update(block)
    return h.hexdigest()


def fetch_command(dataset: Dataset) -> str:
    """The command that gets ``dataset`` into the data directory."""
    if all(f.url for f in dataset.files):
        return f"rsbench data fetch {dataset.name}"
    return f"rsbench data fetch {dataset.name} --url <mirror of {dataset.folder}/>"


def missing_hint(dataset: Dataset) -> str:
    """How to get ``dataset``, for one-line DataMissingError messages."""
    if all(f.url for f in dataset.files):
        return f"run `{fetch_command(dataset)}`"
    return (f"copy the folder {dataset.folder}/ from a data mirror (see its SOURCE.md) or run "
            f"`{fetch_command(dataset)}`")


def _copy_local(url: str, output_file: Any, pooch: Any) -> None:
    """A pooch downloader for ``file://`` URLs (a mirror on a shared disk, tests)."""
    source = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
    if isinstance(output_file, str):
        shutil.copyfile(source, output_file)
    else:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, output_file)


def fetch_file(url: str, dest: Path, sha256: str) -> Path:
    """Download ``url`` to ``dest`` through pooch and verify its SHA-256.

    pooch writes to a temporary file next to ``dest`` and renames it into place
    only after the checksum matches, so an interrupted or corrupt download never
    looks like a valid dataset. ``http(s)``, ``ftp`` and ``file`` URLs work.

    Raises
    ------
    DataError
        When the URL cannot be read or the checksum differs; nothing is written.
    """
    import pooch

    pooch.get_logger().setLevel("WARNING")  # library code prints nothing (DESIGN.md §5)
    downloader = _copy_local if url.startswith("file:") else None
    try:
        pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=dest.name, path=dest.parent,
                       downloader=downloader, progressbar=False)
    except ValueError as exc:
        if "hash" not in str(exc).lower():
            raise DataError(f"cannot download {dest.name} from {url}: {exc}; check the URL, "
                            "nothing was written") from exc
        raise DataError(f"checksum mismatch for {dest.name} from {url}: expected sha256 "
                        f"{sha256[:16]}...; the URL serves a different or corrupt file, "
                        "nothing was written") from exc
    except Exception as exc:  # requests, ftp and OS errors alike: one line, nothing written
        raise DataError(f"cannot download {dest.name} from {url}: {type(exc).__name__}: "
                        f"{exc}; check the URL or your network, nothing was written") from exc
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
        Usually :func:`regshift_bench.plugins.registered_datasets`.

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
    try:
        return dataset_path(f"{dataset.folder}/{path}",
                            what=f"dataset {dataset.name!r} file {path} ({missing_hint(dataset)})")
    except DataMissingError as exc:
        # Structured too, so a planner can name the dataset and its command once.
        raise DataMissingError(str(exc), dataset=dataset.name,
                               fix=fetch_command(dataset)) from None
