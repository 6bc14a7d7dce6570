"""The public plugin API of regshift-bench."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The names load on first use (PEP 562), so importing a light part of the API (e.g.
# `regshift_bench.api.datafiles` for the CLI) does not import pandas or scipy. Static
# tools read the imports below; `__getattr__` reads the same lines, so they are the
# one list to extend.
# `fit_report` names both a submodule and its function: bound here, eagerly, so that
# importing the submodule elsewhere cannot leave the module in its place.
from regshift_bench.api.fit_report import FitReport, fit_report

if TYPE_CHECKING:
    from regshift_bench.api.base import Configurable
    from regshift_bench.api.claim import Anchor, Claim, Reads, Threshold
    from regshift_bench.api.datafiles import DataFile, Dataset
    from regshift_bench.api.dataset import SeqDataset, Splits, SplitSizes
    from regshift_bench.api.encoding import decode, encode, gc_fraction, onehot, revcomp
    from regshift_bench.api.explainer import Explainer, NotApplicable
    from regshift_bench.api.intervention import Context, Intervention, Support
    from regshift_bench.api.lazy_factory import LazyFactory, lazy
    from regshift_bench.api.metric import Metric
    from regshift_bench.api.model import Budget, Model
    from regshift_bench.api.prediction import Prediction
    from regshift_bench.api.prior import Prior
    from regshift_bench.api.shift import Shift
    from regshift_bench.api.splitting import SourceSplits, cap, group_labels, group_split, source_splits
    from regshift_bench.api.task import Task

__all__ = [
    "FitReport",
    "fit_report",
    "Anchor",
    "Claim",
    "Reads",
    "Threshold",
    "Budget",
    "Configurable",
    "Context",
    "Intervention",
    "Support",
    "DataFile",
    "Dataset",
    "Explainer",
    "Metric",
    "Model",
    "NotApplicable",
    "LazyFactory",
    "lazy",
    "Prediction",
    "Prior",
    "SeqDataset",
    "Shift",
    "SplitSizes",
    "Splits",
    "Task",
    "decode",
    "encode",
    "gc_fraction",
    "onehot",
    "revcomp",
    "SourceSplits",
    "cap",
    "group_labels",
    "group_split",
    "source_splits",
]


@functools.cache
def _exports() -> dict[str, str]:
    """Exported name -> its submodule, read from the ``TYPE_CHECKING`` imports above."""
    import ast

    out: dict[str, str] = {}
    for node in ast.walk(ast.parse(Path(__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(__name__ + "."):
            out.update({a.asname or a.name: str(node.module) for a in node.names})
    return out


def __getattr__(name: str) -> Any:
    module = _exports().get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_exports()})
