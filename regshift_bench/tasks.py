"""Task and suite TOML files -> validated, frozen specs.

A *suite file* declares one or more ``[[tasks]]`` with their shifts, metrics and
presets (see ``tasks/sim.toml``). A *task file* declares a user's own table as a
single task (``kind = "table"``, ``path``, column names; see the README); it gets
the default presets and every applicable shift.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regshift_bench import paths
from regshift_bench.api import Budget, SplitSizes
from regshift_bench.errors import RegshiftError, TaskFileError

PRESET_NAMES = ("smoke", "quick", "full")
#: Presets of a task file that declares none (a user's table).
DEFAULT_PRESETS: dict[str, dict[str, Any]] = {
    "smoke": {"sizes": {"train": 300, "val": 100, "test": 200}, "seeds": 1, "max_epochs": 1,
              "max_seconds": 30},
    "quick": {"sizes": {"train": 3000, "val": 500, "test": 1000}, "seeds": 1, "max_epochs": 4,
              "max_seconds": 120},
    "full": {"sizes": {}, "seeds": 3, "max_epochs": 40},
}
_SUITE_KEYS = {"version", "name", "description", "tasks", "presets"}
_TASK_KEYS = {"task", "name", "params", "shifts", "metrics", "explainers"}
_PRESET_KEYS = {"sizes", "seeds", "max_epochs", "max_seconds", "models", "explain_n"}


@dataclass(frozen=True)
class ShiftSpec:
    """One shift of a task with the severities to run it at."""

    name: str
    severities: tuple[float, ...] | None = None  # None: the shift's default_severities
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Preset:
    """Sizes, seeds and training budget of one preset."""

    name: str
    sizes: SplitSizes
    seeds: int
    budget: Budget
    models: tuple[str, ...] | None = None
    explain_n: int = 200  # sequences each explainer explains per split (interpretation)


@dataclass(frozen=True)
class TaskSpec:
    """One task of a suite: which registered task, with which params and shifts."""

    label: str                      # the name shown in results
    task: str                       # the registered task name
    params: tuple[tuple[str, Any], ...]
    shifts: tuple[ShiftSpec, ...] | None   # None: every applicable shift
    metrics: tuple[str, ...] | None        # None: every registered metric
    explainers: tuple[str, ...] | None = None  # None: no interpretation rows


@dataclass(frozen=True)
class Suite:
    """A validated suite or task file."""

    name: str
    version: int
    description: str
    path: Path
    tasks: tuple[TaskSpec, ...]
    presets: dict[str, Preset] = field(hash=False)

    def preset(self, name: str) -> Preset:
        if name not in self.presets:
            raise TaskFileError(f"{self.path}: no preset {name!r} (has {sorted(self.presets)}); "
                                f"add [presets.{name}] or pick another --preset")
        return self.presets[name]


def _err(path: Path, where: str, problem: str, fix: str) -> TaskFileError:
    return TaskFileError(f"{path}: {where}: {problem}; {fix}")


def _parse_preset(path: Path, name: str, raw: dict[str, Any]) -> Preset:
    where = f"presets.{name}"
    unknown = set(raw) - _PRESET_KEYS
    if unknown:
        raise _err(path, where, f"unknown key(s) {sorted(unknown)}", f"allowed: {sorted(_PRESET_KEYS)}")
    sizes = raw.get("sizes", {})
    bad = set(sizes) - {"train", "val", "test"}
    if bad or not all(isinstance(v, int) and v > 0 for v in sizes.values()):
        raise _err(path, f"{where}.sizes", f"invalid {sizes}", "use positive integers for train, val, test")
    seeds = raw.get("seeds", 1)
    if not isinstance(seeds, int) or seeds < 1:
        raise _err(path, f"{where}.seeds", f"{seeds!r} is not a positive integer", "set seeds = 1 or more")
    models = raw.get("models")
    if models is not None and not (isinstance(models, list) and all(isinstance(m, str) for m in models)):
        raise _err(path, f"{where}.models", "must be a list of model names", 'e.g. models = ["cnn"]')
    budget = Budget(raw.get("max_epochs"), raw.get("max_seconds"))
    explain_n = raw.get("explain_n", 200)
    if not isinstance(explain_n, int) or isinstance(explain_n, bool) or explain_n < 1:
        raise _err(path, f"{where}.explain_n", f"{explain_n!r} is not a positive integer",
                   "set explain_n = 200 (sequences explained per split)")
    return Preset(name, SplitSizes(sizes.get("train"), sizes.get("val"), sizes.get("test")),
                  seeds, budget, tuple(models) if models is not None else None, explain_n)


def _parse_shifts(path: Path, where: str, raw: Any) -> tuple[ShiftSpec, ...]:
    if not isinstance(raw, list):
        raise _err(path, where, "must be a list", 'e.g. shifts = ["none", {name = "gc_shift", severities = [0.5, 1.0]}]')
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append(ShiftSpec(item))
            continue
        if not isinstance(item, dict) or "name" not in item:
            raise _err(path, f"{where}[{i}]", f"{item!r} is neither a name nor a table with `name`",
                       'write "gc_shift" or {name = "gc_shift", severities = [1.0]}')
        sev = item.get("severities")
        if sev is not None and not all(isinstance(s, (int, float)) and 0 <= s <= 1 for s in sev):
            raise _err(path, f"{where}[{i}].severities", f"{sev!r}", "severities are numbers in [0, 1]")
        params = tuple(sorted(item.get("params", {}).items()))
        out.append(ShiftSpec(item["name"], tuple(float(s) for s in sev) if sev else None, params))
    return tuple(out)


def _table_task(path: Path, raw: dict[str, Any]) -> TaskSpec:
    params = {k: v for k, v in raw.items() if k not in {"version", "name", "kind", "description",
                                                         "shifts", "metrics", "presets"}}
    if "path" not in params:
        raise _err(path, "path", "missing", 'add path = "my_table.tsv.gz" (relative to this file)')
    for key in ("path", "values_path"):  # file paths are relative to the task file
        if key in params:
            params[key] = str((path.parent / params[key]).resolve())
    shifts = _parse_shifts(path, "shifts", raw["shifts"]) if "shifts" in raw else None
    metrics = tuple(raw["metrics"]) if raw.get("metrics") else None
    return TaskSpec(raw["name"], "table", tuple(sorted(params.items())), shifts, metrics)


def load_suite(path: str | Path) -> Suite:
    """Parse and structurally validate a suite or task file (no registry lookups).

    Raises
    ------
    TaskFileError
        Naming file, field and fix.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise TaskFileError(f"{path}: no such task file; check the path or run `rsbench tasks list`") from None
    except tomllib.TOMLDecodeError as exc:
        raise TaskFileError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    version = raw.get("version")
    if not isinstance(version, int):
        raise _err(path, "version", "missing or not an integer", "add version = 1 at the top")
    if not isinstance(raw.get("name"), str):
        raise _err(path, "name", "missing", 'add name = "my_suite"')
    presets_raw = raw.get("presets") or DEFAULT_PRESETS
    presets = {n: _parse_preset(path, n, p) for n, p in presets_raw.items()}
    if raw.get("kind") == "table":
        tasks: tuple[TaskSpec, ...] = (_table_task(path, raw),)
    else:
        if "kind" in raw:
            raise _err(path, "kind", f"{raw['kind']!r} is not a task-file kind", 'use kind = "table" or omit it in a suite')
        unknown = set(raw) - _SUITE_KEYS
        if unknown:
            raise _err(path, "top level", f"unknown key(s) {sorted(unknown)}", f"allowed: {sorted(_SUITE_KEYS)}")
        if not raw.get("tasks"):
            raise _err(path, "tasks", "no [[tasks]] declared", 'add [[tasks]] with task = "<registered task>"')
        specs = []
        for i, t in enumerate(raw["tasks"]):
            where = f"tasks[{i}]"
            unknown = set(t) - _TASK_KEYS
            if unknown:
                raise _err(path, where, f"unknown key(s) {sorted(unknown)}", f"allowed: {sorted(_TASK_KEYS)}")
            if not isinstance(t.get("task"), str):
                raise _err(path, f"{where}.task", "missing", "name a registered task (`rsbench list tasks`)")
            shifts = _parse_shifts(path, f"{where}.shifts", t["shifts"]) if "shifts" in t else None
            explainers = t.get("explainers")
            if explainers is not None and not (isinstance(explainers, list)
                                               and all(isinstance(e, str) for e in explainers)):
                raise _err(path, f"{where}.explainers", "must be a list of explainer names",
                           'e.g. explainers = ["ism", "deeplift_shap"]')
            specs.append(TaskSpec(t.get("name", t["task"]), t["task"],
                                  tuple(sorted(t.get("params", {}).items())), shifts,
                                  tuple(t["metrics"]) if t.get("metrics") else None,
                                  tuple(explainers) if explainers else None))
        tasks = tuple(specs)
    return Suite(raw["name"], version, raw.get("description", ""), path, tasks, presets)


