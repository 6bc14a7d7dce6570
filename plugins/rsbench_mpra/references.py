"""The source-label reference: another cell type's measurement used as the prediction.

On a ``cell_type`` split the OOD rows are the held-out sequences' activity in the
target cell type. The simplest "model" there is no model at all: predict each
sequence's *measured* activity in the source cell type. How well that scores says
how much the two cell types differ on these sequences (lentiMPRA's shared constructs,
98 % promoters, correlate ~0.8 between HepG2 and WTC11; Sharpr tiles ~0.1 between
HepG2 and K562) — a reference a model trained in the source cell type is read
against, never ranked.

Its predictive variance is a constant: the mean squared source − target difference
on the scored rows (the best constant variance for this predictor), so its
calibration rows are an optimistic reference and its accuracy rows are what matters.
"""

from __future__ import annotations

import numpy as np

from regshift_bench.api import Prediction, SeqDataset, Task

SOURCE_LABEL = "source_label"
_INDEX: dict[tuple[int, str], tuple[dict[bytes, int], np.ndarray]] = {}


def _source_index(task: Task) -> tuple[dict[bytes, int], np.ndarray]:
    """(sequence bytes -> row, source activity (n,)) of ``task.load()``, memoised."""
    source = task.load()
    key = (id(source), source.fingerprint())
    if key not in _INDEX:
        _INDEX.clear()  # one task's index at a time bounds memory
        _INDEX[key] = ({row.tobytes(): i for i, row in enumerate(source.seqs)}, np.asarray(source.y, dtype=np.float64))
    return _INDEX[key]


def source_label(task: Task, data: SeqDataset) -> dict[str, Prediction]:
    """``{"source_label": Prediction}`` for rows measured in a non-source domain.

    Returns ``{}`` unless every row of ``data`` is in another domain than
    ``task.domains[0]`` (``meta["cell_type"]``) and has a finite source activity.
    """
    domains = task.domains
    if len(data) < 2 or not domains or "cell_type" not in data.meta.columns:
        return {}
    cells = data.meta["cell_type"].astype(str).to_numpy()
    if (cells == str(domains[0])).any():
        return {}
    index, y_src = _source_index(task)
    rows = np.array([index.get(r.tobytes(), -1) for r in data.seqs], dtype=np.int64)
    if (rows < 0).any():
        return {}
    mean = y_src[rows]
    if not np.isfinite(mean).all():
        return {}
    var = float(max(np.nanmean((mean - np.asarray(data.y, dtype=np.float64)) ** 2), 1e-8))
    return {SOURCE_LABEL: Prediction(mean, np.full(len(data), var))}
