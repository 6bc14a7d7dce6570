"""Grid expansion: suites x shifts x severities x models x seeds -> cells.

A *cell* is one (task, shift, severity, model, seed). Cells that share (task,
model, seed) form a *group*, the unit an executor runs: within a group the
model is trained once per distinct training set and reused across shifts.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from regshift_bench import plugins
from regshift_bench.api import Budget
from regshift_bench.cell import Cell, canonical_json, make_cell, stable_hash
from regshift_bench.errors import RegshiftError
from regshift_bench.model_params import check_model_params
from regshift_bench.names import did_you_mean
from regshift_bench.tasks import (
    ModelSpec,
    Preset,
    ShiftSpec,
    Suite,
    TaskSpec,
    check_task_params,
    parse_model_ref,
    parse_shift_ref,
)

# Cell and its hashing live in regshift_bench.cell; importable from here as before.
__all__ = ["Cell", "Plan", "canonical_json", "expand", "make_cell", "select_suites", "stable_hash"]


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
        """Counts for the plan line: cells, groups, tasks, shift settings, models, seeds."""
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


def check_selection(
    models: Sequence[str] = (), shifts: Sequence[str] = ()
) -> tuple[list[ModelSpec], list[tuple[str, tuple[float, ...] | None]]]:
    """Parse and check ``--model`` / ``--shift`` references before anything else.

    ``--model`` takes ``NAME`` or ``NAME(key=value, ...)``; ``--shift`` takes ``NAME``
    or ``NAME@SEVERITY[,SEVERITY...]``.

    Raises
    ------
    TaskFileError
        For a malformed reference.
    UnknownNameError
        For an unknown name, with close matches.
    """
    specs = [parse_model_ref(m) for m in models]
    _check_names("model", [m.name for m in specs])
    for spec in specs:
        _check_model_params(spec, "--model")
    shift_refs = [parse_shift_ref(s) for s in shifts]
    _check_names("shift", [name for name, _ in shift_refs])
    for name, sev in shift_refs:
        if name == "none" and sev and sev != (0.0,):
            raise RegshiftError(
                f"--shift none@{','.join(f'{v:g}' for v in sev)}: the identity "
                "shift has no severity; write --shift none"
            )
    return specs, shift_refs


def check_interventions(refs: Sequence[str], where: str = "--intervention") -> list[ModelSpec]:
    """Parse ``NAME`` / ``NAME(key=value, ...)`` intervention references and check them.

    ``none`` (the model as trained) is accepted and always comes first in the result.

    Raises
    ------
    TaskFileError
        For a malformed reference.
    UnknownNameError
        For an unknown name, with close matches.
    RegshiftError
        For a parameter the intervention does not take.
    """
    specs = [parse_model_ref(r, where) for r in refs]
    for spec in specs:
        if spec.name == "none":
            if spec.params:
                raise RegshiftError(f"{where} {spec.label!r}: 'none' takes no parameters")
            continue
        factory = plugins.current().registry.get("intervention", spec.name).factory
        if not hasattr(factory, "_param_names"):
            continue  # parameters are checked when the intervention is built
        accepted: list[str] = list(factory._param_names())
        for key, _ in spec.params:
            if key not in accepted:
                hint = did_you_mean(key, accepted, n=1)
                raise RegshiftError(
                    f"{where} {spec.label!r}: intervention {spec.name!r} has no "
                    f"parameter {key!r}{hint}; its parameters: "
                    f"{', '.join(accepted) or 'none'}"
                )
    chosen = {"none": ModelSpec("none")}
    chosen.update({s.label: s for s in specs})
    return list(chosen.values())


def _check_model_params(spec: ModelSpec, where: str) -> None:
    check_model_params(spec, where)  # names and value types, before any cell runs
    validate = getattr(plugins.current().registry.get("model", spec.name).factory, "validate_params", None)
    if spec.params and callable(validate):  # values that cannot work (Model.validate_params)
        try:
            validate(dict(spec.params))
        except RegshiftError as exc:
            raise RegshiftError(f"{where} {spec.label!r}: {exc}") from None


def _shift_specs(
    spec: TaskSpec, only: Sequence[tuple[str, tuple[float, ...] | None]], skip: Sequence[str] = ()
) -> list[ShiftSpec]:
    """The task's shifts to run: ``only`` (``--shift``) when given, else the declared
    ones less the preset's ``skip`` (an asked shift runs even when the preset skips it)."""
    registry = plugins.current().registry
    if spec.shifts is not None:
        declared = list(spec.shifts)
        if "none" not in {s.name for s in declared}:
            declared.insert(0, ShiftSpec("none"))
    else:
        declared = [ShiftSpec(name) for name in registry.names("shift")]
    if only:
        known = {s.name: s for s in declared}
        chosen: dict[str, ShiftSpec] = {"none": known.get("none", ShiftSpec("none"))}
        for name, severities in only:
            base = chosen.get(name) or known.get(name, ShiftSpec(name))
            if severities:  # NAME@SEVERITY: the asked severities, added up over repeats
                before = base.severities if name in chosen and base.severities else ()
                base = replace(base, severities=tuple(dict.fromkeys([*before, *severities])))
            chosen[name] = base
        return list(chosen.values())
    return [s for s in declared if s.name not in skip]


