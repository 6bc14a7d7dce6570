"""Check results and reports for the conformance kit."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from regshift_bench.errors import PluginError


class CheckSkipped(Exception):
    """Raised by a check that does not apply; the message says why and what follows."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one conformance check (a skipped check counts as passed)."""

    check: str
    passed: bool
    detail: str = ""
    seconds: float = 0.0
    skipped: bool = False


@dataclass
class CheckReport:
    """All checks run on one plugin."""

    kind: str
    name: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.results)

    def run(self, check: str, fn: Callable[[], str | None]) -> bool:
        """Run ``fn``; an exception or AssertionError fails the check with its message.

        :class:`CheckSkipped` marks the check skipped (not failed) with its message.
        """
        start = time.perf_counter()
        skipped = False
        try:
            detail = fn() or ""
            passed = True
        except CheckSkipped as exc:
            detail, passed, skipped = str(exc), True, True
        except Exception as exc:  # every failure is reported, none propagates
            detail = f"{type(exc).__name__}: {exc}".strip()
            passed = False
        self.results.append(CheckResult(check, passed, detail, time.perf_counter() - start, skipped))
        return passed and not skipped

    def raise_if_failed(self) -> None:
        """Raise :class:`PluginError` listing the failed checks."""
        failed = [r for r in self.results if not r.passed]
        if failed:
            lines = "; ".join(f"{r.check}: {r.detail}" for r in failed)
            raise PluginError(f"{self.kind} failed {len(failed)} check(s): {lines}", plugin=self.name)


def construct_check(make: Callable[[], Any], base: type[Any], state: dict[str, Any], key: str) -> Callable[[], str]:
    """The ``construct`` check: ``make()`` gives a ``base`` whose ``get_params`` works.

    The instance is kept in ``state[key]`` for the checks that follow; the detail is
    the start of its repr.
    """

    def construct() -> str:
        obj = make()
        assert isinstance(obj, base), f"got {type(obj).__name__}, not a {base.__name__}"
        obj.get_params()
        state[key] = obj
        return repr(obj)[:80]

    return construct
