"""regshift-bench: how sequence-to-activity models hold up under distribution shift."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from regshift_bench.errors import (  # noqa: E402
    CellTimeout,
    DataError,
    DataMissingError,
    MetricSkipped,
    PluginError,
    PluginLoadError,
    RegistryError,
    RegshiftError,
    TaskFileError,
    UnknownNameError,
)
from regshift_bench.hookspecs import hookimpl  # noqa: E402

if TYPE_CHECKING:  # loaded on first use (see __getattr__); static tools see them here
    from regshift_bench.plugins import get_plugin
    from regshift_bench.run_api import run

__all__ = [
    "CellTimeout",
    "DataError",
    "DataMissingError",
    "MetricSkipped",
    "PluginError",
    "PluginLoadError",
    "RegistryError",
    "RegshiftError",
    "TaskFileError",
    "UnknownNameError",
    "__version__",
    "get_plugin",
    "hookimpl",
    "run",
]


def __getattr__(name: str) -> object:
    # Loaded on first use, so `rsbench --help` does not import torch, pandas or scipy.
    if name == "run":
        from regshift_bench.run_api import run

        return run
    if name == "get_plugin":
        from regshift_bench.plugins import get_plugin

        return get_plugin
    raise AttributeError(f"module 'regshift_bench' has no attribute {name!r}")
