"""A synthetic run directory for leaderboard tests and benchmarks (no models trained).

It follows :mod:`regshift_bench.results` (schemas, layout, manifest). Predictions
come from a small generative story: each model has a skill, a robustness to shift
and a calibration factor; under a shift of severity ``s`` its signal shrinks and
its variance becomes over-confident. A ``base+prior`` model shares its base's noise
(so paired comparisons are tight) and is more robust. Every number is scored by
the registered metric plugins through :func:`regshift_bench.scoring.score` (the
runner's own per-cell code), so it cannot disagree with what a real run writes.
The manifest's provenance says it is synthetic.

Columns of the cross-team contract (``reference``, ``shift_kind``, ``undertrained``,
``explainer``) are written whether or not this version's results schema declares
them, so readers can be tested against them.
"""

from __future__ import annotations

import platform
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa

from regshift_bench import results as rs
from regshift_bench.api import Prediction, SeqDataset
from regshift_bench.leaderboard.load import REFERENCE_PREDICTIONS, results_schema
from regshift_bench.scoring import curves_table, predictions_table, score

DEFAULT_SHIFTS: dict[str, tuple[float, ...]] = {
    "none": (0.0,),
    "gc_shift": (0.5, 1.0),
    "motif_loss": (1.0,),
    "gc_split": (1.0,),
}
DEFAULT_MODELS = ("mean", "cnn", "cnn+motif", "bilstm")
#: Shifts whose OOD data is a dict of named sets (``test_ood/<name>``).
NAMED_OOD = {"gc_split": ("low_gc", "high_gc")}
_KNOWN = {
    "mean": (0.05, 0.5, 1.0),
    "cnn": (0.8, 0.45, 0.8),
    "bilstm": (0.75, 0.6, 0.9),
    "transformer": (0.82, 0.4, 0.7),
}
Key = tuple[str, str, float, str, int]
#: The references this story can draw on sim tasks.
ORACLE_REFERENCES = ("noise_ceiling", "source_oracle")
Profile = tuple[float, float, float]


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


def _ood_splits(shift: str) -> tuple[str, ...]:
    if shift == "none":
        return ()
    return tuple(f"test_ood/{n}" for n in NAMED_OOD[shift]) if shift in NAMED_OOD else ("test_ood",)


#: Under a label shift of severity s the labels move by s * LABEL_MOVE * N(0, 1) away
#: from what the (unchanged) inputs predict under the source mechanism.
LABEL_MOVE = 1.5


def _draw_split(
    rng: np.random.Generator,
    n: int,
    severity: float,
    sim: bool,
    label_shift: bool = False,
    label_move: float = LABEL_MOVE,
) -> tuple[SeqDataset, np.ndarray]:
    """A split and ``y_src`` (n,): what the source mechanism gives for its inputs.

    An input shift moves the inputs (``y_src`` = ``y_true`` is drawn from a shifted
    distribution); a label shift keeps the source's inputs and moves their labels.
    """
    if label_shift:
        y_src = rng.normal(0.0, 1.0, n)
        y_true = y_src + severity * label_move * rng.normal(0.0, 1.0, n)
    else:
        y_true = y_src = rng.normal(0.5 * severity, 1.0 + 0.5 * severity, n)
    y = y_true + rng.normal(0.0, 0.3, n)
    seqs = rng.integers(0, 4, size=(n, 8), dtype=np.uint8)
    return SeqDataset(seqs, y, y_true=y_true if sim else None, noise_var=np.full(n, 0.09) if sim else None), y_src


def _predict(
    rng: np.random.Generator, profile: Profile, data: SeqDataset, severity: float, y_src: np.ndarray | None = None
) -> Prediction:
    """A model's prediction from the inputs' source value ``y_src`` (default the labels)."""
    skill, robust, calib = profile
    y_true = y_src if y_src is not None else (data.y_true if data.y_true is not None else data.y)
    a = skill * (1.0 - 0.8 * severity * (1.0 - robust))
    mean = a * y_true + np.sqrt(max(1.0 - a * a, 0.01)) * 0.8 * rng.normal(size=len(data))
    err2 = (mean - data.y) ** 2
    shrink = calib * (1.0 - 0.9 * severity * (1.0 - robust))  # over-confident under shift
    var = shrink * (0.3 * err2 + 0.7 * err2.mean()) * rng.lognormal(0.0, 0.3, len(data))
    return Prediction(mean=mean, var=np.maximum(var, 1e-4))


