"""The plugin manager: built-ins, entry points and local modules, each isolated.

Loading order: the core's own plugin (the ``none`` shift), the built-in plugin
packages by module name (so ``RSBENCH_DISABLE_PLUGIN_AUTOLOAD=1`` leaves exactly the
built-ins), entry points of the ``rsbench`` group one by one, then modules named by
``--plugin`` / ``$RSBENCH_PLUGINS``. A plugin that fails to import or to register is
recorded (name, distribution, error) and skipped; the others still load.
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
from regshift_bench.errors import RegshiftError
from regshift_bench.registry import Registry

BUILTIN_MODULES = ("regshift_bench.core_plugin", "rsbench_sim", "rsbench_mpra",
                   "rsbench_models", "rsbench_metrics", "rsbench_explain")
AUTOLOAD_ENV = "RSBENCH_DISABLE_PLUGIN_AUTOLOAD"
PLUGINS_ENV = "RSBENCH_PLUGINS"


@dataclass
class PluginRecord:
    """What ``rsbench plugins`` shows for one plugin."""

    name: str
    module: str
    source: str  # "builtin" | "entry-point" | "local"
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


def _dist_of(module: str) -> tuple[str, str]:
    top = module.split(".")[0]
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
            impls = [i for i in getattr(pm.hook, hook_name).get_hookimpls()
                     if i.plugin_name == record.name]
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


def load(extra_modules: tuple[str, ...] = (), autoload: bool | None = None) -> PluginSet:
    """Build a fresh :class:`PluginSet`.

    Parameters
    ----------
    extra_modules : tuple of str
        Importable module names added as local plugins (``--plugin``).
    autoload : bool, optional
        Load ``rsbench`` entry points; default: unless ``$RSBENCH_DISABLE_PLUGIN_AUTOLOAD``.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pset = PluginSet(pm, Registry(), [])
    if autoload is None:
        autoload = os.environ.get(AUTOLOAD_ENV, "") in ("", "0")
    builtin_modules: set[str] = set()
    for module in BUILTIN_MODULES:
        dist, version = _dist_of(module)
        rec = PluginRecord(module.split(".")[-1].removeprefix("rsbench_"), module, "builtin",
                           dist, version)
        if module == "regshift_bench.core_plugin":
            rec.name = "core"
        pset.records.append(rec)
        _import(pset, rec, lambda m=module: importlib.import_module(m))
        builtin_modules.add(module)
    if autoload:
        for ep in sorted(md.entry_points(group=hookspecs.PROJECT), key=lambda e: e.name):
            if ep.value.split(":")[0] in builtin_modules:
                continue  # the built-ins already came in by module name
            dist = ep.dist.name if ep.dist else ""
            version = ep.dist.version if ep.dist else ""
            rec = PluginRecord(ep.name, ep.value, "entry-point", dist, version)
            pset.records.append(rec)
            _import(pset, rec, ep.load)
    env_modules = tuple(m for m in os.environ.get(PLUGINS_ENV, "").split(",") if m.strip())
    for module in (*env_modules, *extra_modules):
        module = module.strip()
        rec = PluginRecord(module, module, "local", *_dist_of(module))
        pset.records.append(rec)
        _import(pset, rec, lambda m=module: importlib.import_module(m))
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


def get_plugin(kind: str, name: str, **params: Any) -> Any:
    """Return a configured instance of a registered plugin.

    Parameters
    ----------
    kind : {"task", "shift", "model", "metric", "prior", "dataset", "explainer"}
        For ``"dataset"`` the registered
        :class:`~regshift_bench.datasets.Dataset` is returned (no parameters).
    name : str
        Registered name; unknown names raise with close matches.
    **params
        Keyword parameters passed to the plugin's factory.
    """
    return current().registry.create(kind, name, **params)
