"""A realistic fake run directory, for tests and the leaderboard benchmark.

It follows :mod:`regshift_bench.results` exactly (schemas, layout, manifest), so the
leaderboard can be developed and benchmarked without running models. Predictions
come from a small generative story: each model has a skill, a robustness to shift
and a calibration factor; under a shift of severity ``s`` its signal shrinks and
its variance becomes over-confident. A ``base+prior`` model shares its base's noise
(so paired comparisons are tight) and is more robust. Every metric in the results
is computed from the written predictions, so the two always agree.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from scipy import stats

from regshift_bench import results as rs
from regshift_bench.leaderboard.moments import point_value

DEFAULT_SHIFTS: dict[str, tuple[float, ...]] = {
    "none": (0.0,), "gc_shift": (0.5, 1.0), "motif_loss": (1.0,), "gc_split": (1.0,)}
DEFAULT_MODELS = ("mean", "cnn", "cnn+motif", "bilstm")
#: Shifts whose OOD data is a dict of named sets (``test_ood/<name>``).
NAMED_OOD = {"gc_split": ("low_gc", "high_gc")}
_KNOWN = {"mean": (0.05, 0.5, 1.0), "cnn": (0.8, 0.45, 0.8), "bilstm": (0.75, 0.6, 0.9),
          "transformer": (0.82, 0.4, 0.7)}
_BASE_METRICS = ("mse", "rmse", "mae", "pearson", "spearman", "r2", "nll", "z2", "crps",
                 "coverage_50", "coverage_80", "coverage_90", "coverage_95", "width_90")
_LOWER = {"mse", "rmse", "mae", "nll", "z2", "crps", "width_90", "ence", "miscal_area", "aurc",
          "risk_at_50", "risk_at_80", "excess_mse"}
Key = tuple[str, str, float, str, int]
Profile = tuple[float, float, float]
_LEVELS = np.arange(1, 100) / 100
_Z_LEVELS = stats.norm.ppf(0.5 + _LEVELS / 2)
_Z_CURVE = stats.norm.ppf(0.5 + np.arange(1, 10) / 20)


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


def model_profile(model: str, profiles: Mapping[str, Profile] | None = None) -> Profile:
    """(skill, robustness, calibration) of a synthetic model, stable per name."""
    base, _, prior = model.partition("+")
    if profiles and model in profiles:
        return profiles[model]
    if base in _KNOWN:
        skill, robust, calib = _KNOWN[base]
    else:
        r = np.random.default_rng(_crc(base))
        skill, robust, calib = r.uniform(0.5, 0.9), r.uniform(0.3, 0.7), r.uniform(0.6, 1.0)
    if prior:  # a prior helps most where the data moved away from training
        skill, robust = min(0.95, skill + 0.02), min(1.0, robust + 0.3)
    return skill, robust, calib


def _selective(err2: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coverage (k/n) and risk of the k most confident examples, k = 1..n."""
    order = np.argsort(var, kind="stable")
    risk = np.cumsum(err2[order]) / np.arange(1, len(var) + 1)
    return np.arange(1, len(var) + 1) / len(var), risk


def split_metrics(y: np.ndarray, mean: np.ndarray, var: np.ndarray, noise_var: np.ndarray | None,
                  extra_levels: Sequence[int] = ()) -> dict[str, float]:
    """Every synthetic metric of one split, from its predictions (each (n,))."""
    out = {name: point_value(name, y, mean, var) for name in _BASE_METRICS}
    out.update({f"coverage_{lv:02d}": point_value(f"coverage_{lv:02d}", y, mean, var)
                for lv in extra_levels})
    out["spearman"] = float(stats.spearmanr(y, mean).statistic)
    err2 = (y - mean) ** 2
    cov, risk = _selective(err2, var)
    out["aurc"] = float(risk.mean())
    for level in (50, 80):
        out[f"risk_at_{level}"] = float(risk[int(np.ceil(level / 100 * len(y))) - 1])
    bins = np.array_split(np.argsort(var, kind="stable"), 10)
    rmv = np.array([np.sqrt(var[b].mean()) for b in bins])
    rmse = np.array([np.sqrt(err2[b].mean()) for b in bins])
    out["ence"] = float(np.mean(np.abs(rmv - rmse) / rmv))
    observed = (np.abs(y - mean)[None, :] <= _Z_LEVELS[:, None] * np.sqrt(var)[None, :]).mean(axis=1)
    out["miscal_area"] = float(np.mean(np.abs(observed - _LEVELS)))
    if noise_var is not None:
        out["excess_mse"] = out["mse"] - float(noise_var.mean())
    return out


