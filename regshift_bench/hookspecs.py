"""The hook catalogue: every ``rsbench_*`` hook a plugin may implement.

Each hook receives ``register(name, factory, **info)``. For tasks, shifts, models,
metrics, priors and explainers, ``factory`` is a class or callable that, called with
keyword parameters, returns an instance of the kind's base class
(:class:`~regshift_bench.api.Task`, ``Shift``, ``Model``, ``Metric``, ``Prior``,
``Explainer``).
``rsbench_register_datasets`` instead receives ``register(name, dataset, **info)``
with a :class:`regshift_bench.api.Dataset` (a data-directory folder and its
files pinned by SHA-256); ``rsbench data list`` / ``rsbench data fetch NAME`` show
and download every registered dataset. ``info`` is free-form description shown by
``rsbench list`` (``summary="..."`` is used as the one-line description).

Rules checked when a plugin registers (errors name plugin, hook and rule):

* ``name`` matches ``[a-z0-9][a-z0-9_.+-]*`` and is unique within its kind;
* ``factory`` is callable; for datasets, ``dataset`` is a ``Dataset`` instance whose
  ``name`` is ``name``;
* a hook may be called once per plugin; it must not raise.

A ``factory`` may be :func:`regshift_bench.api.lazy` (``"package.module:Class"`` plus
the attributes ``rsbench list`` shows): the class is imported on first use, so
building the plugin set stays light. What it declares is checked when registering;
the rest, and that the declarations match the class, when it first loads (the same
errors, raised then).

A plugin that breaks a rule is recorded as failed and everything it registered is
dropped; the other plugins still load (see ``rsbench plugins``).

Example
-------
>>> from regshift_bench import hookimpl
>>> @hookimpl
... def rsbench_register_models(register):
...     register("my_model", MyModel, summary="a linear model on k-mers")
>>> from regshift_bench.api import DataFile, Dataset
>>> MY_DATA = Dataset("my_assay", "mpra/my_assay", "My assay 2024, processed counts",
...                   (DataFile("counts.tsv.gz", SHA256, 123456, URL),), tasks=("my_task",))
>>> @hookimpl
... def rsbench_register_datasets(register):
...     register("my_assay", MY_DATA, summary="My assay 2024, processed counts")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

from regshift_bench.kinds import KINDS, hook_name

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


@hookspec
def rsbench_register_explainers(register: Register) -> Any:
    """Register explainers (attribution methods): ``register(name, ExplainerClass)``."""


@hookspec
def rsbench_register_datasets(register: Register) -> Any:
    """Register data-directory datasets: ``register(name, Dataset(...))``.

    The object is a :class:`regshift_bench.api.Dataset` instance (not a
    factory) registered under its own ``name``; tasks find its files with
    :func:`regshift_bench.datasets.locate`.
    """


@hookspec
def rsbench_register_interventions(register: Register) -> Any:
    """Register interventions (remedies under shift): ``register(name, InterventionClass)``.

    The class sets ``stage`` to ``"train"``, ``"posthoc"`` or ``"test_time"``
    (:class:`regshift_bench.api.Intervention`); it is checked when registering.
    """


@hookspec
def rsbench_register_claims(register: Register) -> Any:
    """Register claims the Findings judge: ``register(name, Claim(...))``.

    The object is a :class:`regshift_bench.api.Claim` instance registered under its
    own ``name`` (its statement, what it reads, thresholds, controls and judge; see
    ``docs/findings.md``).
    """


@hookspec
def rsbench_register_anchors(register: Register) -> Any:
    """Register published reference numbers: ``register(name, Anchor(...))``.

    The object is a :class:`regshift_bench.api.Anchor` instance registered under its
    own ``name``; the leaderboard's Anchors section shows it beside this run's value.
    """


@hookspec
def rsbench_register_blocks(register: Register) -> Any:
    """Register Prix Fixe network blocks: ``register(name, factory, roles=(...))``.

    ``roles`` names what the block can be: ``"first"``, ``"core"`` and/or ``"final"``
    (checked when registering); ``factory(role, in_channels, n_prior, **params)``
    returns a ``torch.nn.Module`` (contract in :mod:`regshift_bench.api.block`). The
    model ``prixfixe(first=..., core=..., final=...)`` composes registered blocks.
    """


#: Hook name -> registry kind, one per :data:`regshift_bench.kinds.KINDS`.
HOOK_KINDS = {hook_name(kind): kind for kind in KINDS}
