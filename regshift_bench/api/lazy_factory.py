"""Lazy factories: register a class by its import path, import it on first use.

A plugin's registration hook runs whenever the plugin set is built, even for
``rsbench list``; a factory given as a class forces its module (and torch, scipy,
...) to be imported then. :func:`lazy` returns a stand-in that imports the target on
its first call or first attribute read instead::

    register("my_shift", lazy("my_plugin.shifts:Drift", kind="covariate"),
             summary="background composition drifts")

The keyword arguments of :func:`lazy` declare attributes the target has (a shift's
``kind``, an intervention's ``stage``, a metric's ``higher_is_better``): they are
answered without importing, so the registry's rules and the plain ``rsbench list``
read them, and they are compared with the real attributes when the target loads
(a mismatch is a :class:`~regshift_bench.errors.RegistryError`). Everything else
(``__doc__``, the signature, any other attribute) loads the target first.

This module imports nothing heavy: plugin registration modules import it.
"""

from __future__ import annotations

import importlib
import inspect
import re
import threading
from collections.abc import Callable
from typing import Any

from regshift_bench.errors import RegistryError

__all__ = ["LazyFactory", "declared", "is_loaded", "lazy", "resolve", "target_of"]

_TARGET_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_MISSING = object()


class _LazyDoc:
    """``__doc__`` that reads the target's docstring on an instance (the class keeps its own)."""

    def __init__(self, doc: str) -> None:
        self.doc = doc

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self.doc if obj is None else getattr(obj._lazy_resolve(), "__doc__", None)


class LazyFactory:
    __doc__ = _LazyDoc(  # type: ignore[assignment]
        """A callable stand-in for ``module:attribute``, imported on first use.

        Built by :func:`lazy`. Calling it, or reading an attribute that was not
        declared, imports the target once (checking the declared attributes against
        it) and then forwards to it. Its own state lives in ``_lazy_*`` names, so
        that every public attribute is the target's; inspect it with
        :func:`declared`, :func:`resolve` and :func:`target_of`.

        Parameters
        ----------
        target : str
            ``"package.module:Name"`` (``Name`` may be a dotted path inside the module).
        declared : dict
            Attribute name -> value the target has, answered without importing.
        """
    )

    def __init__(self, target: str, declared: dict[str, Any]) -> None:
        if not isinstance(target, str) or not _TARGET_RE.match(target):
            raise RegistryError(
                f"lazy target {target!r} is not 'package.module:Name'; write e.g. lazy('my_plugin.models:MyModel')"
            )
        bad = [k for k in declared if k.startswith("_")]
        if bad:
            raise RegistryError(
                f"lazy({target!r}) declares private attribute(s) {bad}; declare "
                "only public attributes (kind=..., stage=...)"
            )
        module, _, attr = target.partition(":")
        self._lazy_target, self._lazy_declared = target, dict(declared)
        self._lazy_real: Any = _MISSING
        self._lazy_lock = threading.Lock()
        # The target's own names, known without importing it (repr, tools, messages).
        self.__name__ = self.__qualname__ = attr.rsplit(".", 1)[-1]
        self.__module__ = module

    def _lazy_resolve(self) -> Any:
        if self._lazy_real is _MISSING:
            with self._lazy_lock:  # one import and one check, whichever thread asks first
                if self._lazy_real is _MISSING:
                    real = _load(self._lazy_target)
                    _check_declared(self._lazy_target, self._lazy_declared, real)
                    self._lazy_real = real
        return self._lazy_real

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._lazy_resolve()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names not set on the instance or its class.
        if name.startswith("_lazy_"):
            raise AttributeError(name)  # half-built (unpickling): do not recurse
        declared = self.__dict__.get("_lazy_declared", {})
        if name in declared:
            return declared[name]
        return getattr(self._lazy_resolve(), name)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self._lazy_resolve())

    def __reduce__(self) -> tuple[Callable[..., LazyFactory], tuple[Any, ...]]:
        return (_rebuild, (self._lazy_target, self._lazy_declared))

    def __repr__(self) -> str:
        return f"lazy({self._lazy_target!r})"


def _rebuild(target: str, declared: dict[str, Any]) -> LazyFactory:
    return LazyFactory(target, declared)


def _load(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except Exception as exc:  # ImportError, AttributeError, or the module's own failure
        raise RegistryError(f"lazy factory {target!r} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if isinstance(obj, LazyFactory):
        raise RegistryError(
            f"lazy factory {target!r} names another lazy factory "
            f"({obj._lazy_target!r}); name the class or function itself"
        )
    return obj


def _check_declared(target: str, declared: dict[str, Any], real: Any) -> None:
    """Every declared attribute equals the target's: the listing must not have lied."""
    for name, value in declared.items():
        actual = getattr(real, name, _MISSING)
        if actual is _MISSING or actual != value:
            has = "has none" if actual is _MISSING else f"has {actual!r}"
            raise RegistryError(
                f"lazy factory {target!r} declares {name}={value!r} but "
                f"{target} {has}; make the declaration match the target"
            )


def lazy(target: str, /, **attributes: Any) -> LazyFactory:
    """A factory that imports ``target`` on its first call or attribute read.

    Register it wherever a class or function is registered, so that building the
    plugin set (``rsbench list``, ``rsbench --help`` subcommands) does not import
    the plugin's heavy modules.

    Parameters
    ----------
    target : str
        ``"package.module:Name"``: the class or function to import.
    **attributes
        Attributes the target has, answered without importing: a shift's ``kind``,
        ``changes_train``, ``changes_inputs`` and ``default_severities``; a task's
        ``kind`` and ``has_oracle``; a metric's ``higher_is_better`` and ``needs``;
        an explainer's ``needs``; an intervention's ``stage``. The registry checks
        the declared ``kind`` / ``stage`` when registering, and each declared value
        is compared with the target's own when it loads.

    Returns
    -------
    LazyFactory
        A callable that stands for the target.

    Examples
    --------
    >>> from regshift_bench.api import lazy
    >>> shift = lazy("my_plugin.shifts:Drift", kind="covariate", changes_inputs=True)
    >>> shift.kind  # declared: nothing is imported
    'covariate'
    """
    return LazyFactory(target, attributes)


def declared(obj: Any, name: str, default: Any = None) -> Any:
    """``obj``'s attribute ``name`` without importing anything.

    For a :class:`LazyFactory`, the value declared to :func:`lazy` (``default``
    when undeclared, even if the target has it); for anything else, ``getattr``.
    """
    if isinstance(obj, LazyFactory):
        return obj._lazy_declared.get(name, default)
    return getattr(obj, name, default)


def resolve(obj: Any) -> Any:
    """The target of a :class:`LazyFactory`, imported now if needed; anything else as is.

    Raises
    ------
    RegistryError
        When the target cannot be imported, or an attribute declared to
        :func:`lazy` differs from the target's own.
    """
    return obj._lazy_resolve() if isinstance(obj, LazyFactory) else obj


def target_of(obj: Any) -> str | None:
    """The ``"module:Name"`` of a :class:`LazyFactory`; None for anything else."""
    return obj._lazy_target if isinstance(obj, LazyFactory) else None


def is_loaded(obj: Any) -> bool:
    """Whether ``obj`` is usable without an import: True unless an unloaded :class:`LazyFactory`."""
    return not isinstance(obj, LazyFactory) or obj._lazy_real is not _MISSING
