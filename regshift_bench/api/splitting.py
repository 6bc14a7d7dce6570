"""Source-domain splitting shared by every shift.

Shifts that leave training data unchanged build their source parts here, so all of
them draw the same ``train`` / ``val`` / ``test_id`` from the same generator and the
runner can reuse one trained model per (task, model, seed).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from regshift_bench.api.dataset import SeqDataset, Splits, SplitSizes
from regshift_bench.api.task import Task
from regshift_bench.errors import TaskFileError

#: Fractions of a fixed dataset's groups that go to train / val / test.
SOURCE_FRACTIONS = (0.7, 0.1, 0.2)


@dataclass(frozen=True)
class SourceSplits:
    """The source-domain parts of a split plus a generator reserved for OOD draws."""

    train: SeqDataset
    val: SeqDataset
    test_id: SeqDataset
    ood_rng: np.random.Generator
    #: For fixed tasks: row indices (into ``task.load()``) of the three parts.
    rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def with_ood(
        self,
        test_ood: SeqDataset | dict[str, SeqDataset],
        description: str,
        changes_train: bool = False,
    ) -> Splits:
        """Complete these parts into :class:`Splits`."""
        return Splits(self.train, self.val, self.test_id, test_ood, changes_train, description)


def group_labels(data: SeqDataset, group_column: str | None) -> np.ndarray:
    """Group id per row (n,); every row its own group when there is no column."""
    if group_column and group_column in data.meta.columns:
        return data.meta[group_column].to_numpy()
    return np.arange(len(data))


def group_split(
    groups: np.ndarray,
    fractions: tuple[float, ...],
    rng: np.random.Generator,
) -> list[np.ndarray]:
    """Split rows into parts by whole groups, in the given fractions of groups.

    Parameters
    ----------
    groups : numpy.ndarray, shape (n,)
        Group label per row; rows of one group always land in the same part.
    fractions : tuple of float
        Fractions of the groups per part; they are normalised to sum to 1.
    rng : numpy.random.Generator

    Returns
    -------
    list of numpy.ndarray
        Sorted row indices of each part.
    """
    uniq, inverse = np.unique(groups, return_inverse=True)
    order = rng.permutation(len(uniq))
    frac = np.asarray(fractions, dtype=float) / float(np.sum(fractions))
    bounds = np.round(np.cumsum(frac) * len(uniq)).astype(int)
    part_of_group = np.empty(len(uniq), dtype=np.int64)
    start = 0
    for part, stop in enumerate(bounds):
        part_of_group[order[start:stop]] = part
        start = stop
    part_of_row = part_of_group[inverse]
    return [np.flatnonzero(part_of_row == p) for p in range(len(fractions))]


def cap(rows: np.ndarray, n: int | None, rng: np.random.Generator) -> np.ndarray:
    """A sorted random subsample of at most ``n`` of ``rows`` (all when n is None)."""
    if n is None or len(rows) <= n:
        return rows
    return np.sort(rng.choice(rows, size=n, replace=False))


def source_splits(task: Task, rng: np.random.Generator, sizes: SplitSizes) -> SourceSplits:
    """Draw the source-domain train / val / test_id parts of ``task``.

    Generative tasks draw each part from ``task.config()``; fixed tasks split
    ``task.load()`` by whole groups (:attr:`Task.group_column`) into 70/10/20 and
    subsample each part to ``sizes``.

    Parameters
    ----------
    task : Task
    rng : numpy.random.Generator
        The cell's generator; four children are spawned from it in a fixed order.
    sizes : SplitSizes
    """
    key = _cache_key(task, rng, sizes)
    r_split, r_val, r_test, r_ood = rng.spawn(4)
    if key in _CACHE:
        # Same task, seed stream and sizes: the same draws. Only the OOD generator is
        # handed out fresh, exactly as the uncached path would (spawned above).
        _CACHE.move_to_end(key)
        train, val, test_id, rows = _CACHE[key]
        return SourceSplits(train, val, test_id, r_ood, rows)
    out = _draw(task, sizes, r_split, r_val, r_test, r_ood)
    _CACHE[key] = (out.train, out.val, out.test_id, out.rows)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


#: Source parts of the last few (task, seed, sizes): every shift of a cell group
#: asks for the same ones, and simulating them again would dominate the runner's
#: time outside the models. Small, so memory stays bounded.
_CACHE: OrderedDict[str, tuple] = OrderedDict()
_CACHE_SIZE = 2


def _cache_key(task: Task, rng: np.random.Generator, sizes: SplitSizes) -> str:
    seq = rng.bit_generator.seed_seq
    stream = [
        str(getattr(seq, "entropy", None)),
        list(getattr(seq, "spawn_key", ())),
        getattr(seq, "n_children_spawned", None),
        rng.bit_generator.state["state"],
    ]
    return json.dumps(
        [
            type(task).__module__,
            type(task).__qualname__,
            task.name,
            task.params_json(),
            stream,
            [sizes.train, sizes.val, sizes.test],
        ],
        sort_keys=True,
        default=str,
    )


def _draw(
    task: Task,
    sizes: SplitSizes,
    r_split: np.random.Generator,
    r_val: np.random.Generator,
    r_test: np.random.Generator,
    r_ood: np.random.Generator,
) -> SourceSplits:
    if task.kind == "generative":
        config = task.config()
        if sizes.train is None or sizes.val is None or sizes.test is None:
            raise TaskFileError(
                f"task {task.name!r} is generative: every split size must be set; "
                "give sizes = {train = ..., val = ..., test = ...} in the preset"
            )
        return SourceSplits(
            task.sample(config, sizes.train, r_split),
            task.sample(config, sizes.val, r_val),
            task.sample(config, sizes.test, r_test),
            r_ood,
        )
    data = task.load()
    parts = group_split(group_labels(data, task.group_column), SOURCE_FRACTIONS, r_split)
    tr = cap(parts[0], sizes.train, r_split)
    va = cap(parts[1], sizes.val, r_val)
    te = cap(parts[2], sizes.test, r_test)
    return SourceSplits(data.subset(tr), data.subset(va), data.subset(te), r_ood, (tr, va, te))
