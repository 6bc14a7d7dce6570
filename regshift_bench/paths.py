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


def data_dir(required: bool = True) -> Path | None:
    """Return the data directory: ``--data-dir``, else ``$RSBENCH_DATA_DIR``.

    Parameters
    ----------
    required : bool
        Raise :class:`DataMissingError` when no directory is configured.
    """
    path = _data_dir_override or (
        Path(os.environ["RSBENCH_DATA_DIR"]) if os.environ.get("RSBENCH_DATA_DIR") else None
    )
    if path is None and required:
        raise DataMissingError(
            "no data directory configured: set RSBENCH_DATA_DIR or pass --data-dir "
            "(see `rsbench data list`)"
        )
    return path


def dataset_path(relative: str, *, what: str) -> Path:
    """Resolve a path inside the data directory, with a one-line error if absent."""
    root = data_dir()
    assert root is not None
    path = root / relative
    if not path.exists():
        raise DataMissingError(
            f"{what} not found: looked for {path}; point RSBENCH_DATA_DIR at a data "
            f"directory that has it, or run `rsbench data fetch` (see `rsbench data list`)"
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