def _curves(y: np.ndarray, mean: np.ndarray, var: np.ndarray) -> list[tuple[str, str, float, float]]:
    cov, risk = _selective((y - mean) ** 2, var)
    pick = np.unique(np.clip(np.round(np.linspace(0.05, 1, 20) * len(y)).astype(int) - 1, 0, None))
    rows = [("aurc", "risk_coverage", float(cov[i]), float(risk[i])) for i in pick]
    for level, z in zip(np.arange(1, 10) / 10, _Z_CURVE):
        inside = np.abs(y - mean) <= z * np.sqrt(var)
        rows.append(("miscal_area", "reliability", float(level), float(inside.mean())))
    return rows


def _ood_splits(shift: str) -> tuple[str, ...]:
    if shift == "none":
        return ()
    return tuple(f"test_ood/{n}" for n in NAMED_OOD[shift]) if shift in NAMED_OOD else ("test_ood",)


def _draw_split(rng: np.random.Generator, n: int, severity: float) -> tuple[np.ndarray, np.ndarray]:
    y_true = rng.normal(0.5 * severity, 1.0 + 0.5 * severity, n)
    return y_true, y_true + rng.normal(0.0, 0.3, n)


def _predict(rng: np.random.Generator, profile: Profile, y_true: np.ndarray, y: np.ndarray,
             severity: float) -> tuple[np.ndarray, np.ndarray]:
    skill, robust, calib = profile
    a = skill * (1.0 - 0.8 * severity * (1.0 - robust))
    mean = a * y_true + np.sqrt(max(1.0 - a * a, 0.01)) * 0.8 * rng.normal(size=len(y))
    err2 = (mean - y) ** 2
    shrink = calib * (1.0 - 0.9 * severity * (1.0 - robust))  # over-confident under shift
    var = shrink * (0.3 * err2 + 0.7 * err2.mean()) * rng.lognormal(0.0, 0.3, len(y))
    return mean, np.maximum(var, 1e-4)


def _table(columns: Mapping[str, Any], n: int, schema: pa.Schema) -> pa.Table:
    """An Arrow table of ``schema``; scalars are repeated, absent columns are null."""
    arrays = {}
    for f in schema:
        value = columns.get(f.name)
        if value is None:
            arrays[f.name] = pa.nulls(n, type=f.type)
        elif isinstance(value, str | int | float | bool):
            arrays[f.name] = pa.array([value] * n, type=f.type)
        else:
            arrays[f.name] = pa.array(value, type=f.type)
    return pa.table(arrays, schema=schema)


def _cell_hash(key: Key, run_seed: int) -> str:
    return f"{_crc(repr((key, run_seed))):08x}{_crc(repr((run_seed, key))):08x}"


