"""Model parameters checked at plan time: known names and values of the right type.

``--model 'cnn(channels=abc)'`` or a task file's ``models = ["cnn(lr=fast)"]`` is
refused in one line before any cell runs, instead of failing every cell later.
The expected type comes from the factory's annotation when it can be resolved,
else from its default value; a parameter with neither is not checked.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from regshift_bench.errors import RegshiftError
from regshift_bench.names import did_you_mean

_UNCHECKED = object()  # a parameter whose type cannot be told


def check_model_params(spec: Any, where: str) -> None:
    """Refuse an unknown parameter name or a value of the wrong type for ``spec``.

    Parameters
    ----------
    spec : regshift_bench.tasks.ModelSpec
        The parsed reference (``name``, ``params`` as (key, value) pairs, ``label``).
    where : str
        Where the reference came from (``--model``, ``FILE: presets.quick.models``).

    Raises
    ------
    RegshiftError
        Naming the parameter, what it got, what it expects and the fix.
    """
    if not spec.params:
        return
    from regshift_bench import plugins

    factory = plugins.current().registry.get("model", spec.name).factory
    if not callable(factory):  # a model factory is always callable (registry rule)
        return
    expected = parameter_types(factory)
    if expected is None:
        return  # takes **kwargs: the model itself rejects bad keys
    for key, value in spec.params:
        if key not in expected:
            raise RegshiftError(
                f"{where} {spec.label!r}: model {spec.name!r} has no parameter {key!r}"
                f"{did_you_mean(key, expected, n=1, cutoff=0.6)} (its parameters: "
                f"{', '.join(expected)})"
            )
        want = expected[key]
        if want is not _UNCHECKED and not _matches(value, want):
            raise RegshiftError(
                f"{where} {spec.label!r}: parameter {key!r} of model {spec.name!r} expects "
                f"{_describe(want)}, got {value!r} ({type(value).__name__}); write e.g. "
                f"{key}={_example(want)}"
            )


def parameter_types(factory: Callable[..., Any]) -> dict[str, Any] | None:
    """Parameter name -> expected type (or an unchecked marker) of ``factory``.

    Returns
    -------
    dict or None
        In signature order; None when the factory takes ``**kwargs`` (names unknown).
    """
    target = factory.__init__ if isinstance(factory, type) else factory  # type: ignore[misc]
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return None
    params = [p for p in sig.parameters.values() if p.name != "self"]
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # an annotation naming something not importable at run time
        hints = {}
    out: dict[str, Any] = {}
    for p in params:
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            continue
        if p.name in hints:
            out[p.name] = hints[p.name]
        elif p.default is not p.empty and p.default is not None:
            out[p.name] = type(p.default)
        else:
            out[p.name] = _UNCHECKED
    return out


def _matches(value: Any, want: Any) -> bool:
    """Whether ``value`` (a parsed literal) fits the annotation ``want``."""
    if want is Any or want is _UNCHECKED:
        return True
    if want is type(None) or want is None:
        return value is None
    origin = typing.get_origin(want)
    if origin is typing.Union or origin is types.UnionType:
        return any(_matches(value, arg) for arg in typing.get_args(want))
    if origin is typing.Literal:
        return value in typing.get_args(want)
    if origin in (list, tuple, set, frozenset, typing.Sequence) or want in (list, tuple):
        return isinstance(value, (list, tuple))
    if origin is not None:
        want = origin
    if want is bool:
        return isinstance(value, bool)
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if want is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if want is str:
        return isinstance(value, str)
    if isinstance(want, type):
        # A plugin object (e.g. a Prior) cannot be written as a literal: a name is
        # looked up by the model itself, so only literals of another kind are refused.
        return isinstance(value, (want, str)) or not isinstance(value, (int, float, bool))
    return True


def _describe(want: Any) -> str:
    if typing.get_origin(want) in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(want))
    if want is type(None):
        return "None"
    return getattr(want, "__name__", str(want))


def _example(want: Any) -> str:
    args = typing.get_args(want) if typing.get_origin(want) in (typing.Union, types.UnionType) else (want,)
    for arg in args:
        if arg in _EXAMPLES:
            return _EXAMPLES[arg]
    return "..."


_EXAMPLES: dict[Any, str] = {int: "32", float: "0.1", bool: "true", str: '"name"'}
