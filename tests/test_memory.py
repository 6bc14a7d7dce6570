"""Keeping freed memory in the process: accepted by glibc, a no-op elsewhere."""

from __future__ import annotations

import platform
import sys

import pytest

from regshift_bench import memory


@pytest.fixture(autouse=True)
def fresh_cache():
    memory.retain_freed_memory.cache_clear()
    yield
    memory.retain_freed_memory.cache_clear()


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="needs Linux with glibc"
)
def test_glibc_accepts_both_thresholds():
    assert memory.retain_freed_memory() is True


def test_other_platforms_are_left_alone(monkeypatch):
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.retain_freed_memory() is False


def test_a_library_without_mallopt_is_left_alone(monkeypatch):
    class NoMallopt:
        def __init__(self, name):
            pass

    monkeypatch.setattr(memory.sys, "platform", "linux")
    monkeypatch.setattr(memory.ctypes, "CDLL", NoMallopt)
    assert memory.retain_freed_memory() is False


def test_run_group_sets_it_for_its_process(monkeypatch, tmp_path):
    from regshift_bench import runner

    calls = []
    monkeypatch.setattr(memory, "retain_freed_memory", lambda: calls.append(1) or True)
    runner.run_group([], str(tmp_path), "smoke", "cpu")
    assert calls == [1]
