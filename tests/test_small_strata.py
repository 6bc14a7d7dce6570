"""Per-class OOD subsets under MIN_CLASS_ROWS stay merged into their whole set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset, SplitSizes
from rsbench_mpra.shifts import MIN_CLASS_ROWS, by_class, merged_classes

#: The ``standard`` preset's caps (tasks/mpra.toml).
STANDARD = SplitSizes(train=6000, val=1000, test=500)


def _with_classes(counts: dict[str, int]) -> SeqDataset:
    cls = np.concatenate([[c] * n for c, n in counts.items()])
    rng = np.random.default_rng(0)
    n = len(cls)
    return SeqDataset(
        rng.integers(0, 4, (n, 30), dtype=np.uint8),
        rng.normal(size=n),
        meta=pd.DataFrame({"element_class": rng.permutation(cls)}),
    )


def test_small_classes_are_merged_and_named() -> None:
    assert MIN_CLASS_ROWS == 100
    data = _with_classes({"enhancer_candidate": 150, "promoter": 99, "unknown": 33})
    sets = by_class({"low_gc": data})
    assert set(sets) == {"low_gc", "low_gc/enhancer_candidate"}
    assert len(sets["low_gc"]) == 282  # the merged rows are still scored in the whole set
    part = sets["low_gc/enhancer_candidate"]
    assert len(part) == 150 and set(part.meta["element_class"]) == {"enhancer_candidate"}
    note = merged_classes({"low_gc": data})
    assert note == "; merged into their set (n < 100): low_gc/promoter (n=99), low_gc/unknown (n=33)"
    assert merged_classes({"low_gc": _with_classes({"a": 100, "b": 120})}) == ""


@pytest.mark.parametrize(
    "task, shift, severity",
    [
        ("mpra_hepg2", "gc_extremes", 0.5),  # low_gc/promoter: 20 rows at standard sizes
        ("mpra_wtc11", "gc_extremes", 1.0),  # low_gc/promoter: 34 rows at standard sizes
        ("mpra_wtc11", "cell_type", 1.0),
    ],
)
def test_real_ood_subsets_at_standard_sizes(data_dir, task, shift, severity) -> None:
    splits = get_plugin("shift", shift, severity=severity).split(
        get_plugin("task", task), np.random.default_rng(0), STANDARD
    )
    assert isinstance(splits.test_ood, dict)
    for name, part in splits.test_ood.items():
        if "/" in name:  # <set>/<class>
            assert len(part) >= MIN_CLASS_ROWS, name  # a per-class subset of its own
    for parent in (k for k in splits.test_ood if "/" not in k):
        counts = splits.test_ood[parent].meta["element_class"].astype(str).value_counts()
        for cls, n in counts.items():
            own = f"{parent}/{cls}" in splits.test_ood
            assert own == (n >= MIN_CLASS_ROWS), (parent, cls, n)
            if not own and len(counts) > 1:
                assert f"{parent}/{cls} (n={n})" in splits.description
