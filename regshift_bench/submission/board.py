"""What a leaderboard shows of a bundle, a submission, and a model trained elsewhere.

* A published leaderboard folder given to ``rsbench leaderboard`` stands for its
  ``bundle/`` (a run directory), so ``rsbench leaderboard leaderboard/ runs/mine``
  merges the built-ins' predictions with a new run's.
* A submission (a run directory with ``model_meta.toml``) is checked first; a board
  shows only its rows whose values the predictions reproduce, with the recomputed
  value — never a submitted number it did not recompute.
* A model trained on data beyond the task's training split (``pretrained = True``
  on its class, or ``training_data = "external"`` in ``model_meta.toml``) is
  labelled ``NAME (external data)`` on every row and ranked in a track of its own
  (:func:`ranked_in_tracks`), never against models that saw only the task's split.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from regshift_bench.errors import DataError
from regshift_bench.submission.layout import find_bundle
from regshift_bench.submission.meta import is_submission

EXTERNAL_SUFFIX = " (external data)"


def resolve_input(path: str | Path) -> Path:
    """A run directory as given, or the bundle of a published leaderboard folder."""
    path = Path(path)
    if (path / "manifest.json").is_file():
        return path
    return find_bundle(path) or path


def _pretrained(entry: dict[str, Any]) -> bool:
    """Whether the registered model of a plan entry declares ``pretrained = True``."""
    from regshift_bench import plugins

    name = entry.get("model_name") or entry.get("model")
    try:
        cls = plugins.current().registry.get("model", str(name)).factory
    except Exception:  # a model not installed here: nothing declared
        return False
    return bool(getattr(cls, "pretrained", False))


def external_models(manifest: dict[str, Any], declared: bool = False) -> set[str]:
    """Model labels of a run trained beyond the task's split (``declared``: all of them)."""
    plan = manifest.get("plan") or []
    return {str(e["model"]) for e in plan if declared or _pretrained(e)}


def _relabel(manifest: dict[str, Any], frame: pd.DataFrame, models: set[str]) -> pd.DataFrame:
    if not models:
        return frame
    for entry in manifest.get("plan") or []:
        if entry.get("model") in models:
            entry["model"] = f"{entry['model']}{EXTERNAL_SUFFIX}"
    frame = frame.copy()
    mask = frame["model"].isin(models)
    frame.loc[mask, "model"] = frame.loc[mask, "model"].astype(str) + EXTERNAL_SUFFIX
    return frame


def verified_rows(run_dir: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """A submission's rows a board may show: recomputed ones, with recomputed values.

    Raises
    ------
    DataError
        The submission fails :func:`~regshift_bench.submission.check.check_submission`.
    """
    from regshift_bench.submission.check import check_submission

    verdict = check_submission(run_dir)
    if not verdict.ok:
        raise DataError(
            f"submission {run_dir} fails its check ({verdict.reasons[0]}); run "
            f"`rsbench submission check {run_dir}` for every reason"
        )
    assert verdict.rescored is not None
    good = verdict.rescored.verified.rename(columns={"value": "_recomputed"})
    kept = frame.merge(good, on=["cell", "split", "metric"], how="inner")
    kept["value"] = kept.pop("_recomputed")
    return kept


def board_view(run_dir: Path, manifest: dict[str, Any], frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of one input a board shows (see the module docstring).

    ``manifest`` is relabelled in place for models trained on external data.
    """
    submitted = is_submission(run_dir)
    if submitted:
        frame = verified_rows(run_dir, frame)
    declared = False
    if submitted:
        from regshift_bench.submission.meta import read_meta

        meta, _ = read_meta(run_dir)
        declared = bool(meta and meta.external)
    return _relabel(manifest, frame, external_models(manifest, declared))


def ranked_in_tracks(
    rank: Callable[..., pd.DataFrame], scores: Any, models: list[str], conditions: list[Any]
) -> pd.DataFrame:
    """Rank models trained on the task's split only and those with external data apart.

    Parameters
    ----------
    rank : callable
        ``rank(scores, models, conditions) -> DataFrame`` with one row per model
        (:func:`regshift_bench.leaderboard.ranks.robustness`).
    scores, conditions
        Passed through.
    models : list of str
        Labels; those ending in ``" (external data)"`` form the second track.

    Returns
    -------
    DataFrame
        The task-data track's rows, then the external track's, each ranked (ranks,
        intervals and tie groups) among its own models only.
    """
    external = [m for m in models if m.endswith(EXTERNAL_SUFFIX)]
    standard = [m for m in models if m not in external]
    if not external or not standard:
        return rank(scores, models, conditions)
    return pd.concat([rank(scores, standard, conditions), rank(scores, external, conditions)], ignore_index=True)
