"""``dream_yeast``: DREAM 2022 yeast random promoters (demo training data + public test).

``load()`` is the 6,370-row demo subset of the challenge's *training* data (random
80-nt promoters in constant flanks; expression on the 0-17 MAUDE bin scale).
:meth:`DreamYeastTask.public_test` is the 1,921 labelled public-leaderboard test
sequences with their subset membership (random, native yeast, challenging, high,
low, motif perturbation and motif tiling alt/ref) and (ref, alt) pair ids, used by
the ``random_to_native`` shift and scored DREAM-style by :meth:`score`.

Scale: the test measurements come from a separate, deeper experiment on another
scale. With ``test_scale="train"`` (default) test values are mapped affinely so the
test *random* subset has the mean and standard deviation of the training random
promoters — both are random draws from one library, so their expression
distributions should agree; the map changes no correlation (DREAM scores are
unaffected) but makes squared-error and calibration metrics interpretable. The
measured value is kept as ``meta["y_raw"]``. ``test_scale="raw"`` keeps it as ``y``.

Sequences are 87-135 nt (training) and 110 nt (test); every dataset of this task is
N-padded to the same width (135) with true ``lengths``, so one model sees one width.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench.api import SeqDataset, Task, encode
from regshift_bench.errors import DataError
from rsbench_mpra import datasets, dream_score, table

FILES = ("demo_train.tsv.gz", "public_leaderboard_labeled.tsv.gz", "public_leaderboard_pairs.tsv.gz")


def _dataset(
    seqs: list[str], y: np.ndarray, meta: pd.DataFrame, width: int, source: str, info: dict[str, Any]
) -> SeqDataset:
    codes, lengths = encode(seqs, source=source)
    codes = np.pad(codes, ((0, 0), (0, width - codes.shape[1])), constant_values=4)
    return SeqDataset(codes, y, meta=meta, lengths=lengths, info=info)


@functools.lru_cache(maxsize=4)
def _build(mtimes: tuple[float, ...], test_scale: str) -> tuple[SeqDataset, SeqDataset]:
    train_path, test_path, pairs_path = (datasets.locate("dream_yeast", f) for f in FILES)
    train = table.read_table(train_path)
    test = table.read_table(test_path)
    pairs = table.read_table(pairs_path)
    table.require_columns(train, {"seq": "seq", "expression": "expression"}, FILES[0])
    table.require_columns(test, {c: c for c in ("test_index", "seq", "subsets", "expression")}, FILES[1])
    table.require_columns(pairs, {c: c for c in ("subset", "alt_test_index", "ref_test_index")}, FILES[2])
    tr_seqs = table.clean_sequences(train["seq"], source=FILES[0], column="seq")
    tr_y = table.numeric_column(train, "expression", source=FILES[0])
    te_seqs = table.clean_sequences(test["seq"], source=FILES[1], column="seq")
    te_raw = table.numeric_column(test, "expression", source=FILES[1])
    width = max(max(map(len, tr_seqs)), max(map(len, te_seqs)))

    test_index = test["test_index"].astype(np.int64).to_numpy()
    alt = pairs["alt_test_index"].astype(np.int64).to_numpy()
    ref_of = pd.Series(pairs["ref_test_index"].astype(np.int64).to_numpy(), index=alt)
    sub_of = pd.Series(pairs["subset"].to_numpy(), index=alt)
    conflicting = ref_of.groupby(level=0).nunique() > 1
    if conflicting.any():
        raise DataError(f"{FILES[2]}: alt test index {conflicting.idxmax()} has two references")
    ref_of, sub_of = ref_of[~ref_of.index.duplicated()], sub_of[~sub_of.index.duplicated()]
    subsets = test["subsets"].fillna("").astype(str)
    is_random = subsets.str.split(";").map(lambda t: "random" in t).to_numpy(bool)
    if test_scale == "train":
        a = tr_y.std() / te_raw[is_random].std()
        te_y = tr_y.mean() + a * (te_raw - te_raw[is_random].mean())
    elif test_scale == "raw":
        te_y = te_raw
    else:
        raise DataError(f"dream_yeast: test_scale={test_scale!r}; use 'train' or 'raw'")
    info = {"dataset": "dream_yeast", "organism": "yeast"}
    train_meta = pd.DataFrame({"dream_subsets": "train_random", "part": "train"}, index=pd.RangeIndex(len(tr_seqs)))
    test_meta = pd.DataFrame(
        {
            "test_index": test_index,
            "tag": test.get("tag", pd.Series([""] * len(test))).to_numpy(),
            "dream_subsets": subsets.to_numpy(),
            "part": "public_test",
            "ref_test_index": ref_of.reindex(test_index).fillna(-1).astype(np.int64).to_numpy(),
            "pair_subset": sub_of.reindex(test_index).fillna("").to_numpy(),
            "y_raw": te_raw,
        }
    )
    return (
        _dataset(tr_seqs, tr_y, train_meta, width, FILES[0], info),
        _dataset(te_seqs, te_y, test_meta, width, FILES[1], info),
    )


class DreamYeastTask(Task):
    """DREAM 2022 yeast: train on random promoters, test on the labelled public subsets.

    Parameters
    ----------
    test_scale : {"train", "raw"}
        Map test expression onto the training scale (see module docstring) or keep it.
    """

    kind = "fixed"

    def __init__(self, test_scale: str = "train") -> None:
        self.test_scale = test_scale

    def _data(self) -> tuple[SeqDataset, SeqDataset]:
        mtimes = tuple(os.path.getmtime(datasets.locate("dream_yeast", f)) for f in FILES)
        return _build(mtimes, self.test_scale)

    def load(self, domain: str | None = None) -> SeqDataset:
        """The demo training data (random promoters)."""
        if domain is not None:
            raise DataError(f"task {self.name!r} has no domains; got domain={domain!r}")
        return self._data()[0]

    def public_test(self) -> SeqDataset:
        """The 1,921 labelled public-leaderboard test sequences (see module docstring)."""
        return self._data()[1]

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, float]:
        """DREAM per-subset r² / Spearman and weighted scores on a full public-test set."""
        if "dream_subsets" not in data.meta.columns or "test_index" not in data.meta.columns:
            return {}
        rows = (data.meta["part"] == "public_test").to_numpy()
        if rows.sum() < dream_score.MIN_N:
            return {}
        mean = np.asarray(getattr(pred, "mean", pred), dtype=float)
        scores = dream_score.dream_scores(data.meta[rows], data.y[rows], mean[rows])
        # Only a set holding every subset (the shift's ``public`` set) is a DREAM test;
        # on partial sets the generic metrics already say everything.
        return scores if "dream_pearson_score" in scores else {}