def _reference_rows(
    cell: Any,
    sets: dict[str, SeqDataset],
    references: Sequence[str],
    cache: dict[str, Any],
    y_src: dict[str, np.ndarray],
) -> list[dict[str, Any]]:
    """Rows ``f"{ref}_{metric}"`` of reference predictions scored by the same plugins.

    ``noise_ceiling`` is N(y_true, noise_var); ``source_oracle`` is N(y_src, noise_var):
    the source mechanism applied to the inputs, blind to a label shift.
    """
    rows: list[dict[str, Any]] = []
    for ref in references:
        if ref not in ORACLE_REFERENCES or any(d.y_true is None for d in sets.values()):
            continue
        center = {s: (d.y_true if ref == "noise_ceiling" else y_src[s]) for s, d in sets.items()}
        preds = {s: Prediction(mean=np.asarray(center[s]), var=np.asarray(d.noise_var)) for s, d in sets.items()}
        task = SimpleNamespace(score=lambda *a: {})
        part, _ = score(cell, task, sets, preds, cache)
        rows += [{**r, "metric": f"{ref}_{r['metric']}", "reference": ref} for r in part]
    return rows


def _cell_tables(
    cell: Any,
    sets: dict[str, SeqDataset],
    preds: dict[str, Prediction],
    common: dict[str, Any],
    cache: dict[str, Any],
    references: Sequence[str],
    explainer: bool,
    y_src: dict[str, np.ndarray],
) -> tuple[pa.Table, pa.Table, pa.Table]:
    task = SimpleNamespace(score=lambda *a: {})
    rows, curves = score(cell, task, sets, preds, cache)
    rows = [{**r, "reference": ""} for r in rows] + _reference_rows(cell, sets, references, cache, y_src)
    if explainer:  # an interpretation row that ordinary tables must ignore
        rows.append(
            {
                "split": "test_id",
                "metric": "synthetic_site_score",
                "value": 0.99,
                "n": 10,
                "higher_is_better": True,
                "status": "ok",
                "error": "",
                "reference": "",
                "explainer": "ism",
            }
        )
    schema = results_schema()
    columns: dict[str, Any] = {k: v for k, v in common.items() if k in schema.names}
    for name in ("split", "metric", "value", "higher_is_better", "n", "status", "error", "reference"):
        columns[name] = [r.get(name) for r in rows]
    columns["explainer"] = [r.get("explainer", "") for r in rows]
    results = rs.columns_table(columns, len(rows), schema)
    # No curve metric scored: an empty table (curves_table needs at least one curve).
    curve_table = curves_table(curves, common) if curves else rs.CURVES_SCHEMA.empty_table()
    return results, predictions_table(sets, preds), curve_table


def _oracle_table(sets: dict[str, SeqDataset], y_src: dict[str, np.ndarray]) -> pa.Table:
    """Per-example ``source_oracle`` predictions (N(y_src, noise_var)) of every split."""
    return pa.table(
        {
            "split": np.concatenate([np.full(len(d), s, dtype=object) for s, d in sets.items()]),
            "row": np.concatenate([np.arange(len(d), dtype=np.int64) for d in sets.values()]),
            "reference": np.concatenate([np.full(len(d), "source_oracle", dtype=object) for d in sets.values()]),
            "mean": np.concatenate([np.asarray(y_src[s], dtype=np.float64) for s in sets]),
            "var": np.concatenate([np.asarray(d.noise_var, dtype=np.float64) for d in sets.values()]),
        }
    )


def _seeded(profile: Profile, seed_sd: float, random_state: int, task: str, model: str, seed: int) -> Profile:
    """The profile of one trained model: skill moved by its seed (``seed_sd`` × N(0, 1))."""
    if not seed_sd:
        return profile
    shift = np.random.default_rng([random_state, _crc(task), _crc(model), seed]).normal()
    skill, robust, calib = profile
    return float(np.clip(skill + seed_sd * shift, 0.0, 0.99)), robust, calib


def _metric_names(metrics: Sequence[str] | None) -> tuple[str, ...]:
    if metrics is not None:
        return tuple(metrics)
    from regshift_bench.plugins import current

    return tuple(current().registry.names("metric"))


