"""The plugin kinds, declared once.

Each kind has a registry table, a hook ``rsbench_register_<kind>s`` and a listing
``rsbench list <kind>s``. This module imports nothing, so every layer (errors,
registry, hookspecs, CLI) can read it without an import cycle.
"""

from __future__ import annotations

#: Plugin kinds in listing order; each is filled by the hook :func:`hook_name`.
KINDS: tuple[str, ...] = (
    "task",
    "shift",
    "model",
    "metric",
    "prior",
    "dataset",
    "explainer",
    "claim",
    "anchor",
    "intervention",
    "block",
)

#: What a shift changes, declared by every shift as ``kind`` (see
#: :class:`regshift_bench.api.Shift`); here so the registry checks it without numpy.
SHIFT_KINDS: tuple[str, ...] = ("covariate", "mechanism", "measurement", "selection")

#: When an intervention acts, declared as ``stage`` (see
#: :class:`regshift_bench.api.Intervention`).
STAGES: tuple[str, ...] = ("train", "posthoc", "test_time")


def hook_name(kind: str) -> str:
    """The hook a plugin implements to register ``kind`` (``rsbench_register_<kind>s``)."""
    return f"rsbench_register_{kind}s"


def listing(kind: str) -> str:
    """The command that lists the registered names of ``kind``."""
    return f"rsbench list {kind}s" if kind in KINDS else "rsbench plugins"
