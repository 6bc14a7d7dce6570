"""Shifts of rsbench_mpra on a synthetic grouped table: no leaks, GC tails, caps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import get_plugin
from regshift_bench.api import SplitSizes
from regshift_bench.testing import ToyTask, check_shift
from rsbench_mpra import shifts as mpra_shifts
from rsbench_mpra.shifts import by_class, tail_quantile


@pytest.fixture
def grouped_task(tmp_path: Path):
    """300 rows in 100 groups of 3; GC varies between groups, classes and 2 domains."""
    rng = np.random.default_rng(0)
    rows = []
    for g in range(100):
        p_gc = rng.uniform(0.2, 0.8)
        cls = "promoter" if g % 4 == 0 else "enhancer_candidate"
        for k in range(3):
            probs = [(1 - p_gc) / 2, p_gc / 2, p_gc / 2, (1 - p_gc) / 2]
            seq = "".join(rng.choice(list("ACGT"), 40, p=probs))
            k562 = np.nan if (g % 5 == 0) else rng.normal()
            rows.append((seq, rng.normal(), f"g{g}", cls, k562))
    frame = pd.DataFrame(rows, columns=["seq", "y", "grp", "cls", "k562"])
    frame.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    return get_plugin(
        "task",
        "table",
        path=str(tmp_path / "t.tsv"),
        sequence_column="seq",
        activity_column="y",
        group_column="grp",
        class_column="cls",
        domain_columns={"K562": "k562"},
        source_domain="HepG2",
    )


def _groups(data) -> set:
    return set(data.meta["grp"])


@pytest.mark.parametrize("shift", ["random", "gc_extremes", "element_class", "cell_type"])
def test_groups_never_leak(grouped_task, shift: str) -> None:
    splits = get_plugin("shift", shift, severity=1.0).split(grouped_task, np.random.default_rng(3), SplitSizes())
    parts = {"train": splits.train, **splits.evaluation_sets()}
    # Per-class OOD sets (``<set>/<class>``) are subsets of their parent set, not new sets.
    parts = {k: v for k, v in parts.items() if k.count("/") < 2}
    if shift == "cell_type":  # test_id and test_ood are the same sequences by design
        parts = {k: v for k, v in parts.items() if not k.startswith("test_ood")}
    names = list(parts)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = _groups(parts[a]) & _groups(parts[b])
            assert not shared, f"{shift}: groups {sorted(shared)[:3]} in {a} and {b}"


def test_gc_extremes_ood_sets_are_in_the_tails(grouped_task) -> None:
    for severity in (0.0, 1.0):
        q = tail_quantile(severity)
        splits = get_plugin("shift", "gc_extremes", severity=severity).split(
            grouped_task, np.random.default_rng(0), SplitSizes()
        )
        data = grouped_task.load()
        group_gc = pd.Series(data.gc()).groupby(data.meta["grp"]).mean()
        lo, hi = np.quantile(group_gc, [q, 1 - q])
        low = group_gc[list(_groups(splits.test_ood["low_gc"]))]
        high = group_gc[list(_groups(splits.test_ood["high_gc"]))]
        mid = group_gc[list(_groups(splits.train) | _groups(splits.val) | _groups(splits.test_id))]
        assert len(low) == len(high) == round(q * 100)
        assert (low <= lo).all() and (high >= hi).all()
        assert low.max() <= mid.min() and high.min() >= mid.max()
    assert tail_quantile(1.0) < tail_quantile(0.5) < tail_quantile(0.0)


def test_gc_extremes_on_a_generative_task_and_caps() -> None:
    sizes = SplitSizes(50, 20, 30)
    splits = get_plugin("shift", "gc_extremes", severity=1.0).split(ToyTask(), np.random.default_rng(0), sizes)
    assert (len(splits.train), len(splits.val), len(splits.test_id)) == (50, 20, 30)
    low, high = splits.test_ood["low_gc"], splits.test_ood["high_gc"]
    assert len(low) == len(high) == 30
    # ToyTask rows come in pairs (one group) and tails are ranked on group-mean GC, so
    # single rows may overlap; the sets' GC distributions must still be far apart.
    assert np.median(low.gc()) < np.quantile(splits.train.gc(), 0.1)
    assert np.median(high.gc()) > np.quantile(splits.train.gc(), 0.9)
    assert low.gc().mean() + 0.05 < splits.test_id.gc().mean() < high.gc().mean() - 0.05


def test_cell_type_tests_other_domain_on_measured_rows(grouped_task, monkeypatch) -> None:
    # The toy table's test set holds 60 rows; per-class subsets at its scale.
    monkeypatch.setattr(mpra_shifts, "MIN_CLASS_ROWS", 20)
    splits = get_plugin("shift", "cell_type").split(grouped_task, np.random.default_rng(0), SplitSizes())
    assert isinstance(splits.test_ood, dict)  # the table has element classes
    ood = splits.test_ood["K562"]
    assert np.isfinite(ood.y).all()
    np.testing.assert_array_equal(splits.test_id.seqs, ood.seqs)
    assert set(ood.meta["cell_type"]) == {"K562"}
    for name, part in splits.test_ood.items():
        if name != "K562":  # per-class subsets: one class each, rows of the whole set
            cls = name.split("/", 1)[1]
            assert set(part.meta["element_class"]) == {cls} and len(part) >= mpra_shifts.MIN_CLASS_ROWS
            assert (ood.meta["element_class"] == cls).sum() == len(part)
    assert set(splits.test_id.meta["cell_type"]) == {"HepG2"}
    assert len(_groups(splits.test_id)) == 20  # 20 % of 100 groups


def test_gc_extremes_reports_each_element_class(grouped_task, monkeypatch) -> None:
    monkeypatch.setattr(mpra_shifts, "MIN_CLASS_ROWS", 20)  # the toy table's scale
    splits = get_plugin("shift", "gc_extremes", severity=0.0).split(
        grouped_task, np.random.default_rng(0), SplitSizes()
    )
    for name, part in splits.test_ood.items():
        if "/" in name:
            parent, cls = name.split("/")
            assert set(part.meta["element_class"]) == {cls}
            assert set(part.meta["grp"]) <= set(splits.test_ood[parent].meta["grp"])
    data = grouped_task.load()
    sets = by_class({"all": data})
    counts = data.meta["element_class"].value_counts()
    assert set(sets) == {"all", *(f"all/{c}" for c in counts.index if counts[c] >= mpra_shifts.MIN_CLASS_ROWS)}
    assert sum(len(v) for k, v in sets.items() if k != "all") == len(data)
    one = data.subset(np.flatnonzero(data.meta["element_class"].to_numpy() == "promoter"))
    assert set(by_class({"p": one})) == {"p"}  # one class: nothing added


def test_shift_kinds() -> None:
    kinds = {
        n: get_plugin("shift", n).kind
        for n in ("random", "gc_extremes", "element_class", "cell_type", "random_to_native")
    }
    assert kinds == {
        "random": "selection",
        "gc_extremes": "selection",
        "element_class": "selection",
        "cell_type": "mechanism",
        "random_to_native": "covariate",
    }


def test_element_class_trains_on_enhancers_tests_on_promoters(grouped_task) -> None:
    shift = get_plugin("shift", "element_class")
    assert shift.applies_to(grouped_task)
    splits = shift.split(grouped_task, np.random.default_rng(0), SplitSizes(40, 10, 10))
    assert set(splits.train.meta["element_class"]) == {"enhancer_candidate"}
    assert set(splits.test_ood.meta["element_class"]) == {"promoter"}
    assert (len(splits.train), len(splits.val), len(splits.test_id), len(splits.test_ood)) == (40, 10, 10, 10)
    assert not shift.applies_to(ToyTask())


@pytest.mark.parametrize("shift", ["random", "gc_extremes", "element_class", "cell_type"])
def test_conformance_on_the_grouped_table(grouped_task, shift: str) -> None:
    check_shift(shift, task=grouped_task).raise_if_failed()


@pytest.mark.parametrize("shift", ["gc_extremes", "cell_type"])
def test_conformance_on_toy_tasks(shift: str) -> None:
    check_shift(shift).raise_if_failed()


def test_cell_type_source_label_reference(grouped_task) -> None:
    splits = get_plugin("shift", "cell_type").split(grouped_task, np.random.default_rng(0), SplitSizes())
    assert "source_label" in grouped_task.reference_names
    for name, data in splits.evaluation_sets().items():
        refs = grouped_task.reference_predictions(name, data, splits)
        if not name.startswith("test_ood"):
            assert refs == {}  # source-domain rows: the label itself, no reference
            continue
        ref = refs["source_label"]
        if name == "test_ood/K562":  # row for row the same sequences as test_id
            np.testing.assert_allclose(ref.mean, splits.test_id.y)
        assert len(ref.mean) == len(data) and (ref.var > 0).all()
        np.testing.assert_allclose(ref.var, np.mean((ref.mean - data.y) ** 2))


def test_table_task_passes_organism_and_cell_type_to_priors(grouped_task, tmp_path) -> None:
    assert grouped_task.load().info.get("cell_type") == "HepG2"
    task = get_plugin(
        "task", "table", path=grouped_task.path, sequence_column="seq", activity_column="y", organism="yeast"
    )
    assert task.load().info["organism"] == "yeast" and "cell_type" not in task.load().info
