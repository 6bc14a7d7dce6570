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

import numpy as np
import pandas as pd
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


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


def model_profile(model: str) -> tuple[float, float, float]:
    """(skill, robustness, calibration) of a synthetic model, stable per name."""
    base, _, prior = model.partition("+")
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
    levels = np.arange(1, 100) / 100
    z = stats.norm.ppf(0.5 + levels / 2)
    observed = (np.abs(y - mean)[None, :] <= z[:, None] * np.sqrt(var)[None, :]).mean(axis=1)
    out["miscal_area"] = float(np.mean(np.abs(observed - levels)))
    if noise_var is not None:
        out["excess_mse"] = out["mse"] - float(noise_var.mean())
    return out


def _curves(y: np.ndarray, mean: np.ndarray, var: np.ndarray) -> list[tuple[str, str, float, float]]:
    cov, risk = _selective((y - mean) ** 2, var)
    pick = np.unique(np.clip(np.round(np.linspace(0.05, 1, 20) * len(y)).astype(int) - 1, 0, None))
    rows = [("aurc", "risk_coverage", float(cov[i]), float(risk[i])) for i in pick]
    for level in np.arange(0.1, 1.0, 0.1):
        inside = np.abs(y - mean) <= stats.norm.ppf(0.5 + level / 2) * np.sqrt(var)
        rows.append(("miscal_area", "reliability", float(level), float(inside.mean())))
    return rows


def _ood_splits(shift: str) -> tuple[str, ...]:
    if shift == "none":
        return ()
    return tuple(f"test_ood/{n}" for n in NAMED_OOD[shift]) if shift in NAMED_OOD else ("test_ood",)


def _draw_split(rng: np.random.Generator, n: int, severity: float) -> tuple[np.ndarray, np.ndarray]:
    y_true = rng.normal(0.5 * severity, 1.0 + 0.5 * severity, n)
    return y_true, y_true + rng.normal(0.0, 0.3, n)


def _predict(rng: np.random.Generator, model: str, y_true: np.ndarray, y: np.ndarray,
             severity: float) -> tuple[np.ndarray, np.ndarray]:
    skill, robust, calib = model_profile(model)
    a = skill * (1.0 - 0.8 * severity * (1.0 - robust))
    mean = a * y_true + np.sqrt(max(1.0 - a * a, 0.01)) * 0.8 * rng.normal(size=len(y))
    err2 = (mean - y) ** 2
    shrink = calib * (1.0 - 0.9 * severity * (1.0 - robust))  # over-confident under shift
    var = shrink * (0.3 * err2 + 0.7 * err2.mean()) * rng.lognormal(0.0, 0.3, len(y))
    return mean, np.maximum(var, 1e-4)


def _cell_hash(key: Key, run_seed: int) -> str:
    return f"{_crc(repr((key, run_seed))):08x}{_crc(repr((run_seed, key))):08x}"


