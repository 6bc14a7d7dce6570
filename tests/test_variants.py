"""Variant tables: validation errors naming the row, windows, deletions, effect scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import DataError, get_plugin
from regshift_bench.api import Prediction, SeqDataset
from regshift_bench.errors import MetricSkipped
from rsbench_mpra import variant_effects, variants

FIX = Path(__file__).parent / "fixtures" / "variants"
REF = "ACGTACGTAC"  # 10 nt


def _pos(pos, alt, ref_allele=None, refs=None, one_based=False):
    n = len(pos)
    elements = np.asarray(["e"] * n, dtype=object)
    return variants.from_positions(
        elements,
        refs or {"e": REF},
        np.asarray(pos, dtype=object),
        ref_allele,
        alt,
        np.zeros(n),
        None,
        None,
        source="v.tsv",
        one_based=one_based,
    )


def test_windows_centre_the_edit_and_slide_inside_the_element():
    v = _pos([5, 0, 9], ["T", "T", "A"])
    refs, alts = variants.windows(v, 4)
    # p=5: start 3 -> TACG; p=0 and p=9 slide to the element's ends.
    assert refs == ["TACG", "ACGT", "GTAC"]
    assert alts == ["TATG", "TCGT", "GTAA"]


def test_deletion_pulls_in_the_next_base_and_is_short_at_the_3prime_end():
    v = _pos([5, 9], ["-", ""])
    refs, alts = variants.windows(v, 4)
    assert (refs[0], alts[0]) == ("TACG", "TAGT")  # C at 5 removed, T pulled in
    assert (refs[1], alts[1]) == ("GTAC", "GTA")  # last base removed: one base short


def test_insertion_and_short_element_used_whole():
    v = _pos([4], ["AGG"], ref_allele=["A"])
    refs, alts = variants.windows(v, 20)
    assert refs == [REF] and alts == ["ACGTAGGCGTAC"]


@pytest.mark.parametrize(
    "pos, alt, ref_allele, one_based, needle",
    [
        (
            [0, 10],
            ["T", "T"],
            None,
            False,
            "v.tsv: row 2: position 10 (0-based) is out of range for element 'e' of length 10; set one_based = true",
        ),
        ([0, 0], ["T", "T"], None, True, "v.tsv: row 1: position 0 (1-based) is out of range"),
        (
            [1, 2],
            ["T", "T"],
            ["C", "C"],
            False,
            "v.tsv: row 2: ref allele 'C' does not match the reference of element 'e' at position 2 ('G')",
        ),
        ([1], ["X"], None, False, "v.tsv: row 1: allele 'X' in column 'alt_allele' has invalid character 'X'"),
        ([1], ["C"], None, False, "v.tsv: row 1: alt allele equals the ref allele 'C'"),
        ([1, 1.5], ["T", "T"], None, False, "v.tsv: row 2: position 1.5 in column 'position' is not an integer"),
        ([1, 1], ["T", "T"], None, False, "v.tsv: row 2: variant 'e:1:C>T' is listed twice"),
    ],
)
def test_bad_positions_and_alleles_name_the_row(pos, alt, ref_allele, one_based, needle):
    with pytest.raises(DataError) as info:
        _pos(pos, alt, ref_allele, one_based=one_based)
    assert needle in str(info.value) and "\n" not in str(info.value)


def _seq_table(rows):
    frame = pd.DataFrame(rows, columns=["g", "ref", "alt"])
    return variants.from_sequences(
        frame,
        frame["ref"].tolist(),
        frame["alt"].tolist(),
        effect=np.zeros(len(frame)),
        pvalue=None,
        ids=None,
        group_column="g",
        source="s.tsv",
        ref_column="ref",
        alt_column="alt",
        max_edit=3,
    )


def test_full_sequences_become_edits():
    v = _seq_table([("a", REF, "ACGTTCGTAC"), ("a", REF, "ACGTCGTAC")])
    f = v.frame
    assert list(f["pos"]) == [4, 4] and list(f["alt_allele"]) == ["T", ""]
    assert list(f["ref_allele"]) == ["A", "A"]


@pytest.mark.parametrize(
    "rows, needle",
    [
        (
            [("a", REF, "ACGTTCGTAC"), ("b", REF, "TTTTGGGGCC")],
            "s.tsv: row 2: 'ref' and 'alt' differ over 9 bases (from position 0); they look like different elements",
        ),
        (
            [("a", REF, "ACGTTCGTAC"), ("a", "ACGTACGTAA", "ACGTACGTAT")],
            "s.tsv: row 2: element 'a' has a different reference sequence in column 'ref' than row 1",
        ),
        ([("a", REF, REF)], "s.tsv: row 1: the 'alt' sequence equals the 'ref' sequence"),
    ],
)
def test_bad_sequence_pairs_name_the_row(rows, needle):
    with pytest.raises(DataError) as info:
        _seq_table(rows)
    assert needle in str(info.value)


def _set(effects, pvalues):
    n = len(effects)
    v = _pos(list(range(n)), ["N"] * n)
    frame = v.frame.assign(effect=effects, pvalue=pvalues)
    return variant_effects.effect_set(variants.Variants(frame, v.references, "v"), "e", 6)


def test_effect_set_rows_and_strands():
    data = _set([0.5, -1.0], [1e-9, 0.3])
    # One strand: the models average strands inside predict, so - rows would be repeats.
    assert len(data) == 4 and not data.info["row_metrics"]
    m = data.meta
    assert list(m["allele"]) == ["ref", "ref", "alt", "alt"]
    assert list(m["strand"]) == ["+"] * 4
    assert data.y[2] == pytest.approx(0.5) and data.y[0] == 0
    # ref and alt windows differ only at the variant.
    s = data.strings()
    assert sum(a != b for a, b in zip(s[0], s[2])) == 1


def test_effects_from_stored_two_strand_sets_still_average_strands():
    one = _set([0.5, -1.0], [1e-9, 0.3])
    minus = one.revcomp().with_values(meta=one.meta.assign(strand="-"))
    both = SeqDataset.concat([one, minus])
    mean = np.array([0.0, 0.0, 0.6, -1.0, 0.0, 0.0, 0.4, -0.6])
    eff = variant_effects.predicted_effects(both, Prediction(mean=mean, var=np.full(8, 0.1)))
    assert list(eff["d"]) == pytest.approx([0.5, -0.8])


def test_effects_are_alt_minus_ref_and_variances_add():
    data = _set([0.5, -1.0, 0.2, 0.0], [1e-9, 1e-9, 0.3, 1e-9])
    m = data.meta
    # mean: alt rows get the effect; ref rows 0.
    d_true = {"e:0:A>N": 0.4, "e:1:C>N": -0.8, "e:2:G>N": -0.1, "e:3:T>N": 0.3}
    alt = (m["allele"] == "alt").to_numpy()
    base = m["variant_id"].map(d_true).to_numpy()
    mean = np.where(alt, base, 0.0)
    var = np.where(alt, 0.02, 0.03)
    eff = variant_effects.predicted_effects(data, Prediction(mean=mean, var=var))
    assert eff.loc["e:0:A>N", "d"] == pytest.approx(0.4)
    assert eff["v"].to_numpy() == pytest.approx(np.full(4, 0.05))
    scores = variant_effects.effect_scores(eff, alpha=1e-5)
    d, y = np.array([0.4, -0.8, -0.1, 0.3]), np.array([0.5, -1.0, 0.2, 0.0])
    assert scores["effect_pearson"] == pytest.approx(np.corrcoef(d, y)[0, 1])
    # Significant and non-zero: variants 0 and 1, both with the right sign.
    assert scores["effect_sign_agreement"] == 1.0
    z = (y - d) / np.sqrt(0.05)
    assert scores["effect_z2"] == (pytest.approx(np.mean(z**2)), False)
    assert scores["effect_coverage_90"] == pytest.approx(np.mean(np.abs(z) <= 1.6448536))


def test_constant_predictions_and_missing_pvalues_are_skipped_with_a_reason():
    data = _set([0.5, -1.0, 0.2], [np.nan] * 3)
    pred = Prediction(mean=np.zeros(len(data)), var=np.ones(len(data)))
    scores = variant_effects.effect_scores(variant_effects.predicted_effects(data, pred), 1e-5)
    assert isinstance(scores["effect_pearson"], MetricSkipped)
    assert "set pvalue_column" in str(scores["effect_sign_agreement"])
    assert scores["effect_coverage_90"] == 1.0


def test_task_reads_both_layouts_and_rejects_ambiguous_ones():
    common = dict(
        path=str(FIX / "variants.tsv"),
        train_task="table",
        ref_column="ref_seq",
        effect_column="effect",
        group_column="element",
        pvalue_column="p",
        train_params={"path": str(FIX / "train.tsv"), "sequence_column": "seq", "activity_column": "activity"},
    )
    by_pos = get_plugin(
        "task", "variants", position_column="pos", alt_allele_column="alt", ref_allele_column="ref", **common
    )
    by_seq = get_plugin("task", "variants", alt_column="alt_seq", **common)
    assert by_pos.get_params()["group_column"] == "element"
    assert by_pos.group_column is None  # the training table's: it has no groups
    a, b = by_pos.variants().frame, by_seq.variants().frame
    assert len(a) == len(b) == 132 and (a["effect"].to_numpy() == b["effect"].to_numpy()).all()
    assert (a["alt_allele"] == "").sum() == 12
    assert by_pos.width() == 40 and by_pos.load().seq_len == 40
    both = get_plugin(
        "task", "variants", alt_column="alt_seq", position_column="pos", alt_allele_column="alt", **common
    )
    with pytest.raises(DataError, match="give either alt_column .* not both or neither"):
        both.load()
    with pytest.raises(DataError, match=r"no column 'effct' \(for effect_column\)"):
        get_plugin("task", "variants", alt_column="alt_seq", **{**common, "effect_column": "effct"}).variants()


def _variable_length_training_table(tmp_path):
    train = pd.read_csv(FIX / "train.tsv", sep="\t")
    cut = np.random.default_rng(0).integers(30, 41, len(train))
    train["seq"] = [s[:n] for s, n in zip(train["seq"], cut)]  # 30-40 nt, like dream_yeast
    train.to_csv(tmp_path / "train_var.tsv", sep="\t", index=False)
    return {"path": str(tmp_path / "train_var.tsv"), "sequence_column": "seq", "activity_column": "activity"}


def test_window_is_the_table_length_when_training_lengths_vary(tmp_path):
    # Training sequences of several lengths, reference sequences of one (60 nt): no
    # `window` needed in the task file.
    task = get_plugin(
        "task",
        "variants",
        path=str(FIX / "variants.tsv"),
        train_task="table",
        ref_column="ref_seq",
        alt_column="alt_seq",
        effect_column="effect",
        group_column="element",
        train_params=_variable_length_training_table(tmp_path),
    )
    refs = {len(r) for r in task.variants().references.values()}
    assert refs == {60} and task.load().lengths is not None
    assert task.width() == 60
    assert get_plugin("task", "variants", **{**task.get_params(), "window": 40}).width() == 40


def test_window_still_asked_for_when_both_sides_have_several_lengths(tmp_path):
    table = pd.read_csv(FIX / "variants.tsv", sep="\t")
    short = table["element"] == table["element"].iloc[0]
    for col in ("ref_seq", "alt_seq"):  # one element 5 nt shorter (its edits stay inside)
        table.loc[short, col] = table.loc[short, col].str[:-5]
    table = table[~short | (table["pos"] < 50)]
    table.to_csv(tmp_path / "v.tsv", sep="\t", index=False)
    task = get_plugin(
        "task",
        "variants",
        path=str(tmp_path / "v.tsv"),
        train_task="table",
        ref_column="ref_seq",
        alt_column="alt_seq",
        effect_column="effect",
        group_column="element",
        train_params=_variable_length_training_table(tmp_path),
    )
    with pytest.raises(DataError, match=r"reference sequences \(55, 60\); set window = <length>"):
        task.width()
