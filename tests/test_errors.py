"""One error hierarchy: every exception the harness defines or raises on purpose is a
RegshiftError, and validation never rests on ``assert`` (gone under ``python -O``)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import numpy as np
import pytest

import regshift_bench
from regshift_bench.errors import CellTimeout, MetricSkipped, PluginError, RegshiftError, TaskFileError

ROOT = Path(regshift_bench.__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "regshift_bench").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")])
# Built-in exceptions a module may raise on purpose: the abstract-method convention
# (the runner treats NotImplementedError from get_state as "not cacheable").
ALLOWED = {"NotImplementedError"}
BUILTIN_ERRORS = {
    n
    for n in dir(__builtins__ if isinstance(__builtins__, dict) else __import__("builtins"))
    if n.endswith(("Error", "Exception")) or n == "Exception"
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT / "plugins" if "plugins" in path.relative_to(ROOT).parts[:1] else ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def test_no_builtin_exception_is_raised_on_purpose():
    offenders = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                name = exc.id if isinstance(exc, ast.Name) else ""
                if name in BUILTIN_ERRORS and name not in ALLOWED:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} raises {name}")
    assert not offenders, "\n".join(offenders)


def test_every_defined_exception_is_a_regshift_error():
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and (b.id in BUILTIN_ERRORS or b.id.endswith("Error")) for b in node.bases
            ):
                module = importlib.import_module(_module_name(path))
                cls = getattr(module, node.name)
                found.append(cls)
                assert issubclass(cls, RegshiftError), f"{module.__name__}.{node.name}"
    assert CellTimeout in found  # the scan sees the hierarchy itself


def test_cell_timeout_is_caught_like_any_regshift_error():
    from regshift_bench import runner

    assert runner.CellTimeout is CellTimeout and issubclass(CellTimeout, RegshiftError)


def test_oracle_metrics_refuse_missing_fields_without_assert():
    from rsbench_metrics import oracle

    tree = ast.parse(Path(oracle.__file__).read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    y = mean = var = np.ones(4)
    with pytest.raises(MetricSkipped, match="needs noise_var"):
        oracle.ExcessMSE().stats(y, mean, var, y_true=None, noise_var=None)
    with pytest.raises(MetricSkipped, match="needs y_true"):
        oracle.SignalPearson().batched(y, mean, var)
    with pytest.raises(MetricSkipped, match="needs y_true"):
        oracle.VarRatio().stats(y, mean, var, noise_var=np.ones(4))


def test_api_errors_are_in_the_hierarchy():
    from regshift_bench.api import SplitSizes, source_splits
    from regshift_bench.testing import ToyTask

    with pytest.raises(PluginError, match="generative pool needs a size n"):
        ToyTask().pool(np.random.default_rng(0))
    with pytest.raises(TaskFileError, match="every split size must be set"):
        source_splits(ToyTask(), np.random.default_rng(0), SplitSizes(train=8, val=None, test=4))
