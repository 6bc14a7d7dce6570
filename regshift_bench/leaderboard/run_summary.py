"""What ``rsbench runs show`` reports about one run directory: counts and cell names.

Cells are named as the progress bar names them (``task/shift@severity/model seed N``),
never by their hash, so a reader can find them in the plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regshift_bench.leaderboard.load import KEY, load_runs


def cell_name(task: str, shift: str, severity: float, model: str, seed: int) -> str:
    """``<task>/<shift>@<severity>/<model> seed <seed>``, e.g. ``sim/none@0/cnn seed 0``."""
    return f"{task}/{shift}@{float(severity):g}/{model} seed {int(seed)}"


def counts_text(counts: dict[str, int], noun: str = "") -> str:
    """``"12 ok, 1 failed"``; ``"none"`` when empty."""
    order = {"ok": 0, "skipped": 1, "failed": 2, "missing": 3}
    parts = [f"{v} {k}{noun}" for k, v in sorted(counts.items(), key=lambda kv: (order.get(kv[0], 9), kv[0]))]
    return ", ".join(parts) or "none"


def run_summary(run: str | Path) -> dict[str, Any]:
    """Cells by status, undertrained cells and failures of one run, with cell names.

    Returns
    -------
    dict
        ``run, preset, suites, created, finished, cells`` (status -> count), ``rows``,
        ``rows_by_status``, ``undertrained`` (list of cell names), ``failures`` (list of
        {cell, name, error}), ``provenance``.
    """
    runs = load_runs([run])
    man = runs.manifests[0]
    plan, res = runs.plan, runs.results
    names = {r.cell: cell_name(*(getattr(r, k) for k in KEY)) for r in plan.itertuples()}
    under = res.loc[res["undertrained"].astype(bool)].drop_duplicates("cell")
    failures = [
        {"cell": r.cell, "name": names.get(r.cell, r.cell), "error": r.error}
        for r in plan.loc[plan["status"] == "failed"].itertuples()
    ]
    return {
        "run": man.get("run", Path(run).name),
        "preset": man.get("preset", ""),
        "suites": man.get("suites", {}),
        "created": man.get("created", ""),
        "finished": man.get("finished", ""),
        "cells": {str(k): int(v) for k, v in plan["status"].value_counts().items()},
        "rows": int(len(res)),
        "rows_by_status": {str(k): int(v) for k, v in res["status"].value_counts().items()},
        "undertrained": sorted(names.get(c, c) for c in under["cell"]),
        "failures": failures,
        "provenance": man.get("provenance", {}) or {},
    }
