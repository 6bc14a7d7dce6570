"""Run only a new model against a published bundle: the data must be the bundle's.

``rsbench run --preset standard --model mine --against leaderboard/`` plans the new
model's cells, then :func:`check_against` draws every split they will score
(nothing is trained) and compares it with the bundle's digests. The first
difference stops the run before any training, in one line naming the split and
what differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from regshift_bench.errors import DataError
from regshift_bench.plugins import get_plugin
from regshift_bench.runner import split_rng
from regshift_bench.submission.digests import difference, setting_key, splits_digests
from regshift_bench.submission.layout import read_digests


def _same_grid(plan: Any, bundle: dict[str, Any], where: Path) -> None:
    if plan.preset != bundle.get("preset"):
        raise DataError(
            f"--against {where}: the bundle is preset {bundle.get('preset')!r}, this "
            f"run {plan.preset!r}; run with --preset {bundle.get('preset')}"
        )
    for suite, version in plan.suites.items():
        theirs = (bundle.get("suites") or {}).get(suite)
        if theirs is None:
            raise DataError(
                f"--against {where}: suite {suite!r} is not in the bundle (it holds "
                f"{', '.join(sorted(bundle.get('suites') or {})) or 'none'}); "
                "run only its tasks"
            )
        if theirs != version:
            raise DataError(
                f"--against {where}: suite {suite!r} is version {version} here but "
                f"{theirs} in the bundle; use the task files it was published from"
            )


def check_against(plan: Any, against: str | Path) -> int:
    """Refuse ``plan`` unless every split it will score is in the bundle, unchanged.

    Parameters
    ----------
    plan : regshift_bench.plan.Plan
    against : path
        A published leaderboard folder (or its ``bundle/``).

    Returns
    -------
    int
        The number of data settings (task, shift, severity, seed) verified.

    Raises
    ------
    DataError
        Another preset or suite version, a setting the bundle lacks, or a split whose
        examples differ (count, sequences or labels), in one line.
    """
    where = Path(against)
    bundle = read_digests(where)
    _same_grid(plan, bundle, where)
    settings = bundle.get("settings", {})
    missing = set(bundle.get("missing", []))
    for cell in plan.cells:
        key = setting_key(cell.task, cell.shift, cell.severity, cell.seed)
        if key in missing:
            raise DataError(
                f"--against {where}: the bundle has no digests for {key} (published "
                "from a run older than split digests); re-publish it from a new run"
            )
        if key not in settings:
            raise DataError(
                f"--against {where}: {key} is not in the published grid; run only "
                "the shifts, severities and seeds it holds"
            )
    ours = plan_digests(plan.cells)
    for key, splits in ours.items():
        for split, digest in splits.items():
            theirs = settings[key].get(split)
            if theirs is None:
                raise DataError(f"--against {where}: split {key} {split} is not in the bundle")
            line = difference(split, key, digest, theirs)
            if line:
                raise DataError(f"--against {where}: {line}; nothing was trained")
    return len(ours)


def plan_digests(cells: Iterable[Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Draw each distinct data setting of ``cells`` once and digest its splits.

    Parameters
    ----------
    cells : iterable of regshift_bench.plan.Cell

    Returns
    -------
    dict
        ``{setting_key: {split: digest}}``. Nothing is trained: only the shifts'
        ``split`` runs, with the runner's own random stream.
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    tasks: dict[str, Any] = {}
    for cell in cells:
        key = setting_key(cell.task, cell.shift, cell.severity, cell.seed)
        if key in out:
            continue
        task_id = repr((cell.task_name, cell.task_params))
        if task_id not in tasks:
            tasks[task_id] = get_plugin("task", cell.task_name, **dict(cell.task_params))
        shift = get_plugin("shift", cell.shift, severity=cell.severity, **dict(cell.shift_params))
        out[key] = splits_digests(shift.split(tasks[task_id], split_rng(cell), cell.sizes))
    return out
