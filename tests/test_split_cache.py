"""Splits drawn once per run directory and read back by every model and intervention."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pyarrow.parquet as pq

import regshift_bench
from regshift_bench import plan as planning
from regshift_bench import plugins, split_cache, tasks
from regshift_bench.plugins import get_plugin
from regshift_bench.runner import split_rng


def _cell_and_parts(shift: str = "gc_shift"):
    plugins.configure(())
    suite = tasks.find_suite("sim")
    cell = next(c for c in planning.expand([suite], "smoke", models=["mean"], shifts=[shift]).cells if c.shift == shift)
    task = get_plugin("task", cell.task_name, **dict(cell.task_params))
    sh = get_plugin("shift", cell.shift, severity=cell.severity, **dict(cell.shift_params))
    return cell, task, sh


def test_splits_are_drawn_once_and_read_back_identical(tmp_path):
    cell, task, shift = _cell_and_parts()
    draws = []

    def draw():
        draws.append(1)
        return shift.split(task, split_rng(cell), cell.sizes)

    first = split_cache.cached_splits(tmp_path, cell, task, shift, "abc", draw)
    again = split_cache.cached_splits(tmp_path, cell, task, shift, "abc", draw)
    assert len(draws) == 1
    assert again.train.fingerprint() == first.train.fingerprint()
    assert again.test_ood.fingerprint() == first.test_ood.fingerprint()
    # Another commit draws again: an older simulator's splits are never read.
    split_cache.cached_splits(tmp_path, cell, task, shift, "def", draw)
    assert len(draws) == 2


def test_a_corrupt_file_is_drawn_again_and_unpicklable_splits_are_not_cached(tmp_path, monkeypatch):
    cell, task, shift = _cell_and_parts()
    path = tmp_path / "splits" / f"{split_cache.split_key(cell, shift, '')}.pkl"
    path.parent.mkdir()
    path.write_bytes(b"not a pickle")
    draws = []

    def draw():
        draws.append(1)
        return shift.split(task, split_rng(cell), cell.sizes)

    split_cache.cached_splits(tmp_path, cell, task, shift, "", draw)
    assert len(draws) == 1 and pickle.loads(path.read_bytes()).train is not None

    def refuse(*args, **kwargs):
        raise pickle.PicklingError("a plugin's own object")

    monkeypatch.setattr(split_cache.pickle, "dump", refuse)
    other, task2, shift2 = _cell_and_parts("noise_inflation")
    got = split_cache.cached_splits(
        tmp_path, other, task2, shift2, "", lambda: shift2.split(task2, split_rng(other), other.sizes)
    )
    assert got.test_ood is not None
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # nothing half-written


def test_every_model_of_a_run_sees_the_same_splits(tmp_path):
    out = tmp_path / "r"
    regshift_bench.run(tasks=["sim"], preset="smoke", models=["mean", "gc_linear"], shifts=["gc_shift"], out=str(out))
    # one file per (shift setting, seed): none and gc_shift, one seed
    assert len(list((out / "splits").glob("*.pkl"))) == 2
    digests = {}
    for path in (out / "predictions").glob("*.parquet"):
        if path.name.endswith(".references.parquet"):
            continue
        meta = json.loads(pq.read_schema(path).metadata[b"rsbench"])
        digests.setdefault(meta["shift"], set()).add(json.dumps(meta["split_digests"], sort_keys=True))
    assert set(digests) == {"none", "gc_shift"}
    assert all(len(d) == 1 for d in digests.values())  # both models: the same examples
    results = pd.read_parquet(out / "results.parquet")
    assert (results["status"] != "failed").all()
