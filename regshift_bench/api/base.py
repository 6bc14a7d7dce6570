"""Shared machinery of the plugin base classes: sklearn-style parameters."""

from __future__ import annotations

import inspect
import json
from typing import Any, ClassVar


class Configurable:
    """Explicit keyword parameters stored unchanged; no work in ``__init__``.

    ``get_params()`` reads back the constructor's keyword arguments (sklearn's
    convention), so every plugin instance can be described as canonical JSON in
    the results and hashed for the model cache.
    """

    name: ClassVar[str] = ""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters as stored on the instance."""
        return {k: getattr(self, k) for k in self._param_names() if hasattr(self, k)}

    def params_json(self) -> str:
        """Canonical JSON of :meth:`get_params` (sorted keys, reprs for odd values)."""
        return json.dumps(self.get_params(), sort_keys=True, default=_jsonable)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Configurable):
        return {"plugin": value.name or type(value).__name__, "params": value.get_params()}
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return repr(value)