def _cell_outputs(key: Key, common: dict[str, object], draws: dict[str, tuple[np.ndarray, np.ndarray]],
                  severities: dict[str, float], model_rng: np.random.Generator,
                  extra_levels: Sequence[int], profile: Profile) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Result rows, predictions and curve points of one finished cell."""
    task = key[0]
    real = task.startswith("sim")  # simulated tasks know y_true; the others skip oracle metrics
    res: dict[str, list[Any]] = {c: [] for c in ("split", "metric", "value", "higher_is_better",
                                                    "n", "status", "error")}
    preds: dict[str, list[Any]] = {c: [] for c in ("split", "row", "y", "mean", "var",
                                                          "y_true", "noise_var")}
    curves: list[tuple[object, ...]] = []
    for split, (y_true, y) in draws.items():
        mean, var = _predict(model_rng, profile, y_true, y, severities[split])
        noise = np.full(len(y), 0.09)
        values = split_metrics(y, mean, var, noise if real else None, extra_levels)
        if not real:
            values["excess_mse"] = np.nan
        for name, value in values.items():
            skip = name == "excess_mse" and not real
            for col, v in zip(res, (split, name, value, name not in _LOWER, len(y),
                                    "skipped" if skip else "ok",
                                    "metric 'excess_mse' needs y_true; this task has none" if skip
                                    else "")):
                res[col].append(v)
        nan = np.full(len(y), np.nan)
        arrays = (np.full(len(y), split, dtype=object), np.arange(len(y)), y, mean, var,
                  y_true if real else nan, noise if real else nan)
        for col, arr in zip(preds, arrays):
            preds[col].append(arr)
        if split != "val":
            curves += [(split, *c) for c in _curves(y, mean, var)]
    n_res = len(res["split"])
    results = _table({**common, **res}, n_res, rs.RESULTS_SCHEMA)
    flat = {c: np.concatenate(v) for c, v in preds.items()}
    predictions = _table(flat, len(flat["y"]), rs.PREDICTIONS_SCHEMA)
    cols = list(zip(*curves))
    curve_cols = dict(zip(("split", "metric", "curve", "x", "y"), cols))
    keep = {k: common[k] for k in ("cell", "task", "shift", "severity", "model", "seed")}
    return results, predictions, _table({**keep, **curve_cols}, len(curves), rs.CURVES_SCHEMA)


def write_synthetic_run(
    out: str | Path, *, tasks: Sequence[str] = ("sim",),
    shifts: Mapping[str, Sequence[float]] = DEFAULT_SHIFTS, models: Sequence[str] = DEFAULT_MODELS,
    seeds: int = 2, n_test: int = 200, n_val: int = 64, extra_levels: Sequence[int] = (),
    failed: Iterable[Key] = (), missing: Iterable[Key] = (), per_cell_files: bool = True,
    consolidated: bool = True, random_state: int = 0, run_name: str | None = None,
    suite: str = "synthetic", suite_version: int = 1, preset: str = "quick",
    profiles: Mapping[str, Profile] | None = None,
) -> Path:
    """Write a fake run directory with results, predictions, curves and a manifest.

    Parameters
    ----------
    out : path
        The run directory to create.
    tasks, shifts, models, seeds
        The grid: shift name -> severities (``none`` is the ID reference). Tasks whose
        name starts with ``sim`` carry ``y_true``; others record ``excess_mse`` skipped.
    n_test, n_val : int
        Examples per test split (each OOD set too) and per validation split.
    extra_levels : sequence of int
        More ``coverage_XX`` metrics (the benchmark uses them to reach 1M rows).
    failed, missing : iterables of (task, shift, severity, model, seed)
        Cells recorded as failed, and planned cells that never ran.
    per_cell_files, consolidated : bool
        Write ``cells/``+``curves/`` per-cell files and/or the consolidated files.
    random_state : int
        Seed of every random draw; the same arguments give identical files.
    profiles : mapping model -> (skill, robustness, calibration), optional
        Override the built-in profiles (e.g. two equally good models for tie tests).
    """
    out = Path(out)
    failed_set = {(t, s, float(v), m, int(e)) for t, s, v, m, e in failed}
    missing_set = {(t, s, float(v), m, int(e)) for t, s, v, m, e in missing}
    run = run_name or out.name
    plan: list[dict[str, object]] = []
    statuses: dict[str, dict[str, object]] = {}
    tables: list[pa.Table] = []
    curve_tables: list[pa.Table] = []
    for task in tasks:
        for shift, shift_severities in shifts.items():
            for severity in shift_severities:
                for seed in range(seeds):
                    ss = [random_state, _crc(task), _crc(shift), int(severity * 1000), seed]
                    data_rng = np.random.default_rng(ss)
                    sev = {"val": 0.0, "test_id": 0.0, **{s: float(severity) for s in _ood_splits(shift)}}
                    sizes = {"val": n_val, "test_id": n_test, **{s: n_test for s in _ood_splits(shift)}}
                    draws = {s: _draw_split(data_rng, n, sev[s]) for s, n in sizes.items() if n}
                    for model in models:
                        key: Key = (task, shift, float(severity), model, seed)
                        cell = _cell_hash(key, random_state)
                        plan.append({"cell": cell, "task": task, "shift": shift,
                                     "severity": float(severity), "model": model, "seed": seed,
                                     "suite": suite, "changes_train": False})
                        if key in missing_set:
                            continue
                        common = {"run": run, "suite": suite, "suite_version": suite_version,
                                  "preset": preset, "task": task, "shift": shift,
                                  "severity": float(severity), "model": model, "seed": seed,
                                  "cell": cell, "model_key": f"m{_crc(repr((task, model, seed))):08x}",
                                  "task_params": "{}", "shift_params": f'{{"severity": {severity}}}',
                                  "model_params": "{}", "device": "cpu",
                                  "fit_seconds": 1.0, "predict_seconds": 0.1}
                        if key in failed_set:
                            error = "RuntimeError: synthetic failure"
                            statuses[cell] = {"status": "failed", "seconds": 0.5, "error": error}
                            table = _table({**common, "split": "", "metric": "", "value": np.nan,
                                            "n": 0, "higher_is_better": False, "status": "failed",
                                            "error": error}, 1, rs.RESULTS_SCHEMA)
                            curve = None
                        else:
                            statuses[cell] = {"status": "ok", "error": "", "seconds": 1.1}
                            # The base model's stream: base+prior shares its base's noise.
                            model_rng = np.random.default_rng(ss + [_crc(model.partition("+")[0])])
                            table, preds, curve = _cell_outputs(key, common, draws, sev, model_rng,
                                                                extra_levels,
                                                                model_profile(model, profiles))
                            rs.write_parquet_atomic(preds, out / "predictions" / f"{cell}.parquet")
                            curve_tables.append(curve)
                        tables.append(table)
                        if per_cell_files:
                            rs.write_parquet_atomic(table, out / "cells" / f"{cell}.parquet")
                            if curve is not None:
                                rs.write_parquet_atomic(curve, out / "curves" / f"{cell}.parquet")
    manifest = {
        "schema_version": rs.SCHEMA_VERSION, "run": run, "created": "2025-01-01T00:00:00+00:00",
        "finished": "2025-01-01T01:00:00+00:00", "preset": preset, "suites": {suite: suite_version},
        "provenance": {"rsbench": "0.1.0", "plugins": {"rsbench_models": "0.1.0"},
                       "git_commit": "0123456789abcdef", "torch": "2.3.0", "numpy": np.__version__,
                       "python": "3.11.7", "platform": "Linux-x86_64", "device": "cpu",
                       "device_name": "synthetic CPU", "seeds": list(range(seeds))},
        "plan": plan, "cells": statuses,
    }
    if consolidated:
        for name, parts, schema in (("results", tables, rs.RESULTS_SCHEMA),
                                    ("curves", curve_tables, rs.CURVES_SCHEMA)):
            table = pa.concat_tables(parts) if parts else schema.empty_table()
            rs.write_parquet_atomic(table, out / f"{name}.parquet", {"run": run})
    rs.write_json_atomic(manifest, out / "manifest.json")
    return out
