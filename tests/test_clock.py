"""The virtual clocks the conformance kit times a fit by."""

from __future__ import annotations

import threading
import time

import torch

from regshift_bench.testing.clock import ThreadCpuClock, single_torch_thread


def _burn(seconds: float) -> None:
    """Busy-loop for ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_thread_clock_counts_this_thread_and_sleep_not_other_threads():
    stop = threading.Event()
    other = threading.Thread(target=lambda: [_burn(0.01) for _ in iter(stop.is_set, True)], daemon=True)
    other.start()  # a leftover thread busy beside the fit
    try:
        with ThreadCpuClock() as clock:
            _burn(0.3)
            time.sleep(2.0)  # the model's sleep passes in virtual time only
            took = clock.elapsed
    finally:
        stop.set()
        other.join()
    assert 2.3 <= took < 2.6, took
    assert time.perf_counter() > 0 and time.sleep is not clock._sleep  # the real clocks are back


def test_single_torch_thread_sets_one_and_restores():
    before = torch.get_num_threads()
    with single_torch_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
