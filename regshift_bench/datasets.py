"""Data-directory I/O: fetch, derive, verify and locate the files of a registered dataset.

The descriptions themselves (:class:`~regshift_bench.api.Dataset`,
:class:`~regshift_bench.api.DataFile`) live with the plugin API; this module only
reads and writes files, and never asks the plugin manager anything (the caller
passes the datasets in: :func:`regshift_bench.plugins.get_dataset` resolves a
registered name).

A dataset's files are public originals (downloaded from their pinned URL) or
derived tables, which :func:`fetch` makes locally: it downloads the dataset's pinned
``sources`` into ``<data dir>/upstream/`` (laid out like their URLs, so that folder
can serve as a mirror for another machine), runs the dataset's ``derive`` into a
temporary folder and moves each derived file into place only once its SHA-256
matches the pin. Downloads go through `pooch`_, which streams to a temporary file,
checks the pinned checksum and renames the file into place only when it matches.
Nothing half-written is ever left where a task would read it.

A mirror (``--url BASE`` or ``$RSBENCH_DATA_MIRROR``) replaces the public host of
every URL: ``https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<path>`` is
read from ``BASE/<owner>/<repo>/<commit>/<path>`` (``file://`` works).

.. _pooch: https://www.fatiando.org/pooch
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

# Re-exported: plugins written against the first API import the description types
# from here.
from regshift_bench.api.datafiles import DataFile, Dataset
from regshift_bench.errors import DataError, DataMissingError
from regshift_bench.paths import dataset_path

__all__ = [
    "DataFile",
    "Dataset",
    "GITHUB_RAW",
    "MIRROR_ENV",
    "UPSTREAM_DIR",
    "fetch",
    "fetch_all",
    "fetch_file",
    "locate",
    "mirror_base",
    "mirrored",
    "missing_hint",
    "sha256_of",
    "status",
]

#: The public host every pinned original is served from; a mirror replaces it.
GITHUB_RAW = "https://raw.githubusercontent.com/"
#: Environment variable naming a mirror base (same meaning as ``--url``).
MIRROR_ENV = "RSBENCH_DATA_MIRROR"
#: Folder of the data directory that keeps downloaded originals, laid out like a mirror.
UPSTREAM_DIR = "upstream"

#: ``progress(label, size)`` returns a bar with ``total``, ``update(n)``, ``reset()``,
#: ``close()`` (the interface pooch drives), or ``None`` for no bar.
ProgressFactory = Callable[[str, int], Any]


def sha256_of(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    return _digest(path, "sha256", chunk)


def _digest(path: str | Path, algorithm: str, chunk: int = 1 << 20) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            h.update(block)
    return h.hexdigest()


def _valid(f: DataFile, path: Path) -> bool:
    """Whether ``path`` exists and is a valid copy of ``f`` (pinned or accepted sum)."""
    if not path.is_file():
        return False
    if f.sha256 is None:
        return f.valid("", _digest(path, "md5"))
    return f.valid(sha256_of(path))


def mirror_base(explicit: str | None = None) -> str | None:
    """The mirror base to use: ``explicit`` (``--url``), else ``$RSBENCH_DATA_MIRROR``."""
    return explicit or os.environ.get(MIRROR_ENV) or None


def mirrored(url: str, base: str | None) -> str:
    """``url`` read from the mirror ``base``: the public host replaced by ``base``.

    ``https://raw.githubusercontent.com/o/r/c/p`` becomes ``BASE/o/r/c/p``; a URL on
    another host becomes ``BASE/<host>/<path>`` (its query dropped). ``base=None``
    returns ``url`` unchanged.
    """
    if base is None:
        return url
    base = base if base.endswith("/") else base + "/"
    if url.startswith(GITHUB_RAW):
        return base + url[len(GITHUB_RAW) :]
    parsed = urllib.parse.urlparse(url)
    return base + parsed.netloc + parsed.path


def fetch_command(dataset: Dataset) -> str:
    """The command that gets ``dataset`` into the data directory."""
    if dataset.fetchable:
        return f"rsbench data fetch {dataset.name}"
    return f"rsbench data fetch {dataset.name} --url <mirror of {dataset.folder}/>"


def missing_hint(dataset: Dataset) -> str:
    """How to get ``dataset``, for one-line DataMissingError messages."""
    if dataset.fetchable:
        return f"run `{fetch_command(dataset)}`"
    return f"copy the folder {dataset.folder}/ from a data mirror or run `{fetch_command(dataset)}`"


class _LocalCopy:
    """A pooch downloader for ``file://`` URLs (a mirror on a shared disk, tests)."""

    def __init__(self, progressbar: Any = None) -> None:
        self.progressbar = progressbar

    def __call__(self, url: str, output_file: Any, pooch: Any) -> None:
        source = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        bar = self.progressbar
        if bar is not None:
            bar.total = source.stat().st_size
        handle = open(output_file, "wb") if isinstance(output_file, str) else output_file
        try:
            with open(source, "rb") as src:
                while block := src.read(1 << 20):
                    handle.write(block)
                    if bar is not None:
                        bar.update(len(block))
        finally:
            if isinstance(output_file, str):
                handle.close()
            if bar is not None:
                bar.close()


