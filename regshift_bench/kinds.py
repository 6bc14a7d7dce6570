"""The plugin kinds, declared once.

Each kind has a registry table, a hook ``rsbench_register_<kind>s`` and a listing
``rsbench list <kind>s``. This module imports nothing, so every layer (errors,
registry, hookspecs, CLI) can read it without an import cycle.
"""

from __future__ import annotations

#: Plugin kinds in listing order; each is filled by the hook :func:`hook_name`.
KINDS: tuple[str, ...] = ("task", "shift", "model", "metric", "prior", "dataset", "explainer",
                         "claim", "anchor", "intervention",
                         "block")


def hook_name(kind: str) -> str:
    """The hook a plugin implements to register ``kind`` (``rsbench_register_<kind>s``)."""
    return f"rsbench_register_{kind}s"


def listing(kind: str) -> str:
    """The command that lists the registered names of ``kind``."""
    return f"rsbench list {kind}s" if kind in KINDS else "rsbench plugins"
