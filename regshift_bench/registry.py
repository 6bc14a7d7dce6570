"""Name -> factory tables, one per plugin kind, with did-you-mean errors.

Most kinds register a factory (a class or callable returning an instance of the
kind's base class); kind ``dataset`` registers a
:class:`~regshift_bench.api.Dataset` instance itself, since a dataset is a
fixed description rather than something configured with parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from regshift_bench import api
from regshift_bench.api.datafiles import Dataset
from regshift_bench.api.lazy_factory import LazyFactory, declared, resolve
from regshift_bench.errors import PluginError, RegistryError, UnknownNameError
from regshift_bench.kinds import KINDS, SHIFT_KINDS, STAGES, hook_name

__all__ = ["KINDS", "Entry", "Registry"]
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.+\-]*$")


@dataclass(frozen=True)
class Entry:
    """One registered name.

    ``factory`` is what the plugin registered: a class or callable for most kinds,
    the :class:`~regshift_bench.api.Dataset` itself for kind ``dataset``. A
    :func:`~regshift_bench.api.lazy` factory stays one in :meth:`Registry.entries`
    until :meth:`Registry.get` loads it and keeps the class in its place.
    """

    kind: str
    name: str
    factory: Callable[..., Any] | Dataset
    owner: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One-line description: ``summary=`` info, else the docstring's or title's first line."""
        # A lazy factory's docstring would need an import: without summary= it has none.
        fallback = (
            self.factory.title
            if isinstance(self.factory, Dataset)
            else getattr(self.factory, "summary", "")
            if self.kind in ("claim", "anchor")
            else None
            if isinstance(self.factory, LazyFactory)
            else getattr(self.factory, "__doc__", None)
        )
        text = self.info.get("summary") or fallback or ""
        return text.strip().splitlines()[0] if text.strip() else ""


