"""The plugin manager: the core's plugin, entry points and local modules, each isolated.

Loading order: the core's own plugin (the ``none`` shift); the ``rsbench`` entry
points of this distribution (the built-ins, declared in our pyproject exactly as a
third party declares its own, and loaded through the same door, so the core names
none of them); the entry points of every other distribution; then the modules named
by ``--plugin`` / ``$RSBENCH_PLUGINS``. ``RSBENCH_DISABLE_PLUGIN_AUTOLOAD=1`` skips
the other distributions only, so tests still see exactly the built-ins. A plugin
that fails to import or to register is recorded (name, distribution, error) and
skipped; the others still load. A name looked up in vain mentions every plugin that
failed to load (it may have come from one), and :func:`check_requested` turns a
failed ``--plugin`` into an error.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata as md
import os
import threading
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from regshift_bench import hookspecs
from regshift_bench.api.datafiles import Dataset
from regshift_bench.errors import PluginLoadError, RegistryError, RegshiftError
from regshift_bench.registry import Registry

CORE_MODULE = "regshift_bench.core_plugin"
#: The core's own distribution, whose entry points are its built-in plugins.
CORE_PACKAGE = "regshift_bench"
AUTOLOAD_ENV = "RSBENCH_DISABLE_PLUGIN_AUTOLOAD"
PLUGINS_ENV = "RSBENCH_PLUGINS"


@dataclass
class PluginRecord:
    """What ``rsbench plugins`` shows for one plugin."""

    name: str
    module: str
    source: str  # "builtin" (the core's plugin and this distribution's) | "entry-point" | "local"
    distribution: str = ""
    version: str = ""
    status: str = "ok"  # "ok" | "failed"
    error: str = ""
    registered: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class PluginSet:
    """A loaded plugin manager, its registry and a record per plugin."""

    manager: pluggy.PluginManager
    registry: Registry
    records: list[PluginRecord]


@functools.lru_cache(maxsize=None)
def _packages_distributions() -> dict[str, list[str]]:
    # Scanning every installed distribution is slow (~1 s); the answer is fixed per process.
    return dict(md.packages_distributions())


def _provides(dist: md.Distribution, top: str) -> bool:
    """Whether ``dist`` installs the top-level package ``top`` (declared, else by its files)."""
    declared = (dist.read_text("top_level.txt") or "").split()
    if declared:
        return top in declared
    return any((f.parts[0] if len(f.parts) > 1 else f.stem) == top for f in dist.files or () if f.suffix == ".py")


def _dist_of(module: str) -> tuple[str, str]:
    """(distribution, version) installing ``module``'s top-level package; empty when none."""
    top = module.split(".")[0]
    # A plugin module, the core included, almost always comes from a distribution with
    # `rsbench` entry points: asking those few first spares the scan of every distribution.
    for ep in md.entry_points(group=hookspecs.PROJECT):
        if ep.dist is not None and _provides(ep.dist, top):
            return ep.dist.name, ep.dist.version or ""
    dists = _packages_distributions().get(top, [])
    if not dists:
        return "", ""
    try:
        return dists[0], md.version(dists[0])
    except md.PackageNotFoundError:
        return dists[0], ""


def _register_one(pset: PluginSet, record: PluginRecord, module: ModuleType | object) -> None:
    """Register one plugin object and run its hooks with an owner-bound callback."""
    pm, registry = pset.manager, pset.registry
    try:
        if pm.is_registered(module):
            record.status, record.error = "failed", "already loaded under another name"
            return
        pm.register(module, name=record.name)
        for hook_name, kind in hookspecs.HOOK_KINDS.items():
            impls = [i for i in getattr(pm.hook, hook_name).get_hookimpls() if i.plugin_name == record.name]
            for impl in impls:

                def register(name: str, factory: Any, /, _kind: str = kind, **info: Any) -> None:
                    registry.add(_kind, record.name, name, factory, **info)
                    record.registered.setdefault(_kind, []).append(name)

                impl.function(register=register)
        pm.check_pending()
    except Exception as exc:  # a broken plugin must not take the others down
        registry.remove_owner(record.name)
        record.registered.clear()
        if pm.is_registered(module):
            pm.unregister(module)
        rule = "" if isinstance(exc, RegshiftError) else f"{type(exc).__name__}: "
        record.status, record.error = "failed", f"{rule}{exc}"


def _import(pset: PluginSet, record: PluginRecord, loader: Any) -> None:
    try:
        obj = loader()
    except Exception as exc:
        record.status = "failed"
        record.error = f"import failed: {type(exc).__name__}: {exc}"
        return
    _register_one(pset, record, obj)


def _entry_points(autoload: bool) -> list[tuple[md.EntryPoint, bool]]:
    """``rsbench`` entry points to load, this distribution's first: (entry point, own)."""
    own_dist = _dist_of(CORE_PACKAGE)[0]
    seen: set[tuple[str, str]] = set()
    eps = []
    for ep in md.entry_points(group=hookspecs.PROJECT):
        key = (ep.name, ep.value)
        own = bool(own_dist) and ep.dist is not None and ep.dist.name == own_dist
        if key in seen or not (own or autoload):
            continue  # a distribution found twice on sys.path lists its entry points twice
        seen.add(key)
        eps.append((ep, own))
    return sorted(eps, key=lambda pair: (not pair[1], pair[0].name))


