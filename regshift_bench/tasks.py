"""Task and suite TOML files -> validated, frozen specs.

A *suite file* declares one or more ``[[tasks]]`` with their shifts, metrics and
presets (see ``tasks/sim.toml``). A *task file* declares a user's own table as a
single task (``kind = "table"``, ``path``, column names; see the README); it gets
the default presets and every applicable shift. A ``kind = "variants"`` file
declares a variant-effect table and its ``train_task`` (a registered task, or a task
file read in place); it runs the ``variant_effect`` shift unless it names shifts.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regshift_bench import paths
from regshift_bench.api import Budget, SplitSizes
from regshift_bench.errors import RegshiftError, TaskFileError
from regshift_bench.names import close_matches

PRESET_NAMES = ("smoke", "quick", "standard", "full")
#: Presets of a task file that declares none (a user's table). Budgets are in optimizer
#: steps: ``min_steps`` so small sets still train, ``max_steps`` as a cap.
DEFAULT_PRESETS: dict[str, dict[str, Any]] = {
    "smoke": {"sizes": {"train": 300, "val": 100, "test": 200}, "seeds": 1, "max_steps": 6, "max_seconds": 30},
    "quick": {
        "sizes": {"train": 3000, "val": 500, "test": 1000},
        "seeds": 1,
        "min_steps": 250,
        "max_steps": 1000,
        "max_seconds": 300,
    },
    "standard": {"sizes": {"train": 8000, "val": 1000, "test": 2000}, "seeds": 3, "min_steps": 600, "max_steps": 4000},
    "full": {"sizes": {}, "seeds": 3, "min_steps": 1000, "max_epochs": 40},
}
_SUITE_KEYS = {"version", "name", "description", "tasks", "presets"}
_TASK_KEYS = {"task", "name", "params", "shifts", "metrics", "explainers"}
#: Budget fields a preset may set (see regshift_bench.api.Budget).
_SHIFT_TABLE_KEYS = {"name", "severities", "params"}
_BUDGET_KEYS = ("max_epochs", "max_seconds", "min_steps", "max_steps", "patience")
_PRESET_KEYS = {
    "sizes",
    "seeds",
    "models",
    "severities",
    "shift_severities",
    "skip_shifts",
    "explain_n",
    "interventions",
    *_BUDGET_KEYS,
}


@dataclass(frozen=True)
class ShiftSpec:
    """One shift of a task with the severities to run it at."""

    name: str
    severities: tuple[float, ...] | None = None  # None: the shift's default_severities
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    """A model of the grid: a registered name plus parameters; ``label`` names it in results."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        """``cnn`` or ``cnn(channels=64, dropout=0.2)``: sorted keys, JSON values."""
        if not self.params:
            return self.name
        args = ", ".join(f"{k}={json.dumps(v, sort_keys=True)}" for k, v in self.params)
        return f"{self.name}({args})"


_MODEL_REF = re.compile(r"^\s*([a-z0-9][a-z0-9_.+\-]*)\s*(?:\((.*)\))?\s*$", re.S)
_JSON_WORDS = {"true": True, "false": False, "null": None}


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Name) and node.id in _JSON_WORDS:
        return _JSON_WORDS[node.id]
    if isinstance(node, ast.Name):  # a bare word is a string: prior=motif
        return node.id
    value = ast.literal_eval(node)
    return list(value) if isinstance(value, tuple) else value


def parse_model_ref(text: str, where: str = "--model") -> ModelSpec:
    """``cnn`` or ``cnn(channels=64, prior="motif")`` -> :class:`ModelSpec`.

    Values are Python / JSON literals (numbers, strings, lists, true/false); a bare
    word is a string. No registry lookup happens here.

    Raises
    ------
    TaskFileError
        For anything else, with the expected form.
    """
    form = "expected NAME or NAME(key=value, ...), e.g. 'cnn(channels=32)'"
    match = _MODEL_REF.match(text) if isinstance(text, str) else None
    if not match:
        raise TaskFileError(f"{where} {text!r}: {form}")
    name, inner = match.group(1), match.group(2)
    if not inner or not inner.strip():
        return ModelSpec(name)
    try:
        call = ast.parse(f"f({inner})", mode="eval").body
        assert isinstance(call, ast.Call) and not call.args
        params: dict[str, Any] = {}
        for kw in call.keywords:
            assert kw.arg is not None  # no **mapping
            params[kw.arg] = _literal(kw.value)
    except (SyntaxError, ValueError, AssertionError, TypeError):
        raise TaskFileError(f"{where} {text!r}: {form}") from None
    return ModelSpec(name, tuple(sorted(params.items())))


def parse_shift_ref(text: str, where: str = "--shift") -> tuple[str, tuple[float, ...] | None]:
    """``gc_shift`` or ``gc_shift@0.5`` (or ``@0.25,0.5``) -> (name, severities or None)."""
    name, sep, rest = text.partition("@")
    if not sep:
        return name.strip(), None
    try:
        sev = tuple(float(v) for v in rest.split(","))
    except ValueError:
        sev = ()
    if not name.strip() or not sev or not all(0.0 <= v <= 1.0 for v in sev):
        raise TaskFileError(
            f"{where} {text!r}: expected NAME@SEVERITY with severities in "
            "[0, 1], e.g. gc_shift@0.5 or gc_shift@0.25,0.5"
        )
    return name.strip(), sev


@dataclass(frozen=True)
class Preset:
    """Sizes, seeds, training budget and grid trims of one preset.

    ``models`` (None: every registered model) restricts the models; ``severities``
    (None: as declared) keeps, for each shift, only its declared severities in this
    set (a shift with none of them keeps its highest); ``shift_severities`` replaces
    that set for the shifts it names (e.g. a mild severity only where the Findings
    read one); ``skip_shifts`` leaves whole shifts out of this preset's grid (a
    ``--shift`` that names one still runs it).
    """

    name: str
    sizes: SplitSizes
    seeds: int
    budget: Budget
    models: tuple[str, ...] | None = None  # model references: "cnn" or "cnn(channels=32)"
    severities: tuple[float, ...] | None = None
    explain_n: int = 200  # sequences each explainer explains per split (interpretation)
    shift_severities: tuple[tuple[str, tuple[float, ...]], ...] = ()
    skip_shifts: tuple[str, ...] = ()
    # Intervention references run beside the model as trained ("none", always run).
    interventions: tuple[str, ...] = ()
    # Model label -> the task labels it runs on; a model not listed runs on every task.
    model_tasks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Model label -> the shift names it runs under (``none`` always); default: every shift.
    model_shifts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Model label -> the shift names it does not run under (e.g. those that retrain).
    model_skip_shifts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def runs_model_on(self, model: str, task: str, shift: str = "none") -> bool:
        """Whether this preset runs ``model`` (a label) on ``task`` (a task label)
        under ``shift`` (a shift name; ``none`` runs wherever the task does)."""
        only = dict(self.model_tasks).get(model)
        if only is not None and task not in only:
            return False
        shifts = dict(self.model_shifts).get(model)
        skipped = dict(self.model_skip_shifts).get(model, ())
        return shift == "none" or ((shifts is None or shift in shifts) and shift not in skipped)

    def severities_for(self, shift: str) -> tuple[float, ...] | None:
        """The severities this preset keeps for ``shift`` (None: every declared one)."""
        return dict(self.shift_severities).get(shift, self.severities)


@dataclass(frozen=True)
class TaskSpec:
    """One task of a suite: which registered task, with which params and shifts."""

    label: str  # the name shown in results
    task: str  # the registered task name
    params: tuple[tuple[str, Any], ...]
    shifts: tuple[ShiftSpec, ...] | None  # None: every applicable shift
    metrics: tuple[str, ...] | None  # None: every registered metric
    # Parameters holding a data file's path: cells are keyed on the files' contents,
    # never on where they lie (a moved table is the same task, a changed one is not).
    files: tuple[str, ...] = ()
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
            raise TaskFileError(
                f"{self.path}: no preset {name!r} (has {sorted(self.presets)}); "
                f"add [presets.{name}] or pick another --preset"
            )
        return self.presets[name]


def _err(path: Path, where: str, problem: str, fix: str) -> TaskFileError:
    return TaskFileError(f"{path}: {where}: {problem}; {fix}")


def unknown_keys_error(path: Path | str, where: str, unknown: set[str], allowed: set[str] | list[str]) -> TaskFileError:
    """The error for misspelt keys: each with its closest allowed key, then the list."""
    hints = []
    for key in sorted(unknown):
        close = close_matches(key, sorted(allowed), n=1, cutoff=0.6)
        hints.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
    return TaskFileError(f"{path}: {where}: unknown key(s) {', '.join(hints)}; allowed: {', '.join(sorted(allowed))}")


def _unknown_keys(path: Path, where: str, raw: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise unknown_keys_error(path, where, unknown, allowed)


def _parse_preset(path: Path, name: str, raw: dict[str, Any]) -> Preset:
    where = f"presets.{name}"
    _unknown_keys(path, where, raw, _PRESET_KEYS)
    sizes = raw.get("sizes", {})
    bad = set(sizes) - {"train", "val", "test"}
    if bad or not all(isinstance(v, int) and v > 0 for v in sizes.values()):
        raise _err(path, f"{where}.sizes", f"invalid {sizes}", "use positive integers for train, val, test")
    seeds = raw.get("seeds", 1)
    if not isinstance(seeds, int) or seeds < 1:
        raise _err(path, f"{where}.seeds", f"{seeds!r} is not a positive integer", "set seeds = 1 or more")
    models = models_raw = raw.get("models")
    if models is not None:
        models = _parse_models(path, f"{where}.models", models)
    sev = raw.get("severities")
    if sev is not None and not _is_severity_list(sev):
        raise _err(path, f"{where}.severities", f"{sev!r}", "give a list of numbers in [0, 1]")
    per_shift = raw.get("shift_severities", {})
    if not isinstance(per_shift, dict) or not all(_is_severity_list(v) for v in per_shift.values()):
        raise _err(
            path,
            f"{where}.shift_severities",
            f"{per_shift!r}",
            "give a table of shift = [severities in [0, 1]], e.g. {gc_shift = [0.25, 1.0]}",
        )
    skip = raw.get("skip_shifts", [])
    if not isinstance(skip, list) or not all(isinstance(v, str) and v for v in skip):
        raise _err(
            path, f"{where}.skip_shifts", f"{skip!r}", 'give a list of shift names, e.g. skip_shifts = ["gc_extremes"]'
        )
    if "none" in skip:
        raise _err(
            path,
            f"{where}.skip_shifts",
            "'none' is the in-distribution reference",
            "remove it; every other shift is read against it",
        )
    try:
        budget = Budget(**{k: raw[k] for k in _BUDGET_KEYS if k in raw})
    except RegshiftError as exc:
        raise _err(path, where, str(exc).split(";")[0], "use positive numbers") from None
    interventions = raw.get("interventions", [])
    if not isinstance(interventions, list) or not all(isinstance(v, str) and v for v in interventions):
        raise _err(
            path,
            f"{where}.interventions",
            f"{interventions!r}",
            'give a list of intervention names, e.g. interventions = ["conformal"]',
        )
    explain_n = raw.get("explain_n", 200)
    if not isinstance(explain_n, int) or isinstance(explain_n, bool) or explain_n < 1:
        raise _err(
            path,
            f"{where}.explain_n",
            f"{explain_n!r} is not a positive integer",
            "set explain_n = 200 (sequences explained per split)",
        )
    return Preset(
        name,
        SplitSizes(sizes.get("train"), sizes.get("val"), sizes.get("test")),
        seeds,
        budget,
        tuple(models) if models is not None else None,
        tuple(float(v) for v in sev) if sev is not None else None,
        explain_n,
        tuple(sorted((k, tuple(float(v) for v in vs)) for k, vs in per_shift.items())),
        tuple(skip),
        tuple(parse_model_ref(v, f"{path}: {where}.interventions").label for v in interventions),
        _parse_model_tasks(path, f"{where}.models", models_raw or []),
        _parse_model_shifts(path, f"{where}.models", models_raw or [], "shifts"),
        _parse_model_shifts(path, f"{where}.models", models_raw or [], "skip_shifts"),
    )


def _is_severity_list(raw: Any) -> bool:
    return (
        isinstance(raw, list)
        and bool(raw)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in raw)
    )


def _parse_models(path: Path, where: str, raw: Any) -> list[str]:
    """``["cnn", {name = "cnn", params = {channels = 32}}]`` -> model references."""
    example = 'e.g. models = ["cnn", {name = "cnn", params = {channels = 32}}]'
    if not isinstance(raw, list):
        raise _err(path, where, "must be a list of models", example)
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append(parse_model_ref(item, f"{path}: {where}[{i}]").label)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _err(path, f"{where}[{i}]", f"{item!r} is neither a name nor a table with `name`", example)
        if set(item) - _MODEL_TABLE_KEYS:
            raise unknown_keys_error(path, f"{where}[{i}]", set(item) - _MODEL_TABLE_KEYS, _MODEL_TABLE_KEYS)
        params = item.get("params", {})
        if not isinstance(params, dict):
            raise _err(path, f"{where}[{i}].params", "must be a table", example)
        out.append(ModelSpec(item["name"], tuple(sorted(params.items()))).label)
    return out


#: The keys of a preset's model table.
_MODEL_TABLE_KEYS = {"name", "params", "tasks", "shifts", "skip_shifts"}


def _parse_model_shifts(path: Path, where: str, raw: list[Any], key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Model label -> shift names, for the model tables that set ``key`` (``shifts``
    or ``skip_shifts``).

    A model restricted either way still runs under ``none`` (the reference every
    shift is read against); names are checked against the registry when the plan
    expands.
    """
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or key not in item:
            continue
        shifts = item[key]
        if not (isinstance(shifts, list) and shifts and all(isinstance(t, str) and t for t in shifts)):
            raise _err(
                path,
                f"{where}[{i}].{key}",
                f"{shifts!r}",
                f'give a list of shift names, e.g. {key} = ["cell_type", "random"]',
            )
        label = ModelSpec(item["name"], tuple(sorted(item.get("params", {}).items()))).label
        out.append((label, tuple(shifts)))
    return tuple(out)


