"""Where a published leaderboard keeps its reference bundle, its format, and reading its
split digests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from regshift_bench.errors import DataError

#: The bundle's folder inside a published leaderboard folder.
BUNDLE_DIR = "bundle"
#: The bundle's file of split digests.
DIGESTS_FILE = "digests.json"
#: The layout of the bundle's files (:mod:`regshift_bench.submission.bundle`); the only
#: one this rsbench reads. Format 2 keeps the examples and references of a data
#: setting once, beside the cells' own columns.
BUNDLE_FORMAT = 2
#: Folder under ``bundle/predictions/`` of the files shared by the cells of a setting.
SETTINGS_DIR = "settings"
#: Suffix of a setting's shared example columns (``split, row, example_id, y, y_true,
#: noise_var``).
EXAMPLES_SUFFIX = ".examples.parquet"
#: Suffix of a reference-predictions file (``split, row, reference, mean, var``): one
#: per cell in a run, one per setting in a bundle.
REFERENCES_SUFFIX = ".references.parquet"


def check_format(found: Any, where: str | Path) -> None:
    """Refuse a bundle of another format than :data:`BUNDLE_FORMAT` in one line.

    Parameters
    ----------
    found : Any
        The ``format`` a bundle file records.
    where : str or Path
        The file that records it, named in the error.

    Raises
    ------
    DataError
        ``found`` is not this rsbench's format.
    """
    if found != BUNDLE_FORMAT:
        raise DataError(
            f"{where}: reference bundle format {found} is not the format {BUNDLE_FORMAT} "
            "this rsbench reads; re-publish the leaderboard with this version "
            "(`rsbench leaderboard publish RUN_DIR... --out DIR`)"
        )


def find_bundle(path: str | Path) -> Path | None:
    """The bundle of a published leaderboard folder (or the bundle folder itself).

    Parameters
    ----------
    path : str or Path
        A published leaderboard folder, or its ``bundle/`` folder.

    Returns
    -------
    Path or None
        The folder holding ``digests.json`` and ``manifest.json``; None when neither
        ``path/bundle`` nor ``path`` is a bundle.
    """
    path = Path(path)
    for candidate in (path / BUNDLE_DIR, path):
        if (candidate / DIGESTS_FILE).is_file() and (candidate / "manifest.json").is_file():
            return candidate
    return None


def read_digests(bundle: str | Path) -> dict[str, Any]:
    """The bundle's ``digests.json``; a folder without a bundle is one clear error."""
    found = find_bundle(bundle)
    if found is None:
        raise DataError(
            f"{bundle} holds no reference bundle (no {BUNDLE_DIR}/{DIGESTS_FILE}); "
            "pass a leaderboard folder written by `rsbench leaderboard publish`"
        )
    try:
        with open(found / DIGESTS_FILE, encoding="utf-8") as fh:
            digests: dict[str, Any] = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(
            f"{found / DIGESTS_FILE} is not valid JSON ({exc}); restore it from the "
            "published leaderboard or publish it again"
        ) from None
    if not isinstance(digests, dict) or not isinstance(digests.get("settings"), dict):
        raise DataError(
            f"{found / DIGESTS_FILE} has no 'settings' table; restore it from the "
            "published leaderboard or publish it again"
        )
    check_format(digests.get("format"), found / DIGESTS_FILE)
    return digests
