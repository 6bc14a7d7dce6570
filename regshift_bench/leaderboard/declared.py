"""What the plugins declare about a run's tasks and shifts, as the Findings need it.

* A shift *changes the inputs* (:attr:`regshift_bench.api.Shift.changes_inputs`) or
  keeps them and moves only the labels. The two families are analysed apart: an
  OOD detector can only flag moved inputs.
* A task *has an oracle* (:attr:`regshift_bench.api.Task.has_oracle`, with the
  reference's name in ``oracle_reference``): its shifts are judged against it.

Both are read from the run's manifest when it carries a ``declared`` section
(``{"shifts": {name: {"changes_inputs": bool}}, "tasks": {label: {"has_oracle":
bool, "oracle_reference": str}}}``, e.g. a synthetic run), else from the registered
plugins (a task label is mapped to its registered task through the manifest's
plan). Nothing is inferred from which metrics a run recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regshift_bench.leaderboard.load import RunSet

#: Shift kinds that move the inputs when a shift does not declare ``changes_inputs``.
INPUT_KINDS = ("covariate", "selection")


@dataclass
class Declared:
    """Per shift: changes its inputs; per task label: its oracle reference ("" = none)."""

    changes_inputs: dict[str, bool] = field(default_factory=dict)
    oracle: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def input_shift(self, shift: str, kind: str = "") -> bool:
        """Whether ``shift`` changes the test inputs (undeclared: by its kind)."""
        if shift in self.changes_inputs:
            return self.changes_inputs[shift]
        return kind in INPUT_KINDS

    def family(self, shift: str, kind: str = "") -> str:
        """``"input"`` or ``"label"`` (see :data:`regshift_bench.api.claim.FAMILIES`)."""
        return "input" if self.input_shift(shift, kind) else "label"

    def oracle_of(self, task: str) -> str:
        """The oracle reference of ``task``; "" when it declares none."""
        return self.oracle.get(task, "")


def _registry() -> Any | None:
    try:
        from regshift_bench import plugins

        return plugins.current().registry
    except Exception:  # no plugins loadable: fall back to what the manifest says
        return None


def _from_registry(out: Declared, shifts: set[str], tasks: dict[str, str]) -> None:
    reg = _registry()
    if reg is None:
        return
    shift_names, task_names = set(reg.names("shift")), set(reg.names("task"))
    for shift in sorted(shifts - set(out.changes_inputs)):
        if shift in shift_names:
            value = getattr(reg.get("shift", shift).factory, "changes_inputs", None)
            if value is not None:
                out.changes_inputs[shift] = bool(value)
    for label, name in sorted(tasks.items()):
        if label in out.oracle or name not in task_names:
            continue
        factory = reg.get("task", name).factory
        if getattr(factory, "has_oracle", False):
            out.oracle[label] = str(getattr(factory, "oracle_reference", ""))


def declared(runs: RunSet) -> Declared:
    """The shifts' ``changes_inputs`` and the tasks' oracle references of ``runs``."""
    out = Declared()
    for man in runs.manifests:
        decl = man.get("declared", {}) or {}
        for shift, info in (decl.get("shifts") or {}).items():
            if info.get("changes_inputs") is not None:
                out.changes_inputs[shift] = bool(info["changes_inputs"])
        for task, info in (decl.get("tasks") or {}).items():
            out.oracle[task] = str(info.get("oracle_reference", "")) if info.get("has_oracle") else ""
    plan = runs.plan
    shifts = set(plan["shift"]) if "shift" in plan else set()
    tasks: dict[str, str] = {}
    for man in runs.manifests:
        for entry in man.get("plan", []):
            tasks.setdefault(str(entry.get("task", "")), str(entry.get("task_name") or entry.get("task", "")))
    _from_registry(out, shifts, tasks)
    undeclared = sorted(s for s in shifts - set(out.changes_inputs) if s != "none")
    if undeclared:
        out.notes.append(
            f"{', '.join(undeclared)} declare no changes_inputs (plugin not loaded "
            "or attribute unset): read from the shift kind (covariate / "
            "selection = input shift)"
        )
    return out
