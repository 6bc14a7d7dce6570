"""Executing cells: split, train (or reuse), predict, score, write atomically.

:func:`run_group` runs the cells of one (task, model, seed) group and is what
every executor ships to a worker: it takes only picklable arguments and writes
each finished cell to disk before starting the next, so a kill loses at most the
cell in progress.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench import interpret, intervene, results, scoring
from regshift_bench.api import FitReport, Intervention, Model, Prediction, SeqDataset, Splits, fit_report
from regshift_bench.api.fit_report import COLUMNS as FIT_COLUMNS
from regshift_bench.cell import Cell, canonical_json, stable_hash
from regshift_bench.errors import CellTimeout, PluginError
from regshift_bench.plugins import get_plugin
from regshift_bench.split_cache import cached_splits
from regshift_bench.submission.digests import splits_digests

__all__ = ["CellOutcome", "CellTimeout", "GroupContext", "run_cell", "run_group"]


@dataclass(frozen=True)
class CellOutcome:
    """What the executor reports back for one cell."""

    cell: str
    status: str  # ok | failed
    error: str
    seconds: float
    fit_seconds: float
    predict_seconds: float
    split_seconds: float
    reused_model: bool
    failed_rows: int = 0
    warning: str = ""  # e.g. a cached model that failed to load and was retrained
    traceback: str = ""  # of a failed cell: kept in the manifest, printed by --debug
    commit: str = ""  # the git commit the cell was computed at ("" outside a checkout)


def _name_seed(*parts: str) -> list[int]:
    """Stable 32-bit words naming a random stream (adding a shift changes no other)."""
    return [int(stable_hash(p, 4), 16) for p in parts]


def split_rng(cell: Cell) -> np.random.Generator:
    """The generator for data splits: depends on task and seed only, not on shift
    or model, so every shift that keeps training data draws the same train set."""
    ss = np.random.SeedSequence(cell.seed, spawn_key=_name_seed(cell.task, canonical_json(cell.stream_task_params())))
    return np.random.Generator(np.random.PCG64(ss))


def model_rng(cell: Cell) -> np.random.Generator:
    """The generator for training: depends on task, model and seed."""
    ss = np.random.SeedSequence(cell.seed, spawn_key=_name_seed(cell.task, cell.model, "fit"))
    return np.random.Generator(np.random.PCG64(ss))


def cell_global_seed(cell: Cell) -> int:
    """A 32-bit seed of the cell for the process-wide generators (see :func:`cell_random_state`)."""
    ss = np.random.SeedSequence(cell.seed, spawn_key=_name_seed(cell.cell, "global"))
    return int(ss.generate_state(1)[0])


@contextlib.contextmanager
def cell_random_state(cell: Cell) -> Iterator[None]:
    """Seed torch's, numpy's and Python's global generators from ``cell``; restore after.

    Built-in models draw from their own seeded generators; this makes a plugin that
    draws from a global one give the same numbers whichever cells its worker ran before.
    """
    import torch

    seed = cell_global_seed(cell)
    np_state, py_state = np.random.get_state(), random.getstate()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        np.random.seed(seed)
        random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)


@contextlib.contextmanager
def group_threads(threads: int | None, device: str) -> Iterator[None]:
    """Run a group at ``threads`` torch and BLAS threads, deterministic kernels on CPU.

    CPU float reductions depend on the thread count, so every executor sets it for
    every group (None leaves the process's settings alone); the previous settings
    are restored after.
    """
    import torch

    before, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    with contextlib.ExitStack() as stack:
        if threads:
            torch.set_num_threads(int(threads))
            stack.enter_context(_blas_threads(int(threads)))
        if device == "cpu":
            torch.use_deterministic_algorithms(True, warn_only=True)
        try:
            yield
        finally:
            torch.set_num_threads(before)
            torch.use_deterministic_algorithms(det)


def _blas_threads(threads: int) -> contextlib.AbstractContextManager[Any]:
    """numpy's BLAS at ``threads`` threads (a no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`CellTimeout` after ``seconds`` (main thread on Unix only)."""
    usable = seconds and hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise CellTimeout(f"cell ran past its {seconds:.0f} s limit")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cell_done(run_dir: Path, cell: str) -> bool:
    """A cell is done when its result file exists and records no failure."""
    path = run_dir / "cells" / f"{cell}.parquet"
    if not path.exists():
        return False
    status = pd.read_parquet(path, columns=["status"])["status"]
    return not (status == "failed").any()


class GroupContext:
    """Per-worker caches for one group: task instance and trained models by key."""

    def __init__(self, run_dir: Path, device: str) -> None:
        self.run_dir, self.device = run_dir, device
        self.tasks: dict[str, Any] = {}
        self.metrics: dict[str, Any] = {}  # metric instances, built once per group
        self._model: tuple[str, Model] | None = None  # the last trained model, by key
        # Predictions of the current model by data fingerprint: val and test_id are the
        # same for every shift that keeps training data, so they are predicted once.
        self._pred_key = ""
        self._preds: dict[str, Prediction] = {}
        self.warning = ""  # set by model(), taken by the cell that triggered it
        self.reports: dict[str, FitReport | None] = {}  # fit diagnostics by model key
        self.explained: dict[Any, list[dict[str, Any]]] = {}  # interpretation rows by model+data
        self.commit = ""  # the git commit the group's cells are computed at

    def predict(self, model: Model, key: str, data: SeqDataset, plugin: str) -> Prediction:
        """``model.predict`` checked against the contract, memoised per model and data.

        Memoised by what the model sees (:meth:`SeqDataset.input_fingerprint`): a
        shift that moves only the labels hands over the same sequences, and their
        prediction is not recomputed.
        """
        if key != self._pred_key:
            self._pred_key, self._preds = key, {}
        fp = data.input_fingerprint()
        if fp not in self._preds:
            pred = model.predict(data, device=self.device)
            if not isinstance(pred, Prediction):
                raise PluginError(f"predict returned {type(pred).__name__}, expected Prediction", plugin=plugin)
            self._preds[fp] = pred.check(len(data), plugin=plugin)
        return self._preds[fp]

    def task(self, cell: Cell) -> Any:
        key = canonical_json([cell.task_name, cell.task_params])
        if key not in self.tasks:
            self.tasks[key] = get_plugin("task", cell.task_name, **dict(cell.task_params))
        return self.tasks[key]

    def model(self, cell: Cell, splits: Splits, iv: Intervention | None = None) -> tuple[Model, str, float, bool]:
        """Train, or load a cached model trained on the same data; return timing.

        A ``posthoc`` / ``test_time`` intervention gets the model of the ``none`` cell
        (same key); a ``train`` one trains its own through ``fit_augmented``.
        """
        model_name, model_kwargs = cell.model_factory_args()
        model = get_plugin("model", model_name, **model_kwargs)
        if iv is not None and iv.stage == "train":
            intervene.check_trainable(model, iv, cell.model)
        key = stable_hash(
            {
                "model": cell.model,
                "params": model.params_json(),
                "seed": cell.seed,
                "train": splits.train.fingerprint(),
                "val": splits.val.fingerprint(),
                "budget": cell.budget.identity(),
                "device": self.device.split(":")[0],
                **intervene.model_key_extra(cell, iv),
            },
            16,
        )
        if self._model is not None and self._model[0] == key:
            return self._model[1], key, 0.0, True  # the same training data: reuse in memory
        path = self.run_dir / "models" / f"{key}.pt"
        if path.exists():
            try:
                self._model = (key, model.load(path))
                self.reports[key] = _read_report(path.with_suffix(".json"))
                return self._model[1], key, 0.0, True
            except Exception as exc:  # a corrupt cache entry is retrained, and said so
                self.warning = (
                    f"cached model {path.name} failed to load ({type(exc).__name__}: {exc}); deleted and retrained"
                )
                path.unlink(missing_ok=True)
                model = get_plugin("model", model_name, **model_kwargs)
        start = time.perf_counter()
        if iv is not None and iv.stage == "train":
            model.fit_augmented(
                splits.train,
                splits.val,
                augment=iv.augment,
                finetune_epochs=int(iv.finetune_epochs),
                rng=model_rng(cell),
                device=self.device,
                budget=cell.budget,
            )
        else:
            model.fit(splits.train, splits.val, rng=model_rng(cell), device=self.device, budget=cell.budget)
        seconds = time.perf_counter() - start
        self.reports[key] = fit_report(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{time.monotonic_ns()}.tmp"
        try:
            # The diagnostics go beside the weights (written first), so a reused model
            # reports how it was trained whatever the plugin keeps in its state.
            report = self.reports[key]
            results.write_json_atomic(report.to_dict() if report else None, path.with_suffix(".json"))
            model.save(tmp)
            tmp.replace(path)
        except NotImplementedError:
            pass  # a model without get_state is simply not cached
        finally:
            tmp.unlink(missing_ok=True)
        self._model = (key, model)
        return model, key, seconds, False

    def fit_columns(self, key: str) -> dict[str, Any]:
        """The fit-diagnostics result columns of the model under ``key`` (None: null)."""
        report = self.reports.get(key)
        return report.columns() if report is not None else {c: None for c in FIT_COLUMNS}


def _read_report(path: Path) -> FitReport | None:
    """The diagnostics saved beside a cached model (None for a model without any)."""
    if not path.exists():
        return None
    with open(path) as fh:
        raw = json.load(fh)
    return FitReport.from_dict(raw) if raw else None


def run_cell(cell: Cell, group: GroupContext, run_name: str, timeout: float | None) -> CellOutcome:
    """Run one cell and write its files; failures are recorded, never raised.

    The global generators are seeded from the cell for its duration, so its numbers
    do not depend on the cells run before it in this process.
    """
    with cell_random_state(cell):
        return _run_cell(cell, group, run_name, timeout)


def _run_cell(cell: Cell, group: GroupContext, run_name: str, timeout: float | None) -> CellOutcome:
    start = time.perf_counter()
    fit_s = predict_s = split_s = 0.0
    reused, key, trace = False, "", ""
    # Filled in as the cell goes: a failure still records what it got to (shift, model).
    common = _common_columns(cell, run_name, group.device)
    try:
        with time_limit(timeout):
            task = group.task(cell)
            shift = get_plugin("shift", cell.shift, severity=cell.severity, **dict(cell.shift_params))
            common["shift_kind"] = getattr(shift, "kind", "")
            t0 = time.perf_counter()
            splits = cached_splits(
                group.run_dir, cell, task, shift, group.commit, lambda: shift.split(task, split_rng(cell), cell.sizes)
            )
            split_s = time.perf_counter() - t0
            common["shift_params"] = shift.params_json()
            iv = intervene.create(cell)
            model, key, fit_s, reused = group.model(cell, splits, iv)
            common["model_params"] = model.params_json()
            sets = splits.evaluation_sets()
            t0 = time.perf_counter()
            preds: dict[str, Prediction] = {}
            for split, data in sets.items():
                preds[split] = group.predict(model, key, data, cell.model)
            adjusted = intervene.apply(cell, iv, model, group.device, sets, preds)
            predict_s = time.perf_counter() - t0
        status, error = "ok", ""
        rows = _score_and_write(cell, group, common, task, splits, iv, model, key, adjusted)
    except intervene.InterventionSkipped as exc:
        status, error = "skipped", str(exc)
        rows = [{"split": "", "metric": "", "value": np.nan, "n": 0, "status": "skipped", "error": error}]
    except Exception as exc:  # CellTimeout included
        status, trace = "failed", traceback.format_exc()
        error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, PluginError) else str(exc)
        rows = [{"split": "", "metric": "", "value": np.nan, "n": 0, "status": "failed", "error": error}]
    constant = {
        **common,
        "model_key": key,
        "fit_seconds": fit_s,
        "predict_seconds": predict_s,
        "split_seconds": split_s,
        **group.fit_columns(key),
    }
    # The cell file is written last: its presence marks the cell finished.
    results.write_parquet_atomic(
        scoring.results_table(rows, constant), group.run_dir / "cells" / f"{cell.cell}.parquet"
    )
    failed_rows = sum(row["status"] == "failed" for row in rows)
    warning, group.warning = group.warning, ""
    return CellOutcome(
        cell.cell,
        status,
        error,
        time.perf_counter() - start,
        fit_s,
        predict_s,
        split_s,
        reused,
        failed_rows,
        warning,
        trace,
        group.commit,
    )


def _common_columns(cell: Cell, run_name: str, device: str) -> dict[str, Any]:
    """The columns every file of ``cell`` carries, as known before it runs.

    The shift's and model's own settings (``shift_kind``, ``shift_params``,
    ``model_params``) are added by :func:`_run_cell` once their plugins are built.
    """
    return {
        "run": run_name,
        "suite": cell.suite,
        "suite_version": cell.suite_version,
        "preset": cell.preset,
        "task": cell.task,
        "shift": cell.shift,
        "severity": cell.severity,
        "model": cell.model,
        "seed": cell.seed,
        "task_params": canonical_json(cell.public_task_params()),
        "shift_params": canonical_json(dict(cell.shift_params)),
        "cell": cell.cell,
        "device": device,
        "intervention": cell.intervention,
    }


def _score_and_write(
    cell: Cell,
    group: GroupContext,
    common: dict[str, Any],
    task: Any,
    splits: Splits,
    iv: Intervention | None,
    model: Model,
    key: str,
    adjusted: intervene.Adjusted,
) -> list[dict[str, Any]]:
    """Score a predicted cell and write its predictions, references and curves.

    Parameters
    ----------
    cell : Cell
    group : GroupContext
        Its metric instances, explanations and run directory are used.
    common : dict
        The columns every file of the cell carries (:func:`_common_columns`).
    task : Task
    splits : Splits
        The cell's data as drawn (its digests go into the predictions file).
    iv : Intervention or None
        The cell's intervention; references are scored only without one.
    model : Model
    key : str
        The trained model's cache key.
    adjusted : intervene.Adjusted
        The evaluated sets and predictions after the intervention (per split: n
        examples, ``adjusted.rows`` each example's index in the split as drawn, (n,)).

    Returns
    -------
    list of dict
        The cell's result rows: metrics, held-out and explainer rows. The cell file
        itself is left to the caller, which writes it last.
    """
    sets, preds = adjusted.sets, adjusted.preds
    # References (ceilings, oracles) do not depend on the intervention: scored once,
    # in the `none` cell.
    ref_preds: dict[str, dict[str, Prediction]] = {}
    rows, curves = scoring.score(cell, task, sets, preds, group.metrics, splits if iv is None else None, ref_preds)
    rows += intervene.held_out_rows(adjusted)
    for row in rows:
        row.setdefault("explainer", "")
    rows += interpret.explain_rows(cell, model, key, sets, group.device, group.explained)
    results.write_parquet_atomic(
        scoring.predictions_table(sets, preds, adjusted.rows),
        group.run_dir / "predictions" / f"{cell.cell}.parquet",
        {
            **common,
            "model_key": key,
            "git_commit": group.commit,
            **intervene.held_out_metadata(adjusted),
            # which examples it saw: checked by submissions
            "split_digests": splits_digests(splits),
        },
    )
    if ref_preds:  # the oracle paired with the model example by example
        results.write_parquet_atomic(
            scoring.reference_predictions_table(sets, ref_preds),
            group.run_dir / "predictions" / f"{cell.cell}.references.parquet",
            common,
        )
    if curves:
        results.write_parquet_atomic(
            scoring.curves_table(curves, common), group.run_dir / "curves" / f"{cell.cell}.parquet"
        )
    return rows


def run_group(
    cells: list[Cell],
    run_dir: str,
    run_name: str,
    device: str,
    timeout: float | None = None,
    extra_plugins: tuple[str, ...] = (),
    data_dir: str | None = None,
    threads: int | None = None,
    on_outcome: Callable[[CellOutcome], None] | None = None,
) -> list[CellOutcome]:
    """Run the cells of one group in order (the unit every executor ships).

    ``extra_plugins`` and ``data_dir`` re-create the parent's configuration in a
    fresh worker process (process pool, Ray); ``threads`` is the run's torch (and
    BLAS) thread count, set for this group whatever ran before in the process
    (:func:`group_threads`); ``on_outcome`` hears of each cell as it finishes (the
    process pool's per-cell progress).
    """
    from regshift_bench import memory, paths, plugins, provenance

    memory.retain_freed_memory()  # once per process: large buffers reused, not re-mapped
    if tuple(extra_plugins) != plugins.configured_modules():
        plugins.configure(tuple(extra_plugins))
    if data_dir is not None:
        paths.set_data_dir(data_dir)
    # A fresh context per group: no model, prediction or task instance crosses groups.
    group = GroupContext(Path(run_dir), device)
    group.commit = provenance.git_commit() or ""
    outcomes = []
    with group_threads(threads, device.split(":")[0]):
        for c in cells:
            outcomes.append(run_cell(c, group, run_name, timeout))
            if on_outcome is not None:
                on_outcome(outcomes[-1])
    return outcomes
