"""Where the harness finds data and its shipped task files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from regshift_bench.errors import DataMissingError

_data_dir_override: Path | None = None


def set_data_dir(path: str | Path | None) -> None:
    """Set the data directory for this process (the CLI's ``--data-dir``)."""
    global _data_dir_override
    _data_dir_override = Path(path) if path is not None else None


def default_data_dir() -> Path:
    """The data directory's default home: the platform's per-user data directory.

    ``~/.local/share/regshift-bench`` on Linux (``$XDG_DATA_HOME`` respected),
    ``~/Library/Application Support/regshift-bench`` on macOS, the roaming
    AppData folder on Windows. ``rsbench data fetch`` fills it; it is not a cache
    (the system never clears it), since some datasets only come from a mirror.
    """
    from platformdirs import user_data_path

    return user_data_path("regshift-bench", appauthor=False)


def data_dir_source() -> str:
    """Where :func:`data_dir` comes from: ``--data-dir``, ``RSBENCH_DATA_DIR`` or ``default``."""
    if _data_dir_override is not None:
        return "--data-dir"
    return "RSBENCH_DATA_DIR" if os.environ.get("RSBENCH_DATA_DIR") else "default"


def data_dir(required: bool = True) -> Path:
    """Return the data directory: ``--data-dir``, else ``$RSBENCH_DATA_DIR``, else the default.

    The default (:func:`default_data_dir`) means every command reads what
    ``rsbench data fetch`` wrote without configuration; an empty
    ``RSBENCH_DATA_DIR`` counts as unset. The directory need not exist yet.

    Parameters
    ----------
    required : bool
        Kept for callers of the first API; there is always a data directory now.
    """
    if _data_dir_override is not None:
        return _data_dir_override
    if os.environ.get("RSBENCH_DATA_DIR"):
        return Path(os.environ["RSBENCH_DATA_DIR"])
    return default_data_dir()


def dataset_path(relative: str, *, what: str) -> Path:
    """Resolve a path inside the data directory, with a one-line error if absent."""
    path = data_dir() / relative
    if not path.exists():
        raise DataMissingError(
            f"{what} not found: looked for {path}; point RSBENCH_DATA_DIR (or --data-dir) at "
            f"a data directory that has it, or run `rsbench data fetch` (see `rsbench data list`)"
        )
    return path


def tasks_dirs() -> list[Path]:
    """Directories holding the shipped task and suite files, checkout first.

    A checkout (or editable install) has ``tasks/`` next to the package; a wheel
    installs the same files under ``<prefix>/share/regshift-bench/tasks``.
    """
    candidates = []
    if os.environ.get("RSBENCH_TASKS_DIR"):
        candidates.append(Path(os.environ["RSBENCH_TASKS_DIR"]))
    candidates.append(Path(__file__).resolve().parent.parent / "tasks")
    candidates.append(Path(sys.prefix) / "share" / "regshift-bench" / "tasks")
    return [c for c in candidates if c.is_dir()]