def preset_budget(preset: Preset, max_steps: int | None = None) -> Budget:
    """The preset's budget, with ``max_steps`` (``--max-steps``) overriding its cap.

    The override also lowers ``min_steps`` to it, so a deliberately starved run is
    starved rather than refused.
    """
    budget = preset.budget
    if max_steps is None:
        return budget
    low = min(budget.min_steps, max_steps) if budget.min_steps is not None else None
    return replace(budget, max_steps=max_steps, min_steps=low)


def trim_severities(severities: tuple[float, ...], keep: tuple[float, ...] | None) -> tuple[float, ...]:
    """A preset's ``severities`` trim: the declared ones in ``keep``, else the highest."""
    if keep is None:
        return severities
    kept = tuple(s for s in severities if any(abs(s - k) < 1e-9 for k in keep))
    return kept or (max(severities),)


def file_digest(paths: Sequence[str]) -> str:
    """A content digest of the files at ``paths`` (their bytes, not their names)."""
    h = hashlib.blake2b(digest_size=12)
    for p in paths:
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")  # file boundary
    return h.hexdigest()


def _task_data(spec: TaskSpec) -> str:
    params = dict(spec.params)
    present = [str(params[k]) for k in spec.files if Path(str(params[k])).is_file()]
    return file_digest(present) if present else ""


def expand(
    suites: Sequence[Suite],
    preset_name: str,
    *,
    models: Sequence[str] = (),
    shifts: Sequence[str] = (),
    seeds: int | None = None,
    max_steps: int | None = None,
    explainers: Sequence[str] = (),
    interventions: Sequence[str] = (),
) -> Plan:
    """Expand suites into cells, checking every name before any work starts.

    Parameters
    ----------
    suites : sequence of Suite
    preset_name : str
        ``smoke``, ``quick`` or ``full`` (or any preset the files declare).
    models : sequence of str
        Restrict the grid (``--model``): ``NAME`` or ``NAME(key=value, ...)``; a model
        with parameters is labelled by its canonical reference, e.g. ``cnn(channels=32)``.
    shifts : sequence of str
        Restrict the grid (``--shift``): ``NAME`` or ``NAME@SEVERITY``; ``none`` is
        always kept.
    seeds : int, optional
        Override the preset's number of seeds (seeds are 0..seeds-1).
    max_steps : int, optional
        Override the preset budget's step cap (see :func:`preset_budget`).
    explainers : sequence of str
        Explainers to run (``--explainer``); default: each task's ``explainers``.
    interventions : sequence of str
        Interventions to run (``--intervention``): ``NAME`` or ``NAME(key=value, ...)``;
        default: the preset's ``interventions``. ``none`` (the model as trained) is
        always kept, and its cells are exactly the cells of a plan without interventions.

    Raises
    ------
    UnknownNameError
        For an unknown model, shift, task or metric, with close matches.
    RegshiftError
        For ``seeds < 1``, an unknown parameter, or an empty plan.
    """
    if seeds is not None and seeds < 1:
        raise RegshiftError(f"--seeds {seeds}: the number of seeds must be at least 1 (seeds run as 0..N-1)")
    model_specs, shift_refs = check_selection(models, shifts)
    _check_names("explainer", explainers)
    cells: list[Cell] = []
    for suite in suites:
        grid = _SuiteGrid.of(suite, preset_name, model_specs, seeds, max_steps, interventions)
        for spec in suite.tasks:
            task, task_fields, explainer_names = _task_fields(suite, spec, explainers)
            for sspec, severities in _task_shifts(spec, task, shift_refs, grid.preset):
                for severity in severities:
                    for m in grid.specs:
                        if not model_specs and not grid.preset.runs_model_on(m.label, spec.label, sspec.name):
                            continue  # the preset runs this model on other tasks / shifts only
                        cells.extend(grid.cells(task_fields, explainer_names, sspec, float(severity), m))
    if not cells:
        raise RegshiftError(
            "the plan is empty: no shift applies to the selected tasks; "
            "check --task/--shift (see `rsbench list shifts`)"
        )
    # Order so a group's cells are contiguous and the `none` shift (the reference) runs first.
    ordered = sorted(cells, key=lambda c: (c.suite, c.task, c.seed, c.model, c.shift != "none"))
    return Plan(tuple(ordered), preset_name, {s.name: s.version for s in suites})


