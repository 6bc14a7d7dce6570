"""Bit-for-bit reproducibility: the same plan and seeds at the same thread count give
identical result and prediction files whatever the executor, worker count or group order.

The cells are the smoke sizes of the sim suite with ``cnn`` (dropout, MC-dropout
prediction) and ``kmer_ridge`` (numpy BLAS), a shift and the explainers.
``os.cpu_count`` is raised to 4 so that a pool's default share of the cores (2 per
worker) differs from the thread count pinned by ``OMP_NUM_THREADS``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import plugins, provenance, results, tasks
from regshift_bench.api import SplitSizes
from regshift_bench.execute import run_plan
from regshift_bench.plan import Plan, expand
from regshift_bench.results import computed_values

ROOT = Path(__file__).parent.parent


@functools.lru_cache(maxsize=1)
def _smoke() -> Plan:
    plugins.configure(())
    return expand(
        [tasks.load_suite(ROOT / "tasks" / "sim.toml")], "smoke", models=["cnn", "kmer_ridge"], shifts=["gc_shift"]
    )


def _plan(reverse: bool = False) -> Plan:
    """The cells in plan order, or with the order of their groups reversed."""
    plan = _smoke()
    # Tiny splits; no wall-clock cap (a fit cut short by a busy CPU is not a
    # reproducibility failure).
    cells = [
        dataclasses.replace(
            c,
            sizes=SplitSizes(train=128, val=32, test=48),
            explain_n=8,
            budget=dataclasses.replace(c.budget, max_seconds=None),
        )
        for c in plan.cells
    ]
    groups: dict[tuple[str, str, str, int], list] = {}
    for c in cells:
        groups.setdefault(c.group_key(), []).append(c)
    ordered = list(groups.values())[::-1] if reverse else list(groups.values())
    return dataclasses.replace(plan, cells=tuple(c for g in ordered for c in g))


def _values(run_dir: Path) -> dict[str, pd.DataFrame]:
    """Every result and prediction file of a run, timing columns and rows dropped."""
    out = {}
    for folder in ("cells", "predictions"):
        for path in sorted((run_dir / folder).glob("*.parquet")):
            out[f"{folder}/{path.name}"] = computed_values(pd.read_parquet(path))
    return out


def _differences(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> list[str]:
    """``file column: count`` of every value that is not identical (NaN equals NaN)."""
    assert a.keys() == b.keys()
    diffs = []
    for name, x in a.items():
        y = b[name]
        assert list(x.columns) == list(y.columns) and len(x) == len(y), name
        for col in x.columns:
            u, v = x[col].to_numpy(), y[col].to_numpy()
            if u.dtype.kind == "f" and v.dtype.kind == "f":
                same = (u == v) | (np.isnan(u) & np.isnan(v))
            else:
                same = np.array([str(p) == str(q) for p, q in zip(u, v)], dtype=bool)
            if not same.all():
                diffs.append(f"{name} {col}: {int((~same).sum())} of {len(u)}")
    return diffs


@pytest.fixture()
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """One thread per cell pinned the usual way, on a machine with more cores than workers."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 4)


def test_worker_count_and_group_order_give_identical_files(tmp_path, pinned):
    run_plan(_plan(), tmp_path / "w1", device="cpu", workers=1)
    base = _values(tmp_path / "w1")
    assert sum(len(f) for f in base.values()) > 500  # the comparison covers real numbers
    run_plan(_plan(reverse=True), tmp_path / "w1r", device="cpu", workers=1)
    run_plan(_plan(reverse=True), tmp_path / "w2", device="cpu", workers=2)
    assert _differences(base, _values(tmp_path / "w1r")) == []
    assert _differences(base, _values(tmp_path / "w2")) == []
    for name in ("w1", "w1r", "w2"):
        manifest = results.read_manifest(tmp_path / name)
        assert manifest["sessions"][-1]["torch_threads"] == 1
        commits = {e.get("commit") for e in manifest["cells"].values()}
        assert manifest["provenance"]["commits"] == sorted(c for c in commits if c)


def test_ray_gives_the_pool_s_files(tmp_path, pinned):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'regshift-bench[ray]')")
    if not os.environ.get("RSBENCH_TEST_RAY"):
        pytest.skip("starting Ray takes tens of seconds on a small machine; set RSBENCH_TEST_RAY=1 to run it")
    run_plan(_plan(), tmp_path / "pool", device="cpu", workers=2)
    run_plan(_plan(reverse=True), tmp_path / "ray", device="cpu", executor="ray", workers=2)
    assert _differences(_values(tmp_path / "pool"), _values(tmp_path / "ray")) == []
    assert results.read_manifest(tmp_path / "ray")["sessions"][-1]["torch_threads"] == 1


def test_provenance_lists_every_commit_of_a_resumed_run():
    manifest = {
        "provenance": {"git_commit": "bbb"},
        "cells": {
            "c1": {"status": "ok", "commit": "aaa"},
            "c2": {"status": "ok", "commit": "bbb"},
            "c3": {"status": "ok"},  # before cells recorded it
            "c4": {"status": "failed", "commit": "ccc"},
        },
    }
    assert provenance.cell_commits(manifest) == ["aaa", "bbb"]
    other = {"provenance": {"git_commit": "ddd", "commits": ["ddd", "eee"]}, "cells": {}}
    assert provenance.run_commits([manifest, other]) == ["aaa", "bbb", "ddd", "eee"]
