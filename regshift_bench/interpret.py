"""Interpretation rows of a cell: explainers run on a capped subsample, scored on sites.

For every explainer of a cell and every test split (``test_id`` and each OOD set),
the runner calls :func:`explain_rows` after scoring the predictions. It draws up to
``cell.explain_n`` sequences that carry at least one planted site (the same ones for
every model and explainer, so comparisons are paired), runs the explainer and scores
``|importance|`` against the sites (:mod:`regshift_bench.sites`). Rows carry the
``explainer`` column and metrics ``site_auroc``, ``site_auprc``, ``site_topk``, the
signed ``site_sign_agreement`` and ``site_sign_auroc`` (only when the sites carry
signs, as the simulator's do, and for the auROC when both signs occur) plus
``explain_seconds``. An explainer that does not apply to the model (no
differentiable view) or a task without planted sites gives ``skipped`` rows with the
reason; an explainer that raises fails its own rows only.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from regshift_bench.api import Explainer, Model, NotApplicable, SeqDataset
from regshift_bench.api.explainer import check_importance
from regshift_bench.cell import Cell, stable_hash
from regshift_bench.errors import PluginError
from regshift_bench.plugins import get_plugin
from regshift_bench.sites import SIGN_METRICS, SITE_METRICS, functional_sites, score_signs, score_sites, site_mask

#: Metric -> higher_is_better for interpretation rows.
HIGHER = {
    "site_auroc": True,
    "site_auprc": True,
    "site_topk": True,
    "site_sign_agreement": True,
    "site_sign_auroc": True,
    "explain_seconds": False,
}
#: Sequences explained per split when a preset does not say (``explain_n``).
DEFAULT_EXPLAIN_N = 200


def _rng(cell: Cell, *parts: str) -> np.random.Generator:
    words = [int(stable_hash(p, 4), 16) for p in (cell.task, *parts)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(cell.seed, spawn_key=words)))


def subsample(data: SeqDataset, n: int, rng: np.random.Generator) -> SeqDataset:
    """Up to ``n`` sequences with at least one planted site, drawn without replacement
    and kept in their original order."""
    has = np.flatnonzero(site_mask(data).any(axis=1))
    if len(has) > n:
        has = np.sort(rng.choice(has, size=n, replace=False))
    return data.subset(has)


def _rows(
    split: str, explainer: str, status: str, error: str, n: int, values: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    if values is None:
        return [
            {
                "split": split,
                "metric": m,
                "explainer": explainer,
                "n": n,
                "value": np.nan,
                "higher_is_better": HIGHER[m],
                "status": status,
                "error": error,
            }
            for m in SITE_METRICS
        ]
    rows = []
    for m in (m for m in HIGHER if m in values):
        row = {
            "split": split,
            "metric": m,
            "explainer": explainer,
            "n": n,
            "value": float(values[m]),
            "higher_is_better": HIGHER[m],
            "status": status,
            "error": error,
        }
        if m in SIGN_METRICS:
            # No signed sites (not simulator data), or one sign only (no auROC): no row.
            if not values.get("n_signed") or np.isnan(float(values[m])):
                continue
        rows.append(row)
    return rows


def explain_split(
    explainer: Explainer, model: Model, data: SeqDataset, *, rng: np.random.Generator, device: str = "cpu"
) -> dict[str, Any]:
    """Run one explainer on ``data`` and score it against the planted sites.

    Returns
    -------
    dict
        :func:`regshift_bench.sites.score_sites`'s and
        :func:`regshift_bench.sites.score_signs`'s outputs plus ``explain_seconds``.
    """
    start = time.perf_counter()
    importance = explainer.explain(model, data, rng=rng, device=device)
    seconds = time.perf_counter() - start
    importance = check_importance(importance, len(data), data.seq_len, explainer.name)
    called = data.seqs < 4
    sites = functional_sites(data)
    scores = score_sites(importance, site_mask(data), called)
    scores.update(score_signs(importance, sites, called))
    scores["explain_seconds"] = seconds
    return scores


def explain_rows(
    cell: Cell,
    model: Model,
    model_key: str,
    sets: dict[str, SeqDataset],
    device: str,
    cache: dict[Any, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Interpretation rows of one cell (empty when the cell names no explainers).

    ``cache`` (per worker) keeps rows by (model, explainer, data) so ``test_id``,
    the same for every shift that keeps the training data, is explained once.
    """
    if not cell.explainers:
        return []
    cache = {} if cache is None else cache
    splits = {k: v for k, v in sets.items() if k.startswith("test_")}
    rows: list[dict[str, Any]] = []
    for name in cell.explainers:
        try:
            explainer = get_plugin("explainer", name)
        except Exception as exc:
            rows += _rows("", name, "failed", f"{type(exc).__name__}: {exc}", 0)
            continue
        reason = None
        if not all("sites" in d.meta.columns for d in splits.values()):
            reason = (
                f"task {cell.task!r} records no planted sites (meta['sites']); explainers are scored on simulated tasks"
            )
        else:
            try:
                reason = explainer.applicable(model)
            except Exception as exc:  # a broken applicable() fails this explainer only
                rows += _rows("", name, "failed", f"applicable: {type(exc).__name__}: {exc}", 0)
                continue
        if reason:
            for split, data in splits.items():
                rows += _rows(split, name, "skipped", reason, 0)
            continue
        for split, data in splits.items():
            key = (model_key, name, explainer.params_json(), data.fingerprint(), cell.explain_n, cell.seed)
            if key not in cache:
                cache[key] = _one(cell, explainer, model, split, data, device)
            rows += [dict(r, split=split) for r in cache[key]]
    return rows


def _one(
    cell: Cell, explainer: Explainer, model: Model, split: str, data: SeqDataset, device: str
) -> list[dict[str, Any]]:
    name = explainer.name
    try:
        sub = subsample(data, int(cell.explain_n), _rng(cell, split, "explain-subsample"))
        if len(sub) == 0:
            return _rows(split, name, "skipped", "no sequence of this split has a planted site", 0)
        scores = explain_split(explainer, model, sub, rng=_rng(cell, cell.model, name, split, "explain"), device=device)
        return _rows(split, name, "ok", "", int(scores["n"]), scores)
    except NotApplicable as exc:
        return _rows(split, name, "skipped", str(exc), 0)
    except Exception as exc:  # a broken explainer fails its own rows only
        msg = str(exc) if isinstance(exc, PluginError) else f"{type(exc).__name__}: {exc}"
        return _rows(split, name, "failed", f"explainer {name!r}: {msg}", 0)