class Registry:
    """Name -> :class:`Entry` tables for every kind."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Entry]] = {k: {} for k in KINDS}
        #: Plugin name -> why it failed to load; named when a lookup fails, since the
        #: name asked for may have come from one of them.
        self.failures: dict[str, str] = {}

    def add(self, kind: str, owner: str, name: str, factory: Callable[..., Any] | Dataset, **info: Any) -> Entry:
        """Register ``name``; raise :class:`RegistryError` naming owner, hook and rule.

        Rules: the name matches ``[a-z0-9][a-z0-9_.+-]*`` and is unique within its
        kind; ``factory`` is callable, except for kind ``dataset``, where it is a
        :class:`~regshift_bench.api.Dataset` whose ``name`` is ``name``; a shift
        factory has a ``kind`` attribute in :data:`regshift_bench.api.shift.SHIFT_KINDS`.
        A :func:`~regshift_bench.api.lazy` factory is not imported here: what it
        declares is checked now, the rest when :meth:`get` first loads it.
        """
        if kind not in self._tables:
            raise UnknownNameError("plugin kind", kind, list(KINDS))
        hook = hook_name(kind)
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise RegistryError(
                f"plugin {owner!r}, hook {hook}: name {name!r} is invalid; use lower-case letters, digits and _ . + -"
            )
        _check_registered(kind, owner, hook, name, factory)
        if kind == "block":
            _check_block_roles(f"plugin {owner!r}, hook {hook}", name, info.get("roles"))
        table = self._tables[kind]
        if name in table:
            raise RegistryError(
                f"plugin {owner!r}, hook {hook}: {kind} {name!r} is already registered by "
                f"plugin {table[name].owner!r}; choose another name"
            )
        entry = Entry(kind, name, factory, owner, dict(info))
        table[name] = entry
        return entry

    def remove_owner(self, owner: str) -> None:
        """Drop everything ``owner`` registered (a plugin that failed part-way)."""
        for table in self._tables.values():
            for name in [n for n, e in table.items() if e.owner == owner]:
                del table[name]

    def get(self, kind: str, name: str) -> Entry:
        """The entry for ``name``; unknown names raise with close matches.

        A :func:`~regshift_bench.api.lazy` factory is imported here, checked as a
        registered class is when registering, and kept in its place (its entry's
        ``factory`` is the class from then on).

        Raises
        ------
        UnknownNameError
            For an unregistered name.
        RegistryError
            When a lazy factory cannot be imported or breaks a registration rule,
            naming plugin, hook and rule.
        """
        if kind not in self._tables:
            raise UnknownNameError("plugin kind", kind, list(KINDS))
        try:
            entry = self._tables[kind][name]
        except KeyError:
            note = "".join(
                f"; it may come from plugin {p!r}, which failed to load: {err}" for p, err in self.failures.items()
            )
            raise UnknownNameError(kind, name, sorted(self._tables[kind]), note=note) from None
        return self._load(entry) if isinstance(entry.factory, LazyFactory) else entry

    def _load(self, entry: Entry) -> Entry:
        """Import a lazy entry's factory, check it and keep the loaded entry."""
        hook = hook_name(entry.kind)
        try:
            real = resolve(entry.factory)
        except RegistryError as exc:
            raise RegistryError(f"plugin {entry.owner!r}, hook {hook}: {entry.kind} {entry.name!r}: {exc}") from exc
        _check_registered(entry.kind, entry.owner, hook, entry.name, real)
        loaded = replace(entry, factory=real)
        self._tables[entry.kind][entry.name] = loaded  # same key: registration order stays
        return loaded

    def names(self, kind: str) -> list[str]:
        """Registered names of ``kind``, sorted."""
        return sorted(self._tables[kind])

    def entries(self, kind: str) -> list[Entry]:
        """Registered entries of ``kind``, sorted by name."""
        return [self._tables[kind][n] for n in self.names(kind)]

    def in_order(self, kind: str) -> list[Entry]:
        """Entries of ``kind`` in registration order (the core's plugin and built-ins first)."""
        return list(self._tables[kind].values())

    def find(self, name: str) -> list[Entry]:
        """Every entry called ``name``, whatever its kind."""
        return [t[name] for t in self._tables.values() if name in t]

    def all_names(self) -> list[str]:
        return sorted({n for t in self._tables.values() for n in t})

    def create(self, kind: str, name: str, **params: Any) -> Any:
        """Instantiate ``name`` with ``params`` and check the instance's type.

        For kind ``dataset`` the registered :class:`~regshift_bench.api.Dataset`
        is returned as is; datasets take no parameters.
        """
        entry = self.get(kind, name)
        if kind == "block":
            raise RegistryError(
                f"block {name!r} is built by a composed model, not created "
                "alone; use it as prixfixe(first=..., core=..., final=...)"
            )
        if kind in ("claim", "anchor") and not params:
            return entry.factory  # registered as instances, like datasets
        if isinstance(entry.factory, Dataset):
            if params:
                raise RegistryError(
                    f"dataset {name!r} takes no parameters (got {sorted(params)}); a dataset "
                    "is a fixed description, drop the parameters"
                )
            return entry.factory
        base = {
            "task": api.Task,
            "shift": api.Shift,
            "model": api.Model,
            "metric": api.Metric,
            "prior": api.Prior,
            "explainer": api.Explainer,
            "intervention": api.Intervention,
        }[kind]
        try:
            obj = entry.factory(**params)
        except TypeError as exc:
            raise PluginError(
                f"{kind} {name!r} rejected parameters {sorted(params)}: {exc}", plugin=entry.owner
            ) from exc
        if not isinstance(obj, base):
            raise PluginError(
                f"factory for {kind} {name!r} returned {type(obj).__name__}, expected a "
                f"subclass of regshift_bench.api.{base.__name__}",
                plugin=entry.owner,
            )
        # Instances carry the name they were registered under (variants share a class).
        obj.name = name  # type: ignore[attr-defined]
        return obj


def _check_registered(kind: str, owner: str, hook: str, name: str, obj: Any) -> None:
    """The kind-specific rule for what may be registered; RegistryError names the fix."""
    where = f"plugin {owner!r}, hook {hook}"
    if kind == "dataset":
        if not isinstance(obj, Dataset):
            raise RegistryError(
                f"{where}: dataset {name!r} is a {type(obj).__name__}, not a "
                "regshift_bench.api.Dataset; register a Dataset instance"
            )
        if obj.name != name:
            raise RegistryError(
                f"{where}: dataset registered as {name!r} is named {obj.name!r}; register "
                "it under its own name (Dataset.name)"
            )
    elif kind in ("claim", "anchor"):
        _check_instance(kind, where, name, obj)
    elif isinstance(obj, LazyFactory):
        _check_declared(kind, where, name, obj)  # the rest when it loads (Registry.get)
    elif not callable(obj):
        raise RegistryError(
            f"{where}: factory for {name!r} is not callable ({type(obj).__name__}); register a class or a function"
        )
    elif kind == "shift":
        _check_shift_kind(where, name, getattr(obj, "kind", None))
    elif kind == "metric":
        _check_metric_factory(where, name, obj)
    elif kind == "intervention":
        _check_stage(where, name, getattr(obj, "stage", None))


