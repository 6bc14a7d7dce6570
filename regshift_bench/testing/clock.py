"""Clocks a fit can be timed by without measuring the machine's load.

A model reads ``time.perf_counter()`` (or ``monotonic``/``time``) to honour
``Budget.max_seconds``. Timed by the wall clock, a check of that behaviour fails
whenever other processes share the CPU. Inside these context managers the
``time`` module's clocks (and ``time.sleep``) are replaced process-wide:

* :class:`ThreadCpuClock` — virtual seconds are the calling thread's CPU seconds
  plus the seconds slept. Neither other processes' load nor other threads of this
  one (a test session's leftovers, a spinning pool) stretch them, so "stopped within
  N virtual seconds" tests the model, not the machine; pair it with
  :func:`single_torch_thread` so that torch's own work runs on that thread.
* :class:`SteppingClock` — every read advances by a fixed step: fully
  deterministic, for tests that want a budget to run out at a known read.

Models that bound ``from time import perf_counter`` before the block keep the real
clock; under load that only makes them stop sooner in virtual seconds.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

_PATCHED = ("perf_counter", "monotonic", "time", "sleep")


class _VirtualClock:
    """Replaces the ``time`` module's clocks with :meth:`now` while active."""

    def __init__(self) -> None:
        self._saved: dict[str, Any] = {}
        self.slept = 0.0
        self.reads = 0
        self._wall0 = 0.0

    def now(self) -> float:
        """Virtual seconds since the block started."""
        raise NotImplementedError

    def _read(self) -> float:
        self.reads += 1
        return self.now()

    def _sleep(self, seconds: float) -> None:
        self.slept += max(0.0, float(seconds))  # time passes for the model, not for us

    def __enter__(self) -> _VirtualClock:
        self._saved = {name: getattr(time, name) for name in _PATCHED}
        self._wall0 = self._saved["time"]()
        self.start()
        time.perf_counter = time.monotonic = self._read  # type: ignore[assignment]
        time.time = lambda: self._wall0 + self._read()  # type: ignore[assignment]
        time.sleep = self._sleep  # type: ignore[assignment]
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for name, fn in self._saved.items():
            setattr(time, name, fn)

    def start(self) -> None:
        """Set the block's time zero."""

    @property
    def elapsed(self) -> float:
        """Virtual seconds that passed in the block (read without advancing it)."""
        return self.now()


class ThreadCpuClock(_VirtualClock):
    """Virtual time = CPU seconds of the calling thread + seconds slept."""

    def start(self) -> None:
        self._cpu0 = time.thread_time()

    def now(self) -> float:
        return time.thread_time() - self._cpu0 + self.slept


@contextlib.contextmanager
def single_torch_thread() -> Iterator[None]:
    """Run torch's operators on the calling thread inside the block (if torch is loaded).

    Its intra-op pool would otherwise do the work on threads a
    :class:`ThreadCpuClock` does not count, and spin on a busy machine.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class SteppingClock(_VirtualClock):
    """Virtual time = ``step`` seconds per read of the clock (plus seconds slept).

    Parameters
    ----------
    step : float
        Seconds added by each read; with a step above a budget's ``max_seconds``
        the budget is spent at the second read (the first marks the start).
    """

    def __init__(self, step: float) -> None:
        super().__init__()
        self.step = step

    def now(self) -> float:
        return self.reads * self.step + self.slept

    @property
    def elapsed(self) -> float:
        return self.now()
