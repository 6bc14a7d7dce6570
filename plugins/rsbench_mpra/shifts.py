"""Selection shifts on a task's own pool: ``random``, ``gc_extremes``, ``element_class``.

All are group-aware: rows sharing a value of ``task.group_column`` (lentiMPRA
orientations, overlapping Sharpr tiles) always land in one split, and every split
is a random subsample capped at :class:`SplitSizes`. All are ``selection`` shifts:
they choose subsets of one fixed pool.

Per element class: where the pool has ``meta["element_class"]`` with two or more
classes (lentiMPRA: enhancer_candidate, promoter, unknown), ``gc_extremes`` also
returns each OOD set split by class, as named sets ``<set>/<class>`` (results split
``test_ood/high_gc/promoter``), for classes with at least :data:`MIN_CLASS_ROWS`
rows, because GC tails and element classes are confounded (the HepG2 high-GC tail
is ~70 % promoters against ~10 % in training). A smaller class stays merged into
its whole set (scored there only), and the split's description names it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from regshift_bench.api import (
    SeqDataset,
    Shift,
    Splits,
    SplitSizes,
    Task,
    cap,
    group_labels,
    group_split,
    source_splits,
)
from regshift_bench.errors import RegshiftError

SOURCE_FRACTIONS = (0.7, 0.1, 0.2)
#: Smallest class subset reported as its own OOD set: below it a metric's sampling
#: error (an r's standard error ~ 1/sqrt(n - 3), 0.18 at n = 33) swamps the shift's
#: effect, so the rows are scored only within their whole set.
MIN_CLASS_ROWS = 100


def _class_rows(sets: dict[str, SeqDataset]) -> dict[str, np.ndarray]:
    """Rows of ``<name>/<class>`` per set with two or more element classes, all sizes."""
    out: dict[str, np.ndarray] = {}
    for name, data in sets.items():
        if "element_class" not in data.meta.columns:
            continue
        cls = data.meta["element_class"].astype(str).to_numpy()
        present = sorted(set(cls))
        if len(present) < 2:
            continue
        for c in present:
            out[f"{name}/{c}"] = np.flatnonzero(cls == c)
    return out


def by_class(sets: dict[str, SeqDataset]) -> dict[str, SeqDataset]:
    """``sets`` plus ``<name>/<class>`` subsets by ``meta["element_class"]``.

    Only when a set has two or more classes; classes with fewer than
    :data:`MIN_CLASS_ROWS` rows stay merged into their set (no subset of their own,
    see :func:`merged_classes`). Row order is kept.
    """
    out = dict(sets)
    for key, rows in _class_rows(sets).items():
        if len(rows) >= MIN_CLASS_ROWS:
            out[key] = sets[key.split("/", 1)[0]].subset(rows)
    return out


def merged_classes(sets: dict[str, SeqDataset]) -> str:
    """A note naming the classes :func:`by_class` kept inside their set, with their n.

    Returns
    -------
    str
        E.g. ``"; merged into their set (n < 100): low_gc/promoter (n=20)"``, or ""
        when every class has its own subset.
    """
    small = [f"{key} (n={len(rows)})" for key, rows in _class_rows(sets).items() if len(rows) < MIN_CLASS_ROWS]
    if not small:
        return ""
    return f"; merged into their set (n < {MIN_CLASS_ROWS}): {', '.join(small)}"


def group_codes(data: SeqDataset, group_column: str | None) -> np.ndarray:
    """Integer group code per row (n,); long string keys (pair_key) made cheap to compare."""
    return pd.factorize(group_labels(data, group_column))[0].astype(np.int64)


class RandomSplit(Shift):
    """Grouped random split: ``test_ood`` is a second held-out set from the same pool.

    Train and validation data are the source parts every unchanged-training shift
    uses; the source test part is divided by whole groups into two halves,
    ``test_id`` and ``test_ood``. There is no shift by construction, so the gap
    between the two measures sampling noise — the floor against which the other
    shifts' gaps are read. Severity has no effect. Fixed tasks only.
    """

    kind = "selection"
    changes_train = False
    changes_inputs = False  # a second held-out set of the same pool
    default_severities = (0.0,)

    def applies_to(self, task: Task) -> bool:
        return task.kind == "fixed"

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        src = source_splits(task, rng, sizes)
        groups = group_codes(src.test_id, task.group_column)
        first, second = group_split(groups, (0.5, 0.5), src.ood_rng)
        return Splits(
            src.train,
            src.val,
            src.test_id.subset(first),
            src.test_id.subset(second),
            False,
            "random grouped split: test_id and test_ood are two held-out halves of the same pool (no shift)",
        )


def tail_quantile(severity: float) -> float:
    """GC tail quantile q for a severity in [0, 1]: ``q = 0.25 - 0.20 * severity``.

    Severity 0 puts the OOD sets in the outer quartiles (a mild shift), severity 1 in
    the outer 5 % on each side (the most extreme GC contents).
    """
    return 0.25 - 0.20 * float(np.clip(severity, 0.0, 1.0))


def _gc_tails(
    data: SeqDataset, group_column: str | None, q: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(group code per row (n,), tail of each row (n,): -1 low, 0 middle, +1 high).

    Groups are ranked by the mean GC of their rows (ties broken at random, so
    discrete GC values of short sequences still give tails of the requested size);
    the lowest ``round(q * G)`` groups form the low tail, the highest the high tail.
    """
    groups = group_codes(data, group_column)
    means = np.bincount(groups, weights=data.gc()) / np.bincount(groups)
    order = np.lexsort((rng.random(len(means)), means))
    n_tail = int(round(q * len(means)))
    tail = np.zeros(len(means), dtype=np.int64)
    tail[order[:n_tail]] = -1
    tail[order[len(means) - n_tail :]] = 1
    return groups, tail[groups]