def write_synthetic_run(
    out: str | Path,
    *,
    tasks: Sequence[str] = ("sim",),
    shifts: Mapping[str, Sequence[float]] = DEFAULT_SHIFTS,
    models: Sequence[str] = DEFAULT_MODELS,
    seeds: int = 2,
    n_test: int = 200,
    n_val: int = 64,
    metrics: Sequence[str] | None = None,
    failed: Iterable[Key] = (),
    missing: Iterable[Key] = (),
    undertrained: Iterable[Key] = (),
    shift_kinds: Mapping[str, str] | None = None,
    references: Sequence[str] = (),
    explainer_rows: bool = False,
    per_cell_files: bool = True,
    consolidated: bool = True,
    random_state: int = 0,
    run_name: str | None = None,
    suite: str = "synthetic",
    suite_version: int = 1,
    preset: str = "quick",
    profiles: Mapping[str, Profile] | None = None,
    label_shifts: Sequence[str] = (),
    seed_sd: float = 0.0,
    label_move: float = LABEL_MOVE,
    shift_strength: Mapping[str, float] | None = None,
) -> Path:
    """Write a synthetic run directory with results, predictions, curves and a manifest.

    Parameters
    ----------
    out : path
        The run directory to create.
    tasks, shifts, models, seeds
        The grid: shift name -> severities (``none`` is the ID reference). Tasks whose
        name starts with ``sim`` carry ``y_true`` / ``noise_var``; on the others the
        oracle metrics skip, as on real data.
    n_test, n_val : int
        Examples per test split (each OOD set too) and per validation split.
    metrics : sequence of str, optional
        Registered metric names to score (default: every registered metric).
    failed, missing, undertrained : iterables of (task, shift, severity, model, seed)
        Cells recorded as failed, planned cells that never ran, cells marked undertrained.
    shift_kinds : mapping shift -> kind, optional
        Written to ``shift_kind`` (empty when not given).
    references : sequence of str
        Reference rows to add on sim tasks: ``"noise_ceiling"`` (N(y_true, noise_var))
        and ``"source_oracle"`` (N(y_src, noise_var), the source mechanism; with it the
        manifest declares the task ``has_oracle``).
    explainer_rows : bool
        Add an interpretation row (``explainer`` = "ism") to every finished cell.
    per_cell_files, consolidated : bool
        Write ``cells/``+``curves/`` per-cell files and/or the consolidated files.
    random_state : int
        Seed of every random draw; the same arguments give identical files.
    profiles : mapping model -> (skill, robustness, calibration), optional
        Override the built-in profiles (e.g. two equally good models for tie tests).
    label_shifts : sequence of str
        Shifts that keep the inputs and move the labels (``s * LABEL_MOVE * N(0, 1)``):
        models and the oracle predict as in distribution, so all of them lose alike.
        Declared in the manifest (``changes_inputs`` false; every other shift true).
    label_move : float
        Size of a label shift's move at severity 1 (sd of the added label change).
    shift_strength : mapping shift -> float, optional
        Multiplies a shift's severity in the story (default 1), so two shifts at one
        severity can differ in effect.
    seed_sd : float
        Training variance: each (model, seed) gets its skill moved by ``seed_sd * N(0, 1)``
        in every condition, as one trained model per seed would.
    """
    story = _Story.from_arguments(locals())  # first: locals() is then exactly the arguments
    story.write(tasks, shifts, consolidated)
    return story.out


def _keyset(failed: Iterable[Key], missing: Iterable[Key], undertrained: Iterable[Key]) -> dict[str, set[Key]]:
    return {
        name: {(t, s, float(v), m, int(e)) for t, s, v, m, e in keys}
        for name, keys in (("failed", failed), ("missing", missing), ("undertrained", undertrained))
    }