def _short(exc: BaseException) -> str:
    """One line of an exception: its type and the start of its first line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _first_missing(path: Path) -> Path | None:
    """The outermost folder on the way to ``path`` that does not exist yet."""
    missing = None
    for parent in (path, *path.parents):
        if parent.exists():
            break
        missing = parent
    return missing


def _remove_if_empty(folder: Path | None) -> None:
    """Remove a folder this call created, if no file ended up in it."""
    if folder is not None and folder.is_dir() and not any(p.is_file() for p in folder.rglob("*")):
        shutil.rmtree(folder, ignore_errors=True)


def fetch_file(
    url: str, dest: Path, sha256: str | None, *, md5: str | None = None, accept: tuple[str, ...] = (), bar: Any = None
) -> Path:
    """Download ``url`` to ``dest`` through pooch and verify its checksum.

    pooch writes to a temporary file next to ``dest`` and renames it into place
    only after the checksum matches, so an interrupted or corrupt download never
    looks like a valid dataset; folders this call created are removed again when it
    fails. ``http(s)``, ``ftp`` and ``file`` URLs work.

    Parameters
    ----------
    url : str
        Where to read the file.
    dest : Path
        Where to put it.
    sha256 : str or None
        The pinned SHA-256; ``None`` only with ``md5``.
    md5 : str, optional
        The publisher's MD5 sum, checked when ``sha256`` is ``None``.
    accept : tuple of str
        Further SHA-256 sums that are valid too (see :class:`DataFile`).
    bar : object, optional
        A progress bar (``total``, ``update(n)``, ``reset()``, ``close()``).

    Raises
    ------
    DataError
        When the URL cannot be read or the checksum differs; nothing is written.
    """
    import pooch

    pooch.get_logger().setLevel("WARNING")  # library code prints nothing
    if url.startswith("file:"):
        downloader: Any = _LocalCopy(bar)
    else:
        downloader = pooch.HTTPDownloader(progressbar=bar) if bar is not None else None
    known = f"sha256:{sha256}" if sha256 is not None else f"md5:{md5}"
    created = _first_missing(dest.parent)
    try:
        if accept:  # several valid sums: pooch checks one, so fetch aside and check here
            _retrieve_any(url, dest, (sha256 or "", *accept), downloader)
        else:
            pooch.retrieve(
                url, known_hash=known, fname=dest.name, path=dest.parent, downloader=downloader, progressbar=False
            )
    except ValueError as exc:
        _remove_if_empty(created)
        if "hash" not in str(exc).lower():
            raise DataError(
                f"cannot download {dest.name} from {url}: {_short(exc)}; check the URL, nothing was written"
            ) from exc
        raise DataError(
            f"checksum mismatch for {dest.name} from {url}: expected "
            f"{known[:23]}...; the URL serves a different or corrupt file, "
            "nothing was written"
        ) from exc
    except Exception as exc:  # requests, ftp and OS errors alike: one line, nothing written
        _remove_if_empty(created)
        raise DataError(
            f"cannot download {dest.name} from {url} ({_short(exc)}); check "
            f"your network, or read every file from a mirror with `rsbench data "
            f"fetch --url BASE` or {MIRROR_ENV}=BASE; nothing was written"
        ) from exc
    return dest


def _retrieve_any(url: str, dest: Path, valid: tuple[str, ...], downloader: Any) -> None:
    """Download to a hidden name beside ``dest``; rename it only if its SHA-256 is valid."""
    import pooch

    part = dest.with_name(f".{dest.name}.part")
    try:
        pooch.retrieve(
            url, known_hash=None, fname=part.name, path=dest.parent, downloader=downloader, progressbar=False
        )
        if sha256_of(part) not in valid:
            raise ValueError(f"SHA256 hash of {dest.name} matches none of the pinned sums")
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def _download(f: DataFile, src: str, dest: Path, progress: ProgressFactory | None) -> None:
    bar = progress(str(dest), f.size) if progress is not None else None
    fetch_file(src, dest, f.sha256, md5=f.md5, accept=f.accept, bar=bar)


def _folder_mirror(url: str, dataset: Dataset, f: DataFile) -> str:
    """A file's URL in a mirror of the dataset's folder (the file itself for one file)."""
    return url if len(dataset.files) == 1 else f"{url.rstrip('/')}/{f.path}"


def fetch(
    dataset: Dataset,
    root: Path,
    url: str | None = None,
    *,
    mirror: str | None = None,
    progress: ProgressFactory | None = None,
) -> list[tuple[str, str]]:
    """Get every file of ``dataset`` into ``root/<folder>``: download, derive, verify.

    Files already present with a valid checksum are kept. Public originals are
    downloaded from their URL; derived files are made by the dataset's ``derive``
    from its sources (downloaded to ``root/upstream/`` first) and moved into place
    only when their SHA-256 matches the pin.

    Parameters
    ----------
    dataset : Dataset
        What to fetch (:func:`regshift_bench.plugins.get_dataset` resolves a name).
    root : Path
        The data directory.
    url : str, optional
        A mirror of this dataset's *folder* (the file itself for a one-file dataset):
        every file, derived ones included, is read from it instead of being made.
        For datasets published nowhere else.
    mirror : str, optional
        A mirror *base* of the public originals: replaces the public host of every
        URL (see :func:`mirrored`). Defaults to nothing; the CLI passes
        :func:`mirror_base`.
    progress : callable, optional
        ``progress(label, size)`` returns a bar per download (see :data:`ProgressFactory`).

    Returns
    -------
    list of (str, str)
        (relative path, "present" | "downloaded" | "derived") per file.

    Raises
    ------
    DataMissingError
        When a file has no public URL, no derivation and no mirror was given.
    DataError
        When a download fails, a checksum differs or a derived file does not match
        its pin; nothing unverified is written.
    """
    folder = root / dataset.folder
    done: list[tuple[str, str]] = []
    for f in dataset.files:
        if f.url is None and url is None:
            continue  # derived below
        dest = folder / f.path
        if _valid(f, dest):
            done.append((f.path, "present"))
            continue
        src = _folder_mirror(url, dataset, f) if url is not None else mirrored(f.url or "", mirror)
        _download(f, src, dest, progress)
        done.append((f.path, "downloaded"))
    if url is None:
        done.extend(_fetch_derived(dataset, root, mirror, progress))
    order = {f.path: i for i, f in enumerate(dataset.files)}
    return sorted(done, key=lambda item: order[item[0]])


def _fetch_derived(
    dataset: Dataset, root: Path, mirror: str | None, progress: ProgressFactory | None
) -> list[tuple[str, str]]:
    """Derive the dataset's URL-less files that are missing or invalid."""
    folder = root / dataset.folder
    present = [(f.path, "present") for f in dataset.derived if _valid(f, folder / f.path)]
    todo = [f for f in dataset.derived if not _valid(f, folder / f.path)]
    if not todo:
        return present
    if dataset.derive is None:
        raise DataMissingError(
            f"dataset {dataset.name!r}: {todo[0].path} is derived and has no public URL; {missing_hint(dataset)}"
        )
    sources = _fetch_sources(dataset, root, mirror, progress)
    _derive_into(dataset, todo, sources, root)
    return present + [(f.path, "derived") for f in todo]