def validate_suite(suite: Suite) -> list[str]:
    """Check every name in ``suite`` against the registries; return problems.

    No data is touched. Each problem names file, field and fix.
    """
    from regshift_bench import plugins

    registry = plugins.current().registry
    problems = []

    def lookup(kind: str, name: str, where: str) -> None:
        try:
            registry.get(kind, name)
        except RegshiftError as exc:
            problems.append(f"{suite.path}: {where}: {exc}")

    for i, t in enumerate(suite.tasks):
        lookup("task", t.task, f"tasks[{i}].task")
        for j, s in enumerate(t.shifts or ()):
            lookup("shift", s.name, f"tasks[{i}].shifts[{j}]")
        for m in t.metrics or ():
            lookup("metric", m, f"tasks[{i}].metrics")
        for e in t.explainers or ():
            lookup("explainer", e, f"tasks[{i}].explainers")
    for p in suite.presets.values():
        for m in p.models or ():
            lookup("model", m, f"presets.{p.name}.models")
    return problems


def shipped_suites() -> list[Suite]:
    """Every suite file shipped in ``tasks/`` (checkout or installed wheel)."""
    seen: dict[str, Suite] = {}
    for directory in paths.tasks_dirs():
        for file in sorted(directory.glob("*.toml")):
            suite = load_suite(file)
            seen.setdefault(suite.name, suite)
    return list(seen.values())


def find_suite(ref: str) -> Suite:
    """A suite by file path or by name among the shipped ones."""
    if ref.endswith(".toml") or Path(ref).is_file():
        return load_suite(ref)
    suites = shipped_suites()
    for s in suites:
        if s.name == ref:
            return s
    from regshift_bench.errors import UnknownNameError

    raise UnknownNameError("suite", ref, [s.name for s in suites], "rsbench tasks list")
