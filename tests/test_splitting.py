"""Source splits: grouping, and the memo that must be indistinguishable from a redraw."""

from __future__ import annotations

import numpy as np

from regshift_bench.api import SplitSizes, group_split, source_splits, splitting
from regshift_bench.testing import ToyTableTask, ToyTask

SIZES = SplitSizes(40, 10, 20)


def test_group_split_keeps_groups_whole():
    groups = np.repeat(np.arange(50), 3)
    parts = group_split(groups, (0.7, 0.1, 0.2), np.random.default_rng(0))
    seen = [set(groups[p]) for p in parts]
    assert sum(len(p) for p in parts) == len(groups)
    assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
    assert [len(s) for s in seen] == [35, 5, 10]


def test_memoised_source_splits_equal_a_fresh_draw():
    for task in (ToyTask(), ToyTableTask()):
        splitting._CACHE.clear()
        first = source_splits(task, np.random.default_rng(3), SIZES)
        ood_first = first.ood_rng.normal(size=5)
        again = source_splits(task, np.random.default_rng(3), SIZES)  # served from the memo
        assert len(splitting._CACHE) == 1
        for a, b in ((first.train, again.train), (first.val, again.val), (first.test_id, again.test_id)):
            np.testing.assert_array_equal(a.seqs, b.seqs)
            np.testing.assert_array_equal(a.y, b.y)
        np.testing.assert_array_equal(again.ood_rng.normal(size=5), ood_first)
        other = source_splits(task, np.random.default_rng(4), SIZES)
        assert other.train.fingerprint() != first.train.fingerprint()
