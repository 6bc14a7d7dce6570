"""Digests of the examples a split holds, so two runs can prove they saw the same data.

A split's *digest* hashes its sequences (codes, padded length, true lengths) and
its labels (``y`` as float32), in order. It is kept as three hex strings so a
mismatch can say what differs: the number of examples, the sequences, or only the
labels. The runner records the digests of every split a cell trained or scored on
(``train``, ``val``, ``test_id``, ``test_ood[/NAME]``) in the metadata of the cell's
predictions file; :func:`regshift_bench.submission.against.plan_digests` recomputes
them by drawing a plan's splits without training anything. This module imports no
runner code: the runner imports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from regshift_bench.api import SeqDataset, Splits

#: Metadata key of a predictions file holding its cell's split digests.
METADATA_KEY = "split_digests"


def _hex(*arrays: np.ndarray) -> str:
    h = hashlib.blake2b(digest_size=16)
    for arr in arrays:
        h.update(np.asarray(arr.shape, dtype=np.int64).tobytes())
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def dataset_digest(data: SeqDataset) -> dict[str, Any]:
    """``{"n", "sequences", "labels"}`` of one split.

    Parameters
    ----------
    data : SeqDataset
        ``seqs`` uint8 (n, L), ``y`` float32 (n,), optional ``lengths`` (n,).

    Returns
    -------
    dict
        ``n`` (int), ``sequences`` (hex digest of codes and lengths, in order) and
        ``labels`` (hex digest of ``y`` as float32, in order).
    """
    seq_parts = [data.seqs] if data.lengths is None else [data.seqs, data.lengths]
    return {"n": len(data), "sequences": _hex(*seq_parts), "labels": _hex(np.asarray(data.y, dtype=np.float32))}


def labels_digest(y: np.ndarray) -> str:
    """The ``labels`` digest of measured activities ``y`` (n,), as float32."""
    return _hex(np.asarray(y, dtype=np.float32).reshape(-1))


def splits_digests(splits: Splits) -> dict[str, dict[str, Any]]:
    """Digests of the training split and every evaluated split, by results-table name."""
    sets = {"train": splits.train, **splits.evaluation_sets()}
    return {name: dataset_digest(data) for name, data in sets.items()}


def setting_key(task: str, shift: str, severity: float, seed: int) -> str:
    """The model-independent name of the data one cell sees: ``task/shift@sev/seedN``.

    Every model of a plan draws the same splits for one (task, shift, severity,
    seed) (the split stream depends on task and seed only), so digests are kept
    per setting, not per cell.
    """
    return f"{task}/{shift}@{float(severity):g}/seed{int(seed)}"


def difference(split: str, setting: str, ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> str:
    """One line saying what differs between two digests of a split (``""``: same)."""
    where = f"split {setting} {split}"
    if int(ours["n"]) != int(theirs["n"]):
        return f"{where}: {ours['n']} examples here, {theirs['n']} in the bundle"
    if ours["sequences"] != theirs["sequences"]:
        return f"{where}: the sequences differ from the bundle's (same count, {ours['n']})"
    if ours["labels"] != theirs["labels"]:
        return f"{where}: the labels (y) differ from the bundle's; the sequences are the same"
    return ""
