"""No leakage on real data: no 40-mer is shared between training and test sequences.

For every task and shift of the shipped ``mpra`` suite (at each of its severities),
with every example (no size caps), the canonical 40-mers (a k-mer and its reverse
complement count as one) of the training + validation sequences and of every test
set are disjoint. Overlapping Sharpr regions and lentiMPRA elements sharing
sequence (repeats, (CA)n tracts) are kept together by the tasks' ``locus`` groups.
Skipped without ``RSBENCH_DATA_DIR``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from regshift_bench import get_plugin
from regshift_bench.api import SplitSizes
from regshift_bench.tasks import shipped_suites
from rsbench_mpra.overlap import K, kmer_hashes, locus_labels, overlap_components


def _cases() -> list[tuple[str, str, float]]:
    suite = next(s for s in shipped_suites() if s.name == "mpra")
    cases = []
    for spec in suite.tasks:
        for shift in spec.shifts or ():
            sevs = shift.severities or get_plugin("shift", shift.name).default_severities
            cases += [(spec.task, shift.name, float(sev)) for sev in sevs]
    return cases


@functools.lru_cache(maxsize=1)
def _pool_hashes(task_name: str) -> tuple[dict[bytes, int], np.ndarray, np.ndarray]:
    """(sequence -> pool row, k-mer hashes, their pool rows) of every sequence a task
    can hand out (its data plus, for DREAM, the public test), hashed once."""
    task = get_plugin("task", task_name)
    seqs = [task.load().seqs]
    if callable(getattr(task, "public_test", None)):
        seqs.append(task.public_test().seqs)
    pool = np.concatenate(seqs)
    hashes, rows = kmer_hashes(pool, K)
    return {r.tobytes(): i for i, r in enumerate(pool)}, hashes, rows


def _hashes(task_name: str, seqs: np.ndarray) -> np.ndarray:
    index, hashes, rows = _pool_hashes(task_name)
    return hashes[np.isin(rows, [index[r.tobytes()] for r in seqs])]


@pytest.mark.slow  # every example of every real split: minutes on a loaded 2-core box
@pytest.mark.parametrize("task_name,shift_name,severity", _cases())
def test_no_kmer_shared_between_train_and_test(data_dir, task_name: str, shift_name: str, severity: float) -> None:
    task = get_plugin("task", task_name)
    shift = get_plugin("shift", shift_name, severity=severity)
    splits = shift.split(task, np.random.default_rng(0), SplitSizes())
    seen = np.unique(np.concatenate([_hashes(task_name, splits.train.seqs), _hashes(task_name, splits.val.seqs)]))
    for name, data in splits.evaluation_sets().items():
        if name == "val" or name.count("/") > 1:  # per-class sets: subsets of their parent
            continue
        shared = np.isin(_hashes(task_name, data.seqs), seen)
        assert not shared.any(), (
            f"{task_name}/{shift_name}@{severity}: {name} shares {int(shared.sum())} {K}-mers with training data"
        )


def test_kmer_hashes_are_canonical_and_skip_n() -> None:
    from regshift_bench.api import SeqDataset

    data = SeqDataset.from_strings(["ACGTTGCAAGGCTTAAN", "NTTAAGCCTTGCAACGT"], [0.0, 0.0])
    a, _ = kmer_hashes(data.seqs[:1], 8)
    b, _ = kmer_hashes(data.seqs[1:], 8)
    assert len(a) == len(b) == 9  # 16 called bases -> 9 windows; the N window is skipped
    np.testing.assert_array_equal(np.sort(a), np.sort(b))  # reverse complements


def test_overlapping_groups_are_merged() -> None:
    rng = np.random.default_rng(0)
    genome = rng.choice(4, 400).astype(np.uint8)
    seqs = np.stack([genome[0:100], genome[60:160], genome[200:300], genome[300:400]])
    groups = np.array(["r1", "r2", "r3", "r4"])
    comp = overlap_components(seqs, groups, k=40)
    assert comp[0] == comp[1] and len({comp[1], comp[2], comp[3]}) == 3  # 40 nt overlap
    assert list(locus_labels(seqs, groups, k=40)) == ["r1", "r1", "r3", "r4"]
    assert len(set(overlap_components(seqs, groups, k=41))) == 4  # 40 nt < k: no merge


def test_sharpr_overlapping_regions_share_a_locus(data_dir) -> None:
    meta = get_plugin("task", "sharpr_pilot").load().meta
    locus = meta.groupby("region_id")["locus_id"].first()
    assert locus["high_5"] == locus["high_15"] and locus["high_33"] == locus["high_35"]
    assert meta["locus_id"].nunique() == meta["region_id"].nunique() - 2