@dataclass(frozen=True)
class _SuiteGrid:
    """What one suite's preset contributes to every cell: models, seeds, budget, remedies."""

    suite: Suite
    preset: Preset
    specs: list[ModelSpec]
    model_params: dict[str, str]
    n_seeds: int
    budget: Budget
    iv_specs: list[ModelSpec]

    @classmethod
    def of(
        cls,
        suite: Suite,
        preset_name: str,
        model_specs: Sequence[ModelSpec],
        seeds: int | None,
        max_steps: int | None,
        interventions: Sequence[str],
    ) -> _SuiteGrid:
        """Check the preset's names (models, interventions, shift trims) and build it."""
        registry = plugins.current().registry
        preset: Preset = suite.preset(preset_name)
        where = f"{suite.path}: presets.{preset_name}"
        specs = list(model_specs) or [
            parse_model_ref(m, f"{where}.models") for m in (preset.models or registry.names("model"))
        ]
        specs = list({m.label: m for m in specs}.values())
        _check_names("model", [m.name for m in specs])
        for m in specs:
            _check_model_params(m, f"{where}.models")
        model_params = {m.label: registry.create("model", m.name, **dict(m.params)).params_json() for m in specs}
        iv_specs = check_interventions(
            interventions or preset.interventions, "--intervention" if interventions else f"{where}.interventions"
        )
        # A misspelt trim is an error, not a silently untrimmed grid.
        _check_names("shift", [name for name, _ in preset.shift_severities])
        _check_names("shift", list(preset.skip_shifts))
        _check_names("shift", [s for _, only in (*preset.model_shifts, *preset.model_skip_shifts) for s in only])
        return cls(
            suite,
            preset,
            specs,
            model_params,
            seeds if seeds is not None else preset.seeds,
            preset_budget(preset, max_steps),
            iv_specs,
        )

    def cells(
        self,
        task_fields: dict[str, Any],
        explainer_names: tuple[str, ...],
        sspec: ShiftSpec,
        severity: float,
        m: ModelSpec,
    ) -> list[Cell]:
        """The cells of one task, shift setting and model: every seed x intervention."""
        out = []
        for seed, iv in itertools.product(range(self.n_seeds), self.iv_specs):
            out.append(
                make_cell(
                    suite=self.suite.name,
                    suite_version=self.suite.version,
                    preset=self.preset.name,
                    **task_fields,
                    shift=sspec.name,
                    severity=severity,
                    shift_params=sspec.params,
                    model=m.label,
                    model_params=self.model_params[m.label],
                    seed=seed,
                    sizes=self.preset.sizes,
                    budget=self.budget,
                    model_name=m.name if m.params else "",
                    model_args=m.params,
                    # Attributions explain the model as trained: once, in its `none`
                    # cell, never again per intervention.
                    explainers=explainer_names if iv.name == "none" else (),
                    explain_n=(self.preset.explain_n if explainer_names and iv.name == "none" else 0),
                    intervention=iv.label,
                    intervention_args=iv.params,
                )
            )
        return out