def _fetch_sources(
    dataset: Dataset, root: Path, mirror: str | None, progress: ProgressFactory | None
) -> dict[str, Path]:
    """Verified local copies of the dataset's sources, by file name.

    A source that is also one of the dataset's own files (same checksum, already
    fetched) is read from there instead of being downloaded twice.
    """
    own = {
        f.sha256: root / dataset.folder / f.path for f in dataset.files if f.url is not None and f.sha256 is not None
    }
    local: dict[str, Path] = {}
    for s in dataset.sources:
        name = PurePosixPath(s.path).name
        copy = own.get(s.sha256 or "")
        if copy is not None and _valid(s, copy):
            local[name] = copy
            continue
        dest = root / UPSTREAM_DIR / s.path
        if not _valid(s, dest):
            _download(s, mirrored(s.url or "", mirror), dest, progress)
        local[name] = dest
    return local


def _derive_into(dataset: Dataset, todo: list[DataFile], sources: dict[str, Path], root: Path) -> None:
    """Run ``dataset.derive`` in a temporary folder; move verified files into place."""
    folder = root / dataset.folder
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".derive-", dir=root))  # same disk: rename is atomic
    try:
        try:
            dataset.derive(sources, scratch)  # type: ignore[misc]
        except DataError:
            raise
        except Exception as exc:
            raise DataError(
                f"dataset {dataset.name!r}: deriving its tables failed ({_short(exc)}); nothing was written"
            ) from exc
        for f in todo:
            made = scratch / f.path
            if not made.is_file():
                raise DataError(f"dataset {dataset.name!r}: the derivation wrote no {f.path}; nothing was written")
            if not _valid(f, made):
                raise DataError(
                    f"dataset {dataset.name!r}: derived {f.path} has sha256 "
                    f"{sha256_of(made)[:16]}..., not the pinned {str(f.sha256)[:16]}...; "
                    "the derivation or its library versions changed the bytes, nothing "
                    "was written"
                )
        for f in todo:
            (folder / f.path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(scratch / f.path, folder / f.path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def fetch_all(
    datasets: Iterable[Dataset],
    root: Path,
    *,
    mirror: str | None = None,
    progress: ProgressFactory | None = None,
    on_dataset: Callable[[Dataset, list[tuple[str, str]]], None] | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """:func:`fetch` every non-optional dataset of ``datasets``, in order.

    Parameters
    ----------
    datasets : iterable of Dataset
        Usually :func:`regshift_bench.plugins.registered_datasets`.
    root : Path
        The data directory.
    mirror, progress
        As for :func:`fetch`.
    on_dataset : callable, optional
        Called with each dataset and its result as soon as it is fetched.

    Returns
    -------
    dict
        Dataset name -> what :func:`fetch` returned.
    """
    results = {}
    for d in datasets:
        if d.optional:
            continue
        results[d.name] = fetch(d, root, mirror=mirror, progress=progress)
        if on_dataset is not None:
            on_dataset(d, results[d.name])
    return results


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
        ``checksum_ok`` (``None`` when absent), ``fetchable`` (a public URL or a
        derivation provides it), ``tasks``.
    """
    rows = []
    for d in datasets:
        for f in d.files:
            path = root / d.folder / f.path if root is not None else None
            present = path is not None and path.is_file()
            sha = sha256_of(path) if path is not None and present else None
            size = path.stat().st_size if path is not None and present else None
            rows.append(
                {
                    "dataset": d.name,
                    "file": f"{d.folder}/{f.path}",
                    "present": present,
                    "size": size,
                    "sha256": sha,
                    "checksum_ok": _valid(f, path) if present and path is not None else None,
                    "fetchable": f.url is not None or d.derive is not None,
                    "tasks": list(d.tasks),
                }
            )
    return rows


def locate(dataset: Dataset, path: str) -> Path:
    """Absolute path of ``path`` (relative to the dataset's folder) in the data directory.

    Raises
    ------
    DataMissingError
        One line naming where it looked and how to get the dataset.
    """
    try:
        return dataset_path(
            f"{dataset.folder}/{path}", what=f"dataset {dataset.name!r} file {path} ({missing_hint(dataset)})"
        )
    except DataMissingError as exc:
        # Structured too, so a planner can name the dataset and its command once.
        raise DataMissingError(str(exc), dataset=dataset.name, fix=fetch_command(dataset)) from None