def load(extra_modules: tuple[str, ...] = (), autoload: bool | None = None) -> PluginSet:
    """Build a fresh :class:`PluginSet`.

    Parameters
    ----------
    extra_modules : tuple of str
        Importable module names added as local plugins (``--plugin``).
    autoload : bool, optional
        Load other distributions' ``rsbench`` entry points; default: unless
        ``$RSBENCH_DISABLE_PLUGIN_AUTOLOAD``. This distribution's own entry points
        (the built-ins) always load.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pset = PluginSet(pm, Registry(), [])
    if autoload is None:
        autoload = os.environ.get(AUTOLOAD_ENV, "") in ("", "0")
    core = PluginRecord("core", CORE_MODULE, "builtin", *_dist_of(CORE_MODULE))
    pset.records.append(core)
    _import(pset, core, lambda: importlib.import_module(CORE_MODULE))
    for ep, own in _entry_points(autoload):
        dist = ep.dist.name if ep.dist else ""
        version = ep.dist.version if ep.dist else ""
        rec = PluginRecord(ep.name, ep.value, "builtin" if own else "entry-point", dist, version)
        pset.records.append(rec)
        _import(pset, rec, ep.load)
    env_modules = tuple(m for m in os.environ.get(PLUGINS_ENV, "").split(",") if m.strip())
    for module in (*env_modules, *extra_modules):
        module = module.strip()
        rec = PluginRecord(module, module, "local", *_dist_of(module))
        pset.records.append(rec)
        _import(pset, rec, lambda m=module: importlib.import_module(m))
    pset.registry.failures = {r.name: r.error for r in pset.records if r.status == "failed"}
    return pset


_lock = threading.Lock()
_current: PluginSet | None = None
_extra: tuple[str, ...] = ()


def configure(extra_modules: tuple[str, ...] = ()) -> None:
    """Set the local modules to load and drop the cached plugin set."""
    global _extra, _current
    with _lock:
        _extra, _current = tuple(extra_modules), None


def configured_modules() -> tuple[str, ...]:
    """The local modules given by :func:`configure` (``--plugin``)."""
    return _extra


def current() -> PluginSet:
    """The process-wide plugin set, loaded on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = load(_extra)
        return _current


def reset() -> None:
    """Forget the loaded plugin set (tests, or after installing a plugin)."""
    configure(_extra)


def check_requested(pset: PluginSet | None = None) -> None:
    """Raise when a plugin asked for by name (``--plugin``, ``$RSBENCH_PLUGINS``) failed.

    An entry point that fails only costs its own names (they are reported where
    asked for); a module the user named explicitly is an error even when unused.

    Raises
    ------
    PluginLoadError
        Naming each failed module and why.
    """
    pset = pset or current()
    failed = [r for r in pset.records if r.source == "local" and r.status == "failed"]
    if failed:
        what = "; ".join(f"plugin {r.name!r} failed to load: {r.error}" for r in failed)
        raise PluginLoadError(
            f"{what}; every task, shift, model or metric it provides is "
            f"unavailable: fix the module or drop it from --plugin / "
            f"${PLUGINS_ENV}"
        )


def default_task(task_kind: str = "generative") -> str:
    """The first registered task of ``task_kind``: a default the core need not name.

    Registration order puts this distribution's built-ins before third parties,
    so the default does not move when a plugin is installed.

    Raises
    ------
    RegistryError
        When no loaded plugin registers a task of that kind.
    """
    for entry in current().registry.in_order("task"):
        if getattr(entry.factory, "kind", None) == task_kind:
            return entry.name
    raise RegistryError(
        f"no {task_kind} task is registered (see `rsbench list tasks`); install or --plugin a plugin that provides one"
    )


def get_dataset(name: str) -> Dataset:
    """The dataset registered as ``name`` by a plugin's ``rsbench_register_datasets``.

    Raises
    ------
    UnknownNameError
        For an unregistered name, with close matches.
    """
    dataset: Dataset = current().registry.create("dataset", name)
    return dataset


def registered_datasets() -> list[Dataset]:
    """Every registered dataset, sorted by name."""
    entries = current().registry.entries("dataset")
    return [e.factory for e in entries if isinstance(e.factory, Dataset)]


def get_plugin(kind: str, name: str, **params: Any) -> Any:
    """Return a configured instance of a registered plugin.

    Parameters
    ----------
    kind : {"task", "shift", "model", "metric", "prior", "dataset", "explainer"}
        For ``"dataset"`` the registered
        :class:`~regshift_bench.api.Dataset` is returned (no parameters).
    name : str
        Registered name; unknown names raise with close matches.
    **params
        Keyword parameters passed to the plugin's factory.
    """
    return current().registry.create(kind, name, **params)