class GCExtremes(Shift):
    """Train on mid-GC sequences, test on both GC tails (``low_gc``, ``high_gc``).

    The pool is ``task.pool(rng, n)``: a fixed task's whole dataset, or for a
    generative task ``n`` fresh source draws with n large enough that each tail
    holds a test set and the middle holds train + val + test. Groups are ranked by
    the mean GC of their rows; the lowest fraction q of groups forms ``low_gc``, the
    highest fraction q ``high_gc``, and the middle groups are split 70/10/20 into
    train / val / test_id. q = 0.25 - 0.20 * severity (see :func:`tail_quantile`).
    Training data is the middle only, so ``changes_train`` is True.
    """

    kind = "selection"
    changes_train = True
    changes_inputs = True  # the GC tails
    default_severities = (0.5, 1.0)

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        q = tail_quantile(self.severity)
        r_pool, r_split, r_train, r_val, r_test, r_ood = rng.spawn(6)
        n = None
        if task.kind == "generative":
            if sizes.train is None or sizes.val is None or sizes.test is None:
                raise RegshiftError(f"gc_extremes on generative task {task.name!r}: every split size must be set")
            middle = (sizes.train + sizes.val + sizes.test) / (1.0 - 2.0 * q)
            n = int(math.ceil(max(middle, sizes.test / q) * 1.05))
        pool = task.pool(r_pool, n)
        groups, tail = _gc_tails(pool, task.group_column, q, r_split)
        low_rows, high_rows = np.flatnonzero(tail < 0), np.flatnonzero(tail > 0)
        mid_rows = np.flatnonzero(tail == 0)
        gc = pool.gc()
        lo, hi = gc[mid_rows].min(), gc[mid_rows].max()
        parts = group_split(groups[mid_rows], SOURCE_FRACTIONS, r_split)
        tr, va, te = (mid_rows[p] for p in parts)
        r_low, r_high = r_ood.spawn(2)
        tails = {
            "low_gc": pool.subset(cap(low_rows, sizes.test, r_low)),
            "high_gc": pool.subset(cap(high_rows, sizes.test, r_high)),
        }
        return Splits(
            pool.subset(cap(tr, sizes.train, r_train)),
            pool.subset(cap(va, sizes.val, r_val)),
            pool.subset(cap(te, sizes.test, r_test)),
            by_class(tails),
            True,
            f"train on GC in [{lo:.3f}, {hi:.3f}] (middle {1 - 2 * q:.0%} of groups); "
            f"test_ood on the lower and upper {q:.0%} GC tails{merged_classes(tails)}",
        )


class ElementClass(Shift):
    """Train on one element class (enhancer candidates), test on another (promoters).

    Uses ``meta["element_class"]`` of a fixed task (lentiMPRA, or a table task with
    ``class_column``). Groups containing a row of ``train_class`` are split 70/10/20
    into train / val / test_id; rows of ``test_class`` in other groups form
    ``test_ood``. Rows of other classes (``unknown``) are not used. Severity has no
    effect.
    """

    kind = "selection"
    changes_train = True
    changes_inputs = True  # another element class
    default_severities = (1.0,)

    def __init__(
        self, severity: float = 1.0, train_class: str = "enhancer_candidate", test_class: str = "promoter"
    ) -> None:
        self.severity = severity
        self.train_class = train_class
        self.test_class = test_class

    def applies_to(self, task: Task) -> bool:
        if task.kind != "fixed":
            return False
        try:
            classes = task.load().meta.get("element_class")
        except RegshiftError:
            return False
        if classes is None:
            return False
        present = set(classes.unique())
        return self.train_class in present and self.test_class in present

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        r_split, r_train, r_val, r_test, r_ood = rng.spawn(5)
        data = task.load()
        if "element_class" not in data.meta.columns:
            raise RegshiftError(
                f"element_class: task {task.name!r} has no element_class column; set class_column in its task file"
            )
        groups = group_codes(data, task.group_column)
        cls = data.meta["element_class"].to_numpy()
        train_groups = np.unique(groups[cls == self.train_class])
        in_train = np.isin(groups, train_groups)
        src_rows = np.flatnonzero(in_train & (cls == self.train_class))
        ood_rows = np.flatnonzero(~in_train & (cls == self.test_class))
        parts = group_split(groups[src_rows], SOURCE_FRACTIONS, r_split)
        tr, va, te = (src_rows[p] for p in parts)
        return Splits(
            data.subset(cap(tr, sizes.train, r_train)),
            data.subset(cap(va, sizes.val, r_val)),
            data.subset(cap(te, sizes.test, r_test)),
            data.subset(cap(ood_rows, sizes.test, r_ood)),
            True,
            f"train on {self.train_class} elements, test_ood on {self.test_class} elements",
        )