def write_synthetic_run(
    out: str | Path, *, tasks: Sequence[str] = ("sim",),
    shifts: Mapping[str, Sequence[float]] = DEFAULT_SHIFTS, models: Sequence[str] = DEFAULT_MODELS,
    seeds: int = 2, n_test: int = 200, n_val: int = 64, extra_levels: Sequence[int] = (),
    failed: Iterable[Key] = (), missing: Iterable[Key] = (), per_cell_files: bool = True,
    consolidated: bool = True, random_state: int = 0, run_name: str | None = None,
    suite: str = "synthetic", suite_version: int = 1, preset: str = "quick",
) -> Path:
    """Write a fake run directory with results, predictions, curves and a manifest.

    Parameters
    ----------
    out : path
        The run directory to create.
    tasks, shifts, models, seeds
        The grid: shift name -> severities (``none`` is the ID reference).
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
    """
    out = Path(out)
    failed_set = {(t, s, float(v), m, int(e)) for t, s, v, m, e in failed}
    missing_set = {(t, s, float(v), m, int(e)) for t, s, v, m, e in missing}
    run = run_name or out.name
    plan, statuses, frames, curve_frames = [], {}, [], []
    for task in tasks:
        for shift, severities in shifts.items():
            for severity in severities:
                for seed in range(seeds):
                    ss = [random_state, _crc(task), _crc(shift), int(severity * 1000), seed]
                    data_rng = np.random.default_rng(ss)
                    sizes = {"val": (n_val, 0.0), "test_id": (n_test, 0.0)}
                    sizes.update({s: (n_test, severity) for s in _ood_splits(shift)})
                    draws = {s: _draw_split(data_rng, n, sev) for s, (n, sev) in sizes.items() if n}
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
                            statuses[cell] = {"status": "failed", "seconds": 0.5,
                                              "error": "RuntimeError: synthetic failure"}
                            frames.append(pd.DataFrame([{**common, "split": "", "metric": "",
                                                         "value": np.nan, "n": 0,
                                                         "higher_is_better": False,
                                                         "status": "failed",
                                                         "error": "RuntimeError: synthetic failure"}]))
                            continue
                        statuses[cell] = {"status": "ok", "error": "", "seconds": 1.1}
                        model_rng = np.random.default_rng(ss + [_crc(model.partition("+")[0])])
                        rows, preds, curves = [], [], []
                        for split, (y_true, y) in draws.items():
                            mean, var = _predict(model_rng, model, y_true, y, sizes[split][1])
                            nv = np.full(len(y), 0.09)
                            real = task.startswith("sim")
                            for name, value in split_metrics(y, mean, var, nv if real else None,
                                                             extra_levels).items():
                                rows.append((split, name, value, name not in _LOWER, len(y), "ok", ""))
                            if not real:
                                rows.append((split, "excess_mse", np.nan, False, len(y), "skipped",
                                             "metric 'excess_mse' needs y_true; task has none"))
                            preds.append(pd.DataFrame({
                                "split": split, "row": np.arange(len(y)),
                                "example_id": [f"{split}:{i}" for i in range(len(y))] if len(y) < 5000 else None,
                                "y": y, "mean": mean, "var": var, "aleatoric": np.nan, "epistemic": np.nan,
                                "y_true": y_true if real else np.nan, "noise_var": nv if real else np.nan}))
                            if split != "val":
                                curves += [(split, *c) for c in _curves(y, mean, var)]
                        frame = pd.DataFrame(rows, columns=["split", "metric", "value",
                                                            "higher_is_better", "n", "status", "error"])
                        frame = frame.assign(**common)
                        frames.append(frame)
                        rs.write_parquet_atomic(rs.to_table(pd.concat(preds), rs.PREDICTIONS_SCHEMA),
                                                out / "predictions" / f"{cell}.parquet")
                        cframe = pd.DataFrame(curves, columns=["split", "metric", "curve", "x", "y"])
                        cframe = cframe.assign(cell=cell, task=task, shift=shift,
                                               severity=float(severity), model=model, seed=seed)
                        curve_frames.append(cframe)
                        if per_cell_files:
                            rs.write_parquet_atomic(rs.to_table(frame, rs.RESULTS_SCHEMA),
                                                    out / "cells" / f"{cell}.parquet")
                            rs.write_parquet_atomic(rs.to_table(cframe, rs.CURVES_SCHEMA),
                                                    out / "curves" / f"{cell}.parquet")
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
        all_rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        rs.write_parquet_atomic(rs.to_table(all_rows, rs.RESULTS_SCHEMA), out / "results.parquet",
                                {"run": run})
        all_curves = pd.concat(curve_frames, ignore_index=True) if curve_frames else pd.DataFrame()
        rs.write_parquet_atomic(rs.to_table(all_curves, rs.CURVES_SCHEMA), out / "curves.parquet",
                                {"run": run})
    rs.write_json_atomic(manifest, out / "manifest.json")
    return out
