"""The general table loader and the ``table`` task (rsbench_mpra)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import DataError, get_plugin
from regshift_bench.testing import check_task

FIX = Path(__file__).parent / "fixtures" / "mpra"
COLS = dict(sequence_column="sequence", activity_column="log2_ratio", group_column="element")


def _table(name: str, **extra):
    return get_plugin("task", "table", path=str(FIX / name), **{**COLS, **extra})


@pytest.mark.parametrize(
    "name, needle",
    [
        ("bad_char.tsv", "bad_char.tsv: row 2: invalid character 'X' at position 4"),
        ("missing_value.csv", "missing_value.csv: row 2: missing value in column 'log2_ratio'"),
        ("conflict.tsv", "conflict.tsv: rows 1 and 3 have the same sequence but different"),
        ("empty_seq.tsv", "empty_seq.tsv: row 2: missing value in column 'sequence'"),
    ],
)
def test_malformed_tables_give_one_line_errors(name: str, needle: str) -> None:
    with pytest.raises(DataError) as info:
        _table(name).load()
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_missing_column_and_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"good.tsv: no column 'seq' \(for sequence_column\)"):
        get_plugin(
            "task", "table", path=str(FIX / "good.tsv"), sequence_column="seq", activity_column="log2_ratio"
        ).load()
    with pytest.raises(DataError, match="no such file"):
        get_plugin("task", "table", path=str(tmp_path / "absent.tsv")).load()


def test_good_table_loads_with_groups_classes_and_collapsed_duplicates() -> None:
    data = _table("good.tsv", class_column="class").load()
    # row 5 repeats row 1 with the same value: kept once so it cannot leak across splits
    assert len(data) == 4
    assert data.strings()[3] == "ACGTNNACGT"  # lower case accepted, upper-cased
    assert list(data.meta["element"]) == ["e1", "e1", "e2", "e3"]
    assert set(data.meta["element_class"]) == {"promoter", "enhancer_candidate"}
    np.testing.assert_allclose(data.meta["gc"], data.gc())
    assert check_task(lambda: _table("good.tsv")).ok


def test_trim_cuts_both_ends_and_refuses_short_sequences() -> None:
    data = _table("good.tsv", trim=[2, 3]).load()
    assert data.strings()[0] == "GTACG"
    with pytest.raises(DataError, match="row 1: sequence of length 10 is too short"):
        _table("good.tsv", trim=[5, 5]).load()


def test_fasta_plus_values_table() -> None:
    task = get_plugin(
        "task",
        "table",
        path=str(FIX / "seqs.fa"),
        values_path="seqs_values.tsv",
        id_column="name",
        activity_column="activity",
    )
    data = task.load()
    assert data.strings() == ["GGGGCCCCAA", "ACGTACGTAC"]
    np.testing.assert_allclose(data.y, [1.5, -0.5])
    assert list(data.meta["id"]) == ["s2", "s1"]


def test_user_table_with_other_column_names_gzip_and_replicates(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 60
    seqs = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(n)]
    truth = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "DNA": seqs,
            "element_id": [f"el{i // 2}" for i in range(n)],
            "r1": truth + rng.normal(0, 0.1, n),
            "r2": truth + rng.normal(0, 0.1, n),
            "k562": np.where(np.arange(n) % 3 == 0, np.nan, truth),
        }
    )
    frame["act"] = (frame.r1 + frame.r2) / 2
    path = tmp_path / "mine.csv.gz"
    with gzip.open(path, "wt") as handle:
        frame.to_csv(handle, index=False)
    task = get_plugin(
        "task",
        "table",
        path=str(path),
        sequence_column="DNA",
        activity_column="act",
        group_column="element_id",
        replicate_columns=["r1", "r2"],
        domain_columns={"K562": "k562"},
        source_domain="HepG2",
    )
    data = task.load()
    assert len(data) == n and task.domains == ("HepG2", "K562")
    np.testing.assert_allclose(data.noise_var, np.var(frame[["r1", "r2"]], axis=1, ddof=1) / 2, rtol=1e-5)
    other = task.load(domain="K562")
    assert np.isnan(other.y[::3]).all() and np.isfinite(other.y[1::3]).all()
    ceil = task.score("test_id", data, None)
    assert ceil["replicate_ceiling_pearson_single"] > 0.9
    assert ceil["replicate_ceiling_pearson"] >= ceil["replicate_ceiling_pearson_single"]
    parquet = tmp_path / "mine.parquet"
    frame.to_parquet(parquet)
    again = get_plugin("task", "table", path=str(parquet), sequence_column="DNA", activity_column="act").load()
    np.testing.assert_array_equal(again.seqs, data.seqs)


def test_task_file_runs_a_user_table(tmp_path: Path) -> None:
    """A task file alone (kind = "table", path relative to it) runs through the runner."""
    from typer.testing import CliRunner

    from regshift_bench.cli.main import app

    rng = np.random.default_rng(1)
    n = 240
    seqs = ["".join(rng.choice(list("ACGT"), 24)) for _ in range(n)]
    act = [s.count("G") * 0.3 + rng.normal(0, 0.1) for s in seqs]
    pd.DataFrame({"my_seq": seqs, "my_act": act, "elem": [f"e{i // 2}" for i in range(n)]}).to_csv(
        tmp_path / "my_table.tsv", sep="\t", index=False
    )
    (tmp_path / "my_task.toml").write_text(
        'version = 1\nname = "my_mpra"\nkind = "table"\npath = "my_table.tsv"\n'
        'sequence_column = "my_seq"\nactivity_column = "my_act"\ngroup_column = "elem"\n'
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--task",
            str(tmp_path / "my_task.toml"),
            "--shift",
            "random",
            "--shift",
            "gc_extremes",
            "--model",
            "mean",
            "--preset",
            "smoke",
            "--out",
            str(out),
            "--device",
            "cpu",
        ],
    )
    assert result.exit_code == 0, result.output
    res = pd.read_parquet(out / "results.parquet")
    assert {"test_ood/low_gc", "test_ood/high_gc", "test_id"} <= set(res["split"])
    assert set(res["task"]) == {"my_mpra"}


def test_cache_rereads_an_edited_file(tmp_path: Path) -> None:
    """The in-process cache is keyed by modification time, so an edited file is re-read."""
    import os

    path = tmp_path / "t.tsv"
    shutil.copy(FIX / "good.tsv", path)
    task = get_plugin("task", "table", path=str(path), **COLS)
    assert len(task.load()) == 4 and task.load() is task.load()
    with open(path, "a") as handle:
        handle.write("e9\tCCCCCCCCCC\t3.0\tpromoter\n")
    os.utime(path, (1e9, 1e9))
    assert len(task.load()) == 5
