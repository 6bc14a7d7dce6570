"""Domain shifts: ``cell_type`` (train in one cell type, test in another; kind
``mechanism``) and ``random_to_native`` (DREAM yeast: random promoters -> native and
designed ones; kind ``covariate``)."""

from __future__ import annotations

import numpy as np

from regshift_bench.api import (
    SeqDataset,
    Shift,
    Splits,
    SplitSizes,
    Task,
    cap,
    group_split,
    source_splits,
)
from regshift_bench.errors import RegshiftError
from rsbench_mpra.shifts import by_class, group_codes, merged_classes

TEST_FRACTION = 0.2


class CellType(Shift):
    """Train on the source cell type, test on the activity in the second domain.

    Fixed tasks (Sharpr HepG2 -> K562; lentiMPRA HepG2 -> WTC11): test groups are
    drawn at random among the groups whose sequences were measured in the target
    domain (finite activity in ``task.load(domain=task.domains[1])``), up to 20 % of
    all groups (all of them when fewer: lentiMPRA's 254 shared elements). The
    remaining groups are split 7:1 into train / val. ``test_id`` holds the test
    sequences with their source-domain activity and ``test_ood`` the same sequences
    (those measured there) with their target-domain activity, so the two differ only
    in the cell type. Training excludes the held-out groups (``changes_train``).

    Generative tasks: the source parts of ``source_splits`` and ``test_ood`` drawn
    from ``task.config(domain=task.domains[1], severity=severity)``; training data is
    unchanged there and the returned Splits say so.

    Where the sequences carry element classes (lentiMPRA), ``test_ood`` is a dict:
    ``<target>`` (all rows) plus ``<target>/<class>`` per class (see
    :func:`rsbench_mpra.shifts.by_class`), e.g. ``test_ood/WTC11/promoter``; a class
    under :data:`rsbench_mpra.shifts.MIN_CLASS_ROWS` rows stays in ``<target>`` only.
    The task's ``source_label`` reference (each sequence's measured source activity as
    the prediction) is scored on every OOD set.

    Kind ``mechanism``: the sequences are fixed and what they do changes.

    Applies to tasks with at least two domains.
    """

    kind = "mechanism"
    changes_train = True
    changes_inputs = False  # the same sequences, measured in another cell type
    default_severities = (1.0,)

    def applies_to(self, task: Task) -> bool:
        return len(task.domains) >= 2

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        target = task.domains[1]
        if task.kind == "generative":
            src = source_splits(task, rng, sizes)
            if sizes.test is None:
                raise RegshiftError(f"cell_type on generative task {task.name!r}: set sizes.test")
            ood = task.sample(task.config(domain=target, severity=self.severity), sizes.test, src.ood_rng)
            return src.with_ood(ood, f"train in {task.domains[0]}, test_ood in {target}")
        r_pick, r_split, r_train, r_val, r_test = rng.spawn(5)
        data, other = task.load(), task.load(domain=target)
        groups = group_codes(data, task.group_column)
        measured = np.isfinite(other.y) & np.isfinite(data.y)
        uniq = np.unique(groups)
        candidates = np.unique(groups[measured])
        if len(candidates) == 0:
            raise RegshiftError(
                f"cell_type: task {task.name!r} has no sequence measured in both {task.domains[0]} and {target}"
            )
        n_test = min(len(candidates), max(1, int(round(TEST_FRACTION * len(uniq)))))
        test_groups = r_pick.choice(candidates, size=n_test, replace=False)
        in_test = np.isin(groups, test_groups)
        rest = np.flatnonzero(~in_test)
        tr_part, va_part = group_split(groups[rest], (7, 1), r_split)
        te = cap(np.flatnonzero(in_test & measured), sizes.test, r_test)
        target_set = other.subset(te)
        classes = by_class({target: target_set})
        test_ood: SeqDataset | dict[str, SeqDataset] = classes if len(classes) > 1 else target_set
        return Splits(
            data.subset(cap(rest[tr_part], sizes.train, r_train)),
            data.subset(cap(rest[va_part], sizes.val, r_val)),
            data.subset(te),
            test_ood,
            True,
            f"train in {task.domains[0]}, test_ood: the held-out test sequences' activity "
            f"in {target}{merged_classes({target: target_set})}",
        )


class RandomToNative(Shift):
    """DREAM yeast: train on random promoters, test on native and designed promoters.

    Train and validation data are the random-promoter *training experiment* parts
    exactly as for the ``none`` shift (so the model is shared). Every test set comes
    from the labelled public test, the separate, deeper *test experiment*, so a drop is
    measured within one assay: ``test_id`` is the test experiment's random promoters
    (the same library as training; 733 sequences, capped at ``sizes.test``), and
    ``test_ood`` holds the named sets ``native`` (native yeast promoters), ``designed``
    (challenging, high/low-expression and motif perturbation/tiling designs) and
    ``public`` (all 1,921, scored DREAM-style by the task; it always keeps the motif
    reference sequences so alt − ref pairs survive a cap). Before this, ``test_id``
    came from the noisy training experiment (58 % of its values are whole bins), so
    drops mixed the shift with the two assays' precision.

    Kind ``covariate``: the sequences move (random -> genomic / designed), the yeast
    and its regulatory mechanism are the same. Severity has no effect. Applies to
    tasks offering ``public_test()``.
    """

    kind = "covariate"
    changes_train = False
    changes_inputs = True  # random -> native / designed promoters
    default_severities = (1.0,)

    def applies_to(self, task: Task) -> bool:
        return callable(getattr(task, "public_test", None))

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        src = source_splits(task, rng, sizes)
        test: SeqDataset = task.public_test()  # type: ignore[attr-defined]
        tags = test.meta["dream_subsets"].fillna("").astype(str).str.split(";")
        has = lambda names: tags.map(lambda t: bool(set(t) & names)).to_numpy(bool)  # noqa: E731
        designed = {"challenging", "high_expression", "low_expression", "motif_perturbation_alt", "motif_tiling_alt"}
        refs = np.flatnonzero(np.isin(test.meta["test_index"].to_numpy(), test.meta["ref_test_index"].to_numpy()))
        r_rand, r_nat, r_des, r_pub = src.ood_rng.spawn(4)
        others = np.setdiff1d(np.arange(len(test)), refs)
        n_pub = None if sizes.test is None else max(sizes.test - len(refs), 0)
        public = np.sort(np.concatenate([refs, cap(others, n_pub, r_pub)]))
        test_id = test.subset(cap(np.flatnonzero(has({"random"})), sizes.test, r_rand))
        sets = {
            "native": test.subset(cap(np.flatnonzero(has({"native_yeast"})), sizes.test, r_nat)),
            "designed": test.subset(cap(np.flatnonzero(has(designed)), sizes.test, r_des)),
            "public": test.subset(public),
        }
        return Splits(
            src.train,
            src.val,
            test_id,
            sets,
            False,
            "train on random promoters (training experiment); test_id: random "
            "promoters of the test experiment; test_ood: its native, designed "
            "and all public sequences",
        )