@dataclass
class _Story:
    """The arguments of :func:`write_synthetic_run` and what it has written so far."""

    out: Path
    run: str
    suite: str
    suite_version: int
    preset: str
    seeds: int
    models: tuple[str, ...]
    n_test: int
    n_val: int
    names: tuple[str, ...]
    keyset: dict[str, set[Key]]
    shift_kinds: dict[str, str]
    references: tuple[str, ...]
    explainer_rows: bool
    per_cell_files: bool
    random_state: int
    profiles: Mapping[str, Profile] | None
    label_shifts: tuple[str, ...]
    seed_sd: float
    label_move: float
    shift_strength: dict[str, float]
    plan: list[dict[str, object]] = field(default_factory=list)
    statuses: dict[str, dict[str, object]] = field(default_factory=dict)
    tables: list[pa.Table] = field(default_factory=list)
    curve_tables: list[pa.Table] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)
    schema: pa.Schema = field(default_factory=results_schema)

    @classmethod
    def from_arguments(cls, args: Mapping[str, Any]) -> _Story:
        """The story of one :func:`write_synthetic_run` call, before anything is written.

        Parameters
        ----------
        args : mapping of str to object
            Every argument of :func:`write_synthetic_run` by its parameter name (its
            ``locals()``), so its long public signature is spelled out only once.
        """
        out = Path(args["out"])
        return cls(
            out=out,
            run=args["run_name"] or out.name,
            suite=args["suite"],
            suite_version=args["suite_version"],
            preset=args["preset"],
            seeds=args["seeds"],
            models=tuple(args["models"]),
            n_test=args["n_test"],
            n_val=args["n_val"],
            names=_metric_names(args["metrics"]),
            keyset=_keyset(args["failed"], args["missing"], args["undertrained"]),
            shift_kinds=dict(args["shift_kinds"] or {}),
            references=tuple(args["references"]),
            explainer_rows=args["explainer_rows"],
            per_cell_files=args["per_cell_files"],
            random_state=args["random_state"],
            profiles=args["profiles"],
            label_shifts=tuple(args["label_shifts"]),
            seed_sd=args["seed_sd"],
            label_move=args["label_move"],
            shift_strength=dict(args["shift_strength"] or {}),
        )

    def write(self, tasks: Sequence[str], shifts: Mapping[str, Sequence[float]], consolidated: bool) -> None:
        """Write every condition of the grid, then the manifest and the consolidated files.

        The loop order is the order of the manifest's plan and of the consolidated
        tables' rows; each condition seeds its own random draws from its key.
        """
        for task in tasks:
            for shift, shift_severities in shifts.items():
                for severity in shift_severities:
                    for seed in range(self.seeds):
                        self.condition(task, shift, severity, seed)
        self.finish(tasks, list(shifts), consolidated)

    def condition(self, task: str, shift: str, severity: float, seed: int) -> None:
        """Draw the splits of one (task, shift, severity, seed); write every model's cell."""
        ss = [self.random_state, _crc(task), _crc(shift), int(severity * 1000), seed]
        data_rng = np.random.default_rng(ss)
        strength = float(self.shift_strength.get(shift, 1.0)) * float(severity)
        sev = {"val": 0.0, "test_id": 0.0, **{s: strength for s in _ood_splits(shift)}}
        sizes = {"val": self.n_val, "test_id": self.n_test, **{s: self.n_test for s in _ood_splits(shift)}}
        drawn = {
            s: _draw_split(
                data_rng,
                n,
                sev[s],
                task.startswith("sim"),
                shift in self.label_shifts and s.startswith("test_ood"),
                self.label_move,
            )
            for s, n in sizes.items()
            if n
        }
        sets = {s: d for s, (d, _) in drawn.items()}
        y_src = {s: y for s, (_, y) in drawn.items()}
        # Inputs of a label shift are the source's: models see no shift.
        seen = {s: 0.0 if shift in self.label_shifts else v for s, v in sev.items()}
        for model in self.models:
            self.cell((task, shift, float(severity), model, seed), severity, ss, sets, y_src, seen)

    def cell(
        self,
        key: Key,
        severity: float,
        ss: list[int],
        sets: dict[str, SeqDataset],
        y_src: dict[str, np.ndarray],
        seen: dict[str, float],
    ) -> None:
        """Plan one cell and, unless it is missing, write its files."""
        task, shift, _, model, seed = key
        rs_ = self.random_state
        cell = f"{_crc(repr((key, rs_))):08x}{_crc(repr((rs_, key))):08x}"
        self.plan.append(
            {
                "cell": cell,
                "task": task,
                "shift": shift,
                "severity": float(severity),
                "model": model,
                "seed": seed,
                "suite": self.suite,
                "changes_train": False,
            }
        )
        if key in self.keyset["missing"]:
            return
        common = {
            "run": self.run,
            "suite": self.suite,
            "suite_version": self.suite_version,
            "preset": self.preset,
            "task": task,
            "shift": shift,
            "severity": float(severity),
            "model": model,
            "seed": seed,
            "cell": cell,
            "model_key": f"m{_crc(repr((task, model, seed))):08x}",
            "task_params": "{}",
            "shift_params": f'{{"severity": {severity}}}',
            "model_params": "{}",
            "device": "cpu",
            "fit_seconds": 1.0,
            "predict_seconds": 0.1,
            "explainer": "",
            "shift_kind": self.shift_kinds.get(shift, ""),
            "undertrained": key in self.keyset["undertrained"],
        }
        curve = None
        if key in self.keyset["failed"]:
            error = "RuntimeError: synthetic failure"
            self.statuses[cell] = {"status": "failed", "seconds": 0.5, "error": error}
            table = rs.columns_table(
                {
                    **common,
                    "split": "",
                    "metric": "",
                    "value": np.nan,
                    "n": 0,
                    "reference": "",
                    "higher_is_better": False,
                    "status": "failed",
                    "error": error,
                },
                1,
                self.schema,
            )
        else:
            self.statuses[cell] = {"status": "ok", "error": "", "seconds": 1.1}
            table, curve = self._scored(key, ss, sets, y_src, seen, common, cell)
        self.tables.append(table)
        if self.per_cell_files:
            rs.write_parquet_atomic(table, self.out / "cells" / f"{cell}.parquet")
            if curve is not None:
                rs.write_parquet_atomic(curve, self.out / "curves" / f"{cell}.parquet")

    def _scored(
        self,
        key: Key,
        ss: list[int],
        sets: dict[str, SeqDataset],
        y_src: dict[str, np.ndarray],
        seen: dict[str, float],
        common: dict[str, Any],
        cell: str,
    ) -> tuple[pa.Table, pa.Table | None]:
        """A finished cell's result table and curves; its predictions are written."""
        task, _, _, model, seed = key
        # The base model's stream: base+prior shares its base's noise.
        model_rng = np.random.default_rng(ss + [_crc(model.partition("+")[0])])
        profile = _seeded(model_profile(model, self.profiles), self.seed_sd, self.random_state, task, model, seed)
        preds = {s: _predict(model_rng, profile, d, seen[s], y_src[s]) for s, d in sets.items()}
        spec = SimpleNamespace(metrics=self.names, task_name=task)
        table, pred_table, curve = _cell_tables(
            spec, sets, preds, common, self.cache, self.references, self.explainer_rows, y_src
        )
        rs.write_parquet_atomic(pred_table, self.out / "predictions" / f"{cell}.parquet")
        if "source_oracle" in self.references and task.startswith("sim"):
            rs.write_parquet_atomic(
                _oracle_table(sets, y_src), self.out / "predictions" / f"{cell}{REFERENCE_PREDICTIONS}"
            )
        self.curve_tables.append(curve)
        return table, curve

    def finish(self, tasks: Sequence[str], shifts: Sequence[str], consolidated: bool) -> None:
        """Write the manifest and, when asked, the consolidated results and curves."""
        manifest = {
            "schema_version": rs.SCHEMA_VERSION,
            "run": self.run,
            "created": "2025-01-01T00:00:00+00:00",
            "finished": "2025-01-01T01:00:00+00:00",
            "preset": self.preset,
            "suites": {self.suite: self.suite_version},
            "provenance": {
                "rsbench": "synthetic",
                "plugins": {},
                "git_commit": "",
                "torch": "none (synthetic run)",
                "numpy": np.__version__,
                "python": platform.python_version(),
                "platform": platform.platform(),
                "device": "cpu",
                "device_name": "synthetic CPU",
                "seeds": list(range(self.seeds)),
            },
            "plan": self.plan,
            "cells": self.statuses,
            # What the plugins would declare (regshift_bench.leaderboard.declared).
            "declared": {
                "shifts": {s: {"changes_inputs": s not in self.label_shifts} for s in shifts if s != "none"},
                "tasks": {
                    t: {
                        "has_oracle": t.startswith("sim") and "source_oracle" in self.references,
                        "oracle_reference": "source_oracle",
                    }
                    for t in tasks
                },
            },
        }
        if consolidated:
            for name, parts, sch in (
                ("results", self.tables, self.schema),
                ("curves", self.curve_tables, rs.CURVES_SCHEMA),
            ):
                table = pa.concat_tables(parts) if parts else sch.empty_table()
                rs.write_parquet_atomic(table, self.out / f"{name}.parquet", {"run": self.run})
        rs.write_json_atomic(manifest, self.out / "manifest.json")