def _check_declared(kind: str, where: str, name: str, obj: LazyFactory) -> None:
    """The rules a lazy factory's declared attributes can answer without an import."""
    absent = object()
    if kind == "shift" and declared(obj, "kind", absent) is not absent:
        _check_shift_kind(where, name, declared(obj, "kind"))
    if kind == "intervention" and declared(obj, "stage", absent) is not absent:
        _check_stage(where, name, declared(obj, "stage"))


def _check_shift_kind(where: str, name: str, shift_kind: Any) -> None:
    if shift_kind not in SHIFT_KINDS:
        raise RegistryError(
            f"{where}: shift {name!r} declares kind {shift_kind!r}; set the class "
            f"attribute kind to one of {', '.join(SHIFT_KINDS)}"
        )


def _check_stage(where: str, name: str, stage: Any) -> None:
    if stage not in STAGES:
        raise RegistryError(
            f"{where}: intervention {name!r} declares stage {stage!r}; set the class "
            f"attribute stage to one of {', '.join(STAGES)}"
        )


def _check_metric_factory(where: str, name: str, obj: Any) -> None:
    """A metric factory is an api.Metric subclass, or a function building one with no
    required arguments: a plain scoring function would fail every cell it runs in."""
    import inspect

    fix = (
        "register a subclass of regshift_bench.api.Metric with __call__(self, data, pred) "
        "and higher_is_better (see the metric plugin guide)"
    )
    if isinstance(obj, type):
        if not issubclass(obj, api.Metric):
            raise RegistryError(
                f"{where}: metric {name!r} is class {obj.__name__}, not a subclass of regshift_bench.api.Metric; {fix}"
            )
        return
    try:
        required = [
            p.name
            for p in inspect.signature(obj).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):  # a builtin without a signature: checked at creation
        return
    if required:
        raise RegistryError(
            f"{where}: metric {name!r} is a plain function taking "
            f"({', '.join(required)}), so it cannot build a metric; {fix}"
        )


def _check_instance(kind: str, where: str, name: str, registered: Any) -> None:
    """A claim or anchor is registered as an instance named ``name``; a claim's parts are checked."""
    obj: Any = registered
    from regshift_bench.api.claim import FAMILIES, Anchor, Claim

    cls: type = {"claim": Claim, "anchor": Anchor}[kind]
    if not isinstance(registered, cls):
        raise RegistryError(
            f"{where}: {kind} {name!r} is a {type(obj).__name__}, not a "
            f"regshift_bench.api.{cls.__name__}; register a {cls.__name__} instance"
        )
    if kind == "claim":
        if obj.name != name:
            raise RegistryError(
                f"{where}: claim registered as {name!r} is named {obj.name!r}; "
                "register it under its own name (Claim.name)"
            )
        if not callable(obj.judge):
            raise RegistryError(
                f"{where}: claim {name!r} has a judge that is not callable; "
                "pass a function judge(views) -> (checks, reason)"
            )
        bad = [f for f in obj.reads.families if f not in FAMILIES]
        if bad:
            raise RegistryError(f"{where}: claim {name!r} reads shift families {bad}; use {' / '.join(FAMILIES)}")
        if not obj.statement.strip():
            raise RegistryError(f"{where}: claim {name!r} has no statement; say what it claims")
        unexplained = [t.name for t in obj.thresholds if not str(t.reason).strip()]
        if unexplained:
            raise RegistryError(
                f"{where}: claim {name!r} threshold(s) {unexplained} give no reason; say why each value was chosen"
            )


def _check_block_roles(where: str, name: str, roles: Any) -> None:
    """A block declares the roles it can take: a non-empty subset of BLOCK_ROLES."""
    from regshift_bench.api.block import BLOCK_ROLES

    if not isinstance(roles, (tuple, list)) or not roles or any(r not in BLOCK_ROLES for r in roles):
        raise RegistryError(
            f"{where}: block {name!r} declares roles {roles!r}; pass roles=(...) with one or "
            f"more of {', '.join(BLOCK_ROLES)}"
        )
