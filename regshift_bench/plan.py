"""Grid expansion: suites x shifts x severities x models x seeds -> cells.

A *cell* is one (task, shift, severity, model, seed). Cells that share (task,
model, seed) form a *group*, the unit an executor runs: within a group the
model is trained once per distinct training set and reused across shifts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from regshift_bench import plugins
from regshift_bench.api import Budget, SplitSizes
from regshift_bench.errors import RegshiftError
from regshift_bench.tasks import Preset, ShiftSpec, Suite, TaskSpec


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace: the form that is hashed."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def stable_hash(obj: Any, size: int = 12) -> str:
    """A short hex digest of ``canonical_json(obj)``."""
    return hashlib.blake2b(canonical_json(obj).encode(), digest_size=size).hexdigest()


@dataclass(frozen=True)
class Cell:
    """One (task, shift, severity, model, seed) with everything that defines it."""

    suite: str
    suite_version: int
    preset: str
    task: str                 # label shown in results
    task_name: str            # registered task
    task_params: tuple[tuple[str, Any], ...]
    shift: str
    severity: float
    shift_params: tuple[tuple[str, Any], ...]
    model: str
    model_params: str         # canonical JSON; a changed default is a different cell
    seed: int
    sizes: SplitSizes
    budget: Budget
    metrics: tuple[str, ...]
    explainers: tuple[str, ...] = ()  # interpretation (regshift_bench.interpret)
    explain_n: int = 0                # sequences explained per split
    cell: str = field(default="", compare=False)

    def identity(self) -> dict[str, Any]:
        """The fields that determine the cell's results (hashed into ``cell``)."""
        d = asdict(self)
        d.pop("cell")
        if not self.explainers:  # cells without explainers keep the hashes they had
            d.pop("explainers")
            d.pop("explain_n")
        d.pop("preset")  # the same cell under two presets is the same computation
        return d

    def group_key(self) -> tuple[str, str, str, int]:
        return (self.suite, self.task, self.model, self.seed)


def make_cell(**fields: Any) -> Cell:
    cell = Cell(**fields)
    object.__setattr__(cell, "cell", stable_hash(cell.identity()))
    return cell


@dataclass(frozen=True)
class Plan:
    """The expanded grid."""

    cells: tuple[Cell, ...]
    preset: str
    suites: dict[str, int]

    def groups(self) -> list[list[Cell]]:
        """Cells grouped by (suite, task, model, seed), in plan order."""
        out: dict[tuple[str, str, str, int], list[Cell]] = {}
        for c in self.cells:
            out.setdefault(c.group_key(), []).append(c)
        return list(out.values())

    def summary(self) -> dict[str, Any]:
        return {
            "cells": len(self.cells),
            "groups": len(self.groups()),
            "tasks": sorted({c.task for c in self.cells}),
            "shifts": len({(c.task, c.shift, c.severity) for c in self.cells}),
            "models": sorted({c.model for c in self.cells}),
            "seeds": sorted({c.seed for c in self.cells}),
        }


def _check_names(kind: str, names: Sequence[str]) -> None:
    registry = plugins.current().registry
    for n in names:
        registry.get(kind, n)  # raises UnknownNameError with did-you-mean


def _shift_specs(spec: TaskSpec, only: Sequence[str]) -> list[ShiftSpec]:
    registry = plugins.current().registry
    if spec.shifts is not None:
        declared = list(spec.shifts)
        if "none" not in {s.name for s in declared}:
            declared.insert(0, ShiftSpec("none"))
    else:
        declared = [ShiftSpec(name) for name in registry.names("shift")]
    if only:
        known = {s.name: s for s in declared}
        declared = [known.get(n, ShiftSpec(n)) for n in dict.fromkeys(["none", *only])]
    return declared


def expand(suites: Sequence[Suite], preset_name: str, *, models: Sequence[str] = (),
           shifts: Sequence[str] = (), seeds: int | None = None,
           explainers: Sequence[str] = ()) -> Plan:
    """Expand suites into cells, checking every name before any work starts.

    Parameters
    ----------
    suites : sequence of Suite
    preset_name : str
        ``smoke``, ``quick`` or ``full`` (or any preset the files declare).
    models, shifts : sequence of str
        Restrict the grid (``--model`` / ``--shift``); ``none`` is always kept.
    seeds : int, optional
        Override the preset's number of seeds (seeds are 0..seeds-1).
    explainers : sequence of str
        Explainers to run (``--explainer``); default: each task's ``explainers``.

    Raises
    ------
    UnknownNameError
        For an unknown model, shift, task or metric, with close matches.
    """
    registry = plugins.current().registry
    _check_names("model", models)
    _check_names("shift", shifts)
    _check_names("explainer", explainers)
    cells: list[Cell] = []
    for suite in suites:
        preset: Preset = suite.preset(preset_name)
        model_names = list(models) or list(preset.models or registry.names("model"))
        _check_names("model", model_names)
        model_params = {m: registry.create("model", m).params_json() for m in model_names}
        n_seeds = seeds if seeds is not None else preset.seeds
        for spec in suite.tasks:
            task = registry.create("task", spec.task, **dict(spec.params))
            if task.kind == "fixed":
                # Malformed or missing data is one error before any work, not one per cell.
                task.load()
            metric_names = list(spec.metrics or registry.names("metric"))
            _check_names("metric", metric_names)
            explainer_names = tuple(explainers or spec.explainers or ())
            _check_names("explainer", explainer_names)
            for sspec in _shift_specs(spec, shifts):
                cls = registry.get("shift", sspec.name).factory
                severities = sspec.severities or tuple(getattr(cls, "default_severities", (1.0,)))
                if sspec.name == "none":
                    severities = (0.0,)
                probe = registry.create("shift", sspec.name, severity=severities[0],
                                        **dict(sspec.params))
                try:
                    applies = probe.applies_to(task)
                except Exception as exc:  # a broken applies_to must not stop planning
                    raise RegshiftError(f"shift {sspec.name!r}: applies_to failed on task "
                                        f"{spec.label!r}: {exc}") from exc
                if not applies:
                    continue
                for severity in severities:
                    for model in model_names:
                        for seed in range(n_seeds):
                            cells.append(make_cell(
                                suite=suite.name, suite_version=suite.version,
                                preset=preset_name, task=spec.label, task_name=spec.task,
                                task_params=spec.params, shift=sspec.name,
                                severity=float(severity), shift_params=sspec.params,
                                model=model, model_params=model_params[model],
                                seed=seed, sizes=preset.sizes,
                                budget=preset.budget, metrics=tuple(metric_names),
                                explainers=explainer_names,
                                explain_n=preset.explain_n if explainer_names else 0))
    if not cells:
        raise RegshiftError("the plan is empty: no shift applies to the selected tasks; "
                            "check --task/--shift (see `rsbench list shifts`)")
    # Order so a group's cells are contiguous and the `none` shift (the reference) runs first.
    ordered = sorted(cells, key=lambda c: (c.suite, c.task, c.seed, c.model, c.shift != "none"))
    return Plan(tuple(ordered), preset_name, {s.name: s.version for s in suites})
