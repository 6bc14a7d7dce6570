"""The hook catalogue: every ``rsbench_*`` hook a plugin may implement.

Each hook receives ``register(name, factory, **info)``. ``factory`` is a class or
callable that, called with keyword parameters, returns an instance of the kind's
base class (:class:`~regshift_bench.api.Task`, ``Shift``, ``Model``, ``Metric``,
``Prior``). ``info`` is free-form description shown by ``rsbench list``
(``summary="..."`` is used as the one-line description).

Rules checked when a plugin registers (errors name plugin, hook and rule):

* ``name`` matches ``[a-z0-9][a-z0-9_.+-]*`` and is unique within its kind;
* ``factory`` is callable;
* a hook may be called once per plugin; it must not raise.

Example
-------
>>> from regshift_bench import hookimpl
>>> @hookimpl
... def rsbench_register_models(register):
...     register("my_model", MyModel, summary="a linear model on k-mers")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT = "rsbench"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Register = Callable[..., None]


@hookspec
def rsbench_register_tasks(register: Register) -> Any:
    """Register tasks (sources of labelled sequences): ``register(name, TaskClass)``."""


@hookspec
def rsbench_register_shifts(register: Register) -> Any:
    """Register shifts; each factory takes ``severity`` in [0, 1] plus its own params."""


@hookspec
def rsbench_register_models(register: Register) -> Any:
    """Register models; variants with a prior are registered as ``base+prior``."""


@hookspec
def rsbench_register_metrics(register: Register) -> Any:
    """Register metrics (``higher_is_better`` and ``needs`` live on the class)."""


@hookspec
def rsbench_register_priors(register: Register) -> Any:
    """Register priors: feature extractors that encode biological knowledge."""


#: Hook name -> registry kind.
HOOK_KINDS = {
    "rsbench_register_tasks": "task",
    "rsbench_register_shifts": "shift",
    "rsbench_register_models": "model",
    "rsbench_register_metrics": "metric",
    "rsbench_register_priors": "prior",
}
