"""SeqDataset, encoding and Prediction contracts."""

from __future__ import annotations

import numpy as np
import pytest

from regshift_bench.api import Prediction, SeqDataset, decode, encode, revcomp
from regshift_bench.errors import DataError, PluginError


def test_encode_decode_roundtrip_with_padding():
    seqs = ["ACGTN", "GG", "tacg"]
    codes, lengths = encode(seqs)
    assert codes.dtype == np.uint8 and codes.shape == (3, 5)
    assert codes[1].tolist() == [2, 2, 4, 4, 4]  # padded with N
    assert decode(codes, lengths) == ["ACGTN", "GG", "TACG"]


def test_encode_rejects_bad_character_with_row_and_char():
    with pytest.raises(DataError, match=r"my.tsv: row 1: invalid character 'X' at position 2"):
        encode(["ACGT", "ACXT"], source="my.tsv")


def test_encode_rejects_empty_sequence():
    with pytest.raises(DataError, match="row 0: empty sequence"):
        encode(["", "ACGT"])


def test_codes_outside_range_refused():
    with pytest.raises(DataError, match="row 1: code outside 0-4"):
        SeqDataset(np.array([[0, 1], [5, 0]]), np.zeros(2))


def test_label_length_mismatch_refused():
    with pytest.raises(DataError, match="length 3 != 2"):
        SeqDataset(np.zeros((2, 4), np.uint8), np.zeros(3))


def test_revcomp_is_involution_and_keeps_padding_right():
    data = SeqDataset.from_strings(["AACGT", "GGC"], [1.0, 2.0])
    rc = data.revcomp()
    assert rc.strings() == ["ACGTT", "GCC"]
    assert rc.seqs[1, 3:].tolist() == [4, 4]
    np.testing.assert_array_equal(rc.revcomp().seqs, data.seqs)


def test_revcomp_matches_string_reference():
    rng = np.random.default_rng(0)
    strs = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(20)]
    table = str.maketrans("ACGT", "TGCA")
    expected = [s.translate(table)[::-1] for s in strs]
    np.testing.assert_array_equal(revcomp(encode(strs)[0]), encode(expected)[0])


def test_onehot_and_gc(toy):
    oh = toy.onehot()
    assert oh.shape == (len(toy), 4, toy.seq_len) and oh.dtype == np.float32
    np.testing.assert_array_equal(oh.argmax(1), toy.seqs)
    gc = SeqDataset.from_strings(["GGCCAT", "NNGA"], [0, 0]).gc()
    np.testing.assert_allclose(gc, [4 / 6, 0.5])


def test_subset_and_immutability(toy):
    sub = toy.subset(np.array([3, 1]))
    assert len(sub) == 2 and sub.meta["id"].tolist() == ["toy3", "toy1"]
    with pytest.raises(ValueError):
        toy.y[0] = 1.0


def test_fingerprint_changes_with_labels(toy):
    assert toy.fingerprint() == toy.subset(np.arange(len(toy))).fingerprint()
    assert toy.fingerprint() != toy.with_values(y=toy.y + 1).fingerprint()


def test_concat_pads_to_longest():
    a = SeqDataset.from_strings(["ACG"], [1.0])
    b = SeqDataset.from_strings(["ACGTA"], [2.0])
    both = SeqDataset.concat([a, b])
    assert both.strings() == ["ACG", "ACGTA"] and both.y.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "mean,var,match",
    [
        ([0.0, np.nan], [1.0, 1.0], "mean is not finite at row 1"),
        ([0.0, 1.0], [1.0, 0.0], "var must be > 0"),
        ([0.0, 1.0], [1.0, np.inf], "var is not finite"),
        ([0.0], [1.0], r"shape \(1,\), expected \(2,\)"),
    ],
)
def test_prediction_check_names_plugin_and_rule(mean, var, match):
    with pytest.raises(PluginError, match=match) as info:
        Prediction(np.array(mean), np.array(var)).check(2, plugin="my_model")
    assert "plugin 'my_model'" in str(info.value)
