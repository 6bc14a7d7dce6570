"""``SeqDataset.input_fingerprint``: what a model sees, labels left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regshift_bench.api import SeqDataset


def _data(seed: int = 0, n: int = 8) -> SeqDataset:
    rng = np.random.default_rng(seed)
    return SeqDataset(rng.integers(0, 4, (n, 20), dtype=np.uint8), rng.normal(size=n).astype(np.float32))


def test_labels_do_not_change_the_input_fingerprint_but_do_change_the_full_one():
    a = _data()
    relabelled = a.with_values(y=(a.y + 1).astype(np.float32))
    assert a.input_fingerprint() == relabelled.input_fingerprint()
    assert a.fingerprint() != relabelled.fingerprint()


def test_sequences_lengths_and_scalar_info_change_it_meta_does_not():
    a = _data()
    base = a.input_fingerprint()
    assert _data(seed=1).input_fingerprint() != base
    # meta holds measurement columns (counts, activity): not an input
    assert a.with_values(meta=pd.DataFrame({"k": np.arange(8)})).input_fingerprint() == base
    assert a.with_values(lengths=np.full(8, 19)).input_fingerprint() != base
    assert a.with_values(info={"cell_type": "K562"}).input_fingerprint() != base