def _parse_model_tasks(path: Path, where: str, raw: list[Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Model label -> task labels, for the model tables that set ``tasks = [...]``."""
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or "tasks" not in item:
            continue
        tasks = item["tasks"]
        if not (isinstance(tasks, list) and tasks and all(isinstance(t, str) for t in tasks)):
            raise _err(
                path,
                f"{where}[{i}].tasks",
                f"{tasks!r}",
                'give a list of task labels of this suite, e.g. tasks = ["mpra_hepg2"]',
            )
        label = ModelSpec(item["name"], tuple(sorted(item.get("params", {}).items()))).label
        out.append((label, tuple(tasks)))
    return tuple(out)


def _check_model_tasks(path: Path, presets: dict[str, Preset], tasks: tuple[TaskSpec, ...]) -> None:
    """Every task a preset restricts a model to is a task of this suite."""
    labels = [t.label for t in tasks]
    for preset in presets.values():
        for model, only in preset.model_tasks:
            unknown = [t for t in only if t not in labels]
            if unknown:
                raise _err(
                    path,
                    f"presets.{preset.name}.models ({model})",
                    f"tasks {unknown} are not tasks of this suite",
                    f"use task labels from: {', '.join(labels)}",
                )


def _parse_shifts(path: Path, where: str, raw: Any) -> tuple[ShiftSpec, ...]:
    if not isinstance(raw, list):
        raise _err(
            path, where, "must be a list", 'e.g. shifts = ["none", {name = "gc_shift", severities = [0.5, 1.0]}]'
        )
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append(ShiftSpec(item))
            continue
        if not isinstance(item, dict) or "name" not in item:
            raise _err(
                path,
                f"{where}[{i}]",
                f"{item!r} is neither a name nor a table with `name`",
                'write "gc_shift" or {name = "gc_shift", severities = [1.0]}',
            )
        _unknown_keys(path, f"{where}[{i}]", item, _SHIFT_TABLE_KEYS)
        sev = item.get("severities")
        if sev is not None and not all(isinstance(s, (int, float)) and 0 <= s <= 1 for s in sev):
            raise _err(path, f"{where}[{i}].severities", f"{sev!r}", "severities are numbers in [0, 1]")
        params = tuple(sorted(item.get("params", {}).items()))
        out.append(ShiftSpec(item["name"], tuple(float(s) for s in sev) if sev else None, params))
    return tuple(out)


#: Task-file kinds -> (registered task, shifts run when the file names none; None: all).
FILE_KINDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "table": ("table", None),
    "variants": ("variants", ("variant_effect",)),
}


def _table_task(path: Path, raw: dict[str, Any]) -> TaskSpec:
    task, default_shifts = FILE_KINDS[raw["kind"]]
    params = {
        k: v
        for k, v in raw.items()
        if k not in {"version", "name", "kind", "description", "shifts", "metrics", "presets"}
    }
    if "path" not in params:
        raise _err(path, "path", "missing", 'add path = "my_table.tsv.gz" (relative to this file)')
    files = tuple(k for k in ("path", "values_path") if params.get(k))
    for key in files:  # file paths are relative to the task file
        params[key] = str((path.parent / params[key]).resolve())
    if task == "variants":
        params.update(_train_task(path, params))
    shifts = (
        _parse_shifts(path, "shifts", raw["shifts"])
        if "shifts" in raw
        else None
        if default_shifts is None
        else tuple(ShiftSpec(s) for s in default_shifts)
    )
    metrics = tuple(raw["metrics"]) if raw.get("metrics") else None
    return TaskSpec(raw["name"], task, tuple(sorted(params.items())), shifts, metrics, files)


def _train_task(path: Path, params: dict[str, Any]) -> dict[str, Any]:
    """A variant file's ``train_task``: a registered name, or a task file read in place."""
    ref = params.get("train_task")
    if not isinstance(ref, str):
        raise _err(
            path,
            "train_task",
            "missing",
            'name the task whose training data trains the model, e.g. train_task = "mpra_hepg2" or "my_train.toml"',
        )
    if not ref.endswith(".toml"):
        return {}
    if "train_params" in params:
        raise _err(path, "train_params", f"given with the task file {ref!r}", "put the parameters in that file")
    inner = load_suite(path.parent / ref)
    if len(inner.tasks) != 1:
        raise _err(
            path, "train_task", f"{ref!r} declares {len(inner.tasks)} tasks", "name a task file with exactly one task"
        )
    return {"train_task": inner.tasks[0].task, "train_params": dict(inner.tasks[0].params)}


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
    if raw.get("kind") in FILE_KINDS:
        tasks: tuple[TaskSpec, ...] = (_table_task(path, raw),)
    else:
        if "kind" in raw:
            raise _err(
                path,
                "kind",
                f"{raw['kind']!r} is not a task-file kind",
                'use kind = "table" or "variants", or omit it in a suite',
            )
        _unknown_keys(path, "top level", raw, _SUITE_KEYS)
        if not raw.get("tasks"):
            raise _err(path, "tasks", "no [[tasks]] declared", 'add [[tasks]] with task = "<registered task>"')
        specs = []
        for i, t in enumerate(raw["tasks"]):
            where = f"tasks[{i}]"
            _unknown_keys(path, where, t, _TASK_KEYS)
            if not isinstance(t.get("task"), str):
                raise _err(path, f"{where}.task", "missing", "name a registered task (`rsbench list tasks`)")
            shifts = _parse_shifts(path, f"{where}.shifts", t["shifts"]) if "shifts" in t else None
            explainers = t.get("explainers")
            if explainers is not None and not (
                isinstance(explainers, list) and all(isinstance(e, str) for e in explainers)
            ):
                raise _err(
                    path,
                    f"{where}.explainers",
                    "must be a list of explainer names",
                    'e.g. explainers = ["ism", "deeplift_shap"]',
                )
            specs.append(
                TaskSpec(
                    t.get("name", t["task"]),
                    t["task"],
                    tuple(sorted(t.get("params", {}).items())),
                    shifts,
                    tuple(t["metrics"]) if t.get("metrics") else None,
                    explainers=tuple(explainers) if explainers else None,
                )
            )
        tasks = tuple(specs)
    _check_model_tasks(path, presets, tasks)
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
        try:
            if t.task in registry.names("task"):
                check_task_params(suite, t)
        except RegshiftError as exc:
            problems.append(str(exc))
        for j, s in enumerate(t.shifts or ()):
            lookup("shift", s.name, f"tasks[{i}].shifts[{j}]")
        for m in t.metrics or ():
            lookup("metric", m, f"tasks[{i}].metrics")
        for e in t.explainers or ():
            lookup("explainer", e, f"tasks[{i}].explainers")
    for p in suite.presets.values():
        for m in p.models or ():
            lookup("model", parse_model_ref(m).name, f"presets.{p.name}.models")
            _check_model_ref(suite, p.name, m, problems)
        for ref in p.interventions:
            if parse_model_ref(ref).name != "none":
                lookup("intervention", parse_model_ref(ref).name, f"presets.{p.name}.interventions")
    return problems


def _check_model_ref(suite: Suite, preset: str, ref: str, problems: list[str]) -> None:
    """Add a problem for a preset model's unknown parameter or mistyped value."""
    from regshift_bench import plugins
    from regshift_bench.model_params import check_model_params

    spec = parse_model_ref(ref)
    if spec.name in plugins.current().registry.names("model"):
        try:
            check_model_params(spec, f"{suite.path}: presets.{preset}.models")
        except RegshiftError as exc:
            problems.append(str(exc))


#: Keys of a table task file that are not task parameters.
TABLE_FILE_KEYS = {"version", "name", "kind", "description", "shifts", "metrics", "presets"}


def check_task_params(suite: Suite, spec: TaskSpec) -> None:
    """Every parameter of ``spec`` is one its registered task accepts (did-you-mean if not).

    Raises
    ------
    TaskFileError
        Naming the file, the misspelt key and the closest accepted one.
    """
    from regshift_bench import plugins

    factory = plugins.current().registry.get("task", spec.task).factory
    names = getattr(factory, "_param_names", None)
    if names is None:
        return  # a plain function factory: its parameters cannot be listed
    accepted = set(names())
    unknown = {k for k, _ in spec.params} - accepted
    if unknown:
        if spec.task == "table" and spec.files:  # a task file: keys at the top level
            raise unknown_keys_error(suite.path, "top level", unknown, accepted | TABLE_FILE_KEYS)
        i = suite.tasks.index(spec)
        raise unknown_keys_error(suite.path, f"tasks[{i}].params", unknown, accepted)


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
