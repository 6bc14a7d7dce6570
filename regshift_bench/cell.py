"""The cell: one (task, shift, severity, model, seed, intervention) and its hash.

A cell is the unit of results: everything that determines its numbers is a field,
and :func:`make_cell` names it by the hash of those fields, so a changed default is
a different cell and an unchanged one is found again when a run resumes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from regshift_bench.api import Budget, SplitSizes

__all__ = ["Cell", "canonical_json", "make_cell", "stable_hash"]


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
    task: str  # label shown in results
    task_name: str  # registered task
    task_params: tuple[tuple[str, Any], ...]
    shift: str
    severity: float
    shift_params: tuple[tuple[str, Any], ...]
    model: str
    model_params: str  # canonical JSON; a changed default is a different cell
    seed: int
    sizes: SplitSizes
    budget: Budget
    metrics: tuple[str, ...]
    explainers: tuple[str, ...] = ()  # interpretation (regshift_bench.interpret)
    explain_n: int = 0  # sequences explained per split
    cell: str = field(default="", compare=False)
    # Set only when ``model`` is a label with parameters, e.g. "cnn(channels=32)".
    model_name: str = ""  # the registered model
    model_args: tuple[tuple[str, Any], ...] = ()  # the parameters given to it
    # Set only for tasks reading user files (a task file's table): ``task_files`` are
    # the keys of ``task_params`` holding paths, ``task_data`` a digest of the files.
    task_files: tuple[str, ...] = ()
    task_data: str = ""
    # A robustness intervention applied to the model (regshift_bench.intervene): its
    # label, e.g. "conformal" or "kshot_recalibrate(k=20)", and the parameters given.
    intervention: str = "none"
    intervention_args: tuple[tuple[str, Any], ...] = ()

    def identity(self) -> dict[str, Any]:
        """The fields that determine the cell's results (hashed into ``cell``).

        File paths are replaced by the digest of the files' contents, so a table
        moved to another folder is the same cell and a changed table is a new one.
        Fields left at their defaults are omitted, keeping older cells' hashes.
        """
        d = asdict(self)
        d.pop("cell")
        if not self.explainers:  # cells without explainers keep the hashes they had
            d.pop("explainers")
            d.pop("explain_n")
        d.pop("preset")  # the same cell under two presets is the same computation
        d.pop("task_files")  # the digest in task_params stands for the files
        for key in ("model_name", "model_args", "task_data"):
            if not d[key]:
                d.pop(key)
        if self.intervention == "none":  # cells without one keep the hashes they had
            d.pop("intervention")
            d.pop("intervention_args")
        d["task_params"] = self.stream_task_params()
        return d

    def stream_task_params(self) -> tuple[tuple[str, Any], ...]:
        """``task_params`` without file paths, plus the files' digest: what names the
        task in hashes and random streams (identical for a table in two folders)."""
        if not self.task_files:
            return self.task_params
        kept = [(k, v) for k, v in self.task_params if k not in self.task_files]
        return tuple(sorted([*kept, ("data_digest", self.task_data)]))

    def public_task_params(self) -> dict[str, Any]:
        """Task parameters as written to results: file paths cut to their file names."""
        params = dict(self.task_params)
        for key in self.task_files:
            params[key] = Path(str(params[key])).name
        if self.task_data:
            params["data_digest"] = self.task_data
        return params

    def model_factory_args(self) -> tuple[str, dict[str, Any]]:
        """The registered model name and the keyword parameters to create it with."""
        return self.model_name or self.model, dict(self.model_args)

    def group_key(self) -> tuple[str, str, str, int]:
        return (self.suite, self.task, self.model, self.seed)


def make_cell(**fields: Any) -> Cell:
    cell = Cell(**fields)
    object.__setattr__(cell, "cell", stable_hash(cell.identity()))
    return cell