def _task_fields(
    suite: Suite, spec: TaskSpec, explainers: Sequence[str]
) -> tuple[Any, dict[str, Any], tuple[str, ...]]:
    """Check one task of a suite (parameters, data, metric and explainer names);
    return the task instance, the cell fields it fixes and its explainers."""
    registry = plugins.current().registry
    check_task_params(suite, spec)
    task = registry.create("task", spec.task, **dict(spec.params))
    if task.kind == "fixed":
        # Malformed or missing data is one error before any work, not one per cell.
        task.load()
    metric_names = list(spec.metrics or registry.names("metric"))
    _check_names("metric", metric_names)
    explainer_names = tuple(explainers or spec.explainers or ())
    _check_names("explainer", explainer_names)
    fields = {
        "task": spec.label,
        "task_name": spec.task,
        "task_params": spec.params,
        "metrics": tuple(metric_names),
        "task_files": spec.files,
        "task_data": _task_data(spec) if spec.files else "",
    }
    return task, fields, explainer_names


def _task_shifts(
    spec: TaskSpec, task: Any, shift_refs: Sequence[tuple[str, tuple[float, ...] | None]], preset: Preset
) -> Iterator[tuple[ShiftSpec, tuple[float, ...]]]:
    """The shifts that apply to one task, each with the severities this plan runs."""
    registry = plugins.current().registry
    asked_severity = {name for name, sev in shift_refs if sev}
    for sspec in _shift_specs(spec, shift_refs, preset.skip_shifts):
        cls = registry.get("shift", sspec.name).factory
        severities = sspec.severities or tuple(getattr(cls, "default_severities", (1.0,)))
        if sspec.name not in asked_severity:  # NAME@SEVERITY beats the preset's trim
            severities = trim_severities(severities, preset.severities_for(sspec.name))
        if sspec.name == "none":
            severities = (0.0,)
        probe = registry.create("shift", sspec.name, severity=severities[0], **dict(sspec.params))
        try:
            applies = probe.applies_to(task)
        except Exception as exc:  # a broken applies_to must not stop planning
            raise RegshiftError(f"shift {sspec.name!r}: applies_to failed on task {spec.label!r}: {exc}") from exc
        if applies:
            yield sspec, severities


def select_suites(all_: bool, task_refs: Sequence[str] = (), suite_refs: Sequence[str] = ()) -> list[Suite]:
    """The suites ``rsbench run`` runs: every shipped one, or those named.

    Parameters
    ----------
    all_ : bool
        Every shipped suite (``--all``); the references are then ignored.
    task_refs : sequence of str
        Task labels of shipped suites (each keeps only that task) or task-file paths.
    suite_refs : sequence of str
        Suite names or suite-file paths.

    Raises
    ------
    RegshiftError
        Nothing named, a suite name given as a task, or a task no suite declares.
    UnknownNameError
        A task name nothing registers (with did-you-mean).
    """
    from regshift_bench import tasks

    if all_:
        return tasks.shipped_suites()
    chosen = [tasks.find_suite(s) for s in suite_refs]
    shipped = tasks.shipped_suites() if task_refs else []
    for ref in task_refs:
        if ref.endswith(".toml") or Path(ref).is_file():
            chosen.append(tasks.load_suite(ref))
            continue
        matches = [s for s in shipped if any(t.label == ref for t in s.tasks)]
        if not matches:
            if ref in {s.name for s in shipped}:
                raise RegshiftError(f"--task {ref!r}: {ref!r} is a suite, not a task; use --suite {ref}")
            plugins.current().registry.get("task", ref)  # did-you-mean for unknown names
            raise RegshiftError(
                f"task {ref!r} is registered but no suite file declares it; "
                "write a task file and pass its path to --task"
            )
        s = matches[0]
        chosen.append(
            Suite(s.name, s.version, s.description, s.path, tuple(t for t in s.tasks if t.label == ref), s.presets)
        )
    if not chosen:
        raise RegshiftError("nothing to run: pass --all, --task NAME|FILE or --suite NAME")
    return chosen


def models_without_cache(the_plan: Plan) -> list[tuple[str, int]]:
    """Models that cannot save a trained copy, each with the groups it is retrained for.

    Returns
    -------
    list of (str, int)
        Model label and number of cell groups, in the plan's model order.
    """
    groups = the_plan.groups()
    out = []
    for label in the_plan.summary()["models"]:
        cell = next(c for c in the_plan.cells if c.model == label)
        name, params = cell.model_factory_args()
        if not plugins.current().registry.create("model", name, **params).saves_state():
            out.append((label, sum(g[0].model == label for g in groups)))
    return out
