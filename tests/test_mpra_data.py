"""Data management (core regshift_bench.datasets, the rsbench_mpra catalogue, `rsbench data`).

Real-data tests read ``$RSBENCH_DATA_DIR`` (the ``data_dir`` fixture) and skip if unset.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from regshift_bench import DataError, DataMissingError, UnknownNameError, datasets, get_plugin, paths, plugins
from regshift_bench.api import Prediction, SplitSizes
from regshift_bench.cli.main import app
from regshift_bench.datasets import DataFile, Dataset
from regshift_bench.testing import check_dataset
from rsbench_mpra import datasets as mpra_datasets


def test_fetch_file_verifies_checksum_and_leaves_nothing_on_mismatch(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"regulatory activity\n" * 100)
    good = hashlib.sha256(src.read_bytes()).hexdigest()
    dest = tmp_path / "data" / "sub" / "copy.bin"
    datasets.fetch_file(src.as_uri(), dest, good)
    assert dest.read_bytes() == src.read_bytes()
    bad_dest = tmp_path / "data" / "sub" / "bad.bin"
    with pytest.raises(DataError, match="checksum mismatch for bad.bin") as info:
        datasets.fetch_file(src.as_uri(), bad_dest, "0" * 64)
    assert "\n" not in str(info.value)
    assert sorted(p.name for p in bad_dest.parent.iterdir()) == ["copy.bin"]  # no partial file
    with pytest.raises(DataError, match="cannot download"):
        datasets.fetch_file((tmp_path / "absent").as_uri(), tmp_path / "x.bin", good)


def test_fetch_of_a_derived_dataset_without_url_says_how(tmp_path: Path) -> None:
    unpublished = Dataset("der", "assay/der", "derived, no derivation", (DataFile("y.tsv", "0" * 64, 1),))
    with pytest.raises(DataMissingError, match="has no public URL.*--url") as info:
        datasets.fetch(unpublished, tmp_path)
    assert "\n" not in str(info.value)
    assert not any(tmp_path.iterdir())  # nothing written
    with pytest.raises(UnknownNameError, match="did you mean 'lentimpra'"):
        plugins.get_dataset("lentimpr")
    with pytest.raises(UnknownNameError, match="did you mean 'lentimpra'"):
        mpra_datasets.get_dataset("lentimpr")


def test_mpra_registers_its_whole_catalogue() -> None:
    registry = plugins.current().registry
    assert registry.names("dataset") == sorted(mpra_datasets.DATASETS)
    for name, dataset in mpra_datasets.DATASETS.items():
        entry = registry.get("dataset", name)
        assert entry.owner == "mpra" and entry.factory is dataset
        assert entry.summary == dataset.title
    assert plugins.registered_datasets() == sorted(mpra_datasets.DATASETS.values(), key=lambda d: d.name)


def test_locate_names_the_dataset_and_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSBENCH_DATA_DIR", str(tmp_path))
    with pytest.raises(
        DataMissingError,
        match=r"dataset 'sharpr_pilot' file x.gz \(run "
        r"`rsbench data fetch sharpr_pilot`\) not found",
    ):
        mpra_datasets.locate("sharpr_pilot", "x.gz")
    (tmp_path / "mpra/agarwal2025_lentimpra").mkdir(parents=True)
    (tmp_path / "mpra/agarwal2025_lentimpra/hepg2_folds9-10.tsv.gz").write_bytes(b"")
    found = mpra_datasets.locate("lentimpra", "hepg2_folds9-10.tsv.gz")
    assert found == tmp_path / "mpra/agarwal2025_lentimpra/hepg2_folds9-10.tsv.gz"


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: DataFile("../escape.txt", "0" * 64, 1), "not a relative path inside"),
        (lambda: DataFile("/abs.txt", "0" * 64, 1), "not a relative path inside"),
        (lambda: DataFile("a.txt", "ABC", 1), "not 64 lower-case hex digits"),
        (lambda: DataFile("a.txt", "0" * 64, -1), "is not a byte count"),
        (lambda: Dataset("d", "../up", "t", (DataFile("a", "0" * 64, 1),)), "folder '../up'"),
        (lambda: Dataset("d", "f", "t", ()), "non-empty tuple"),
        (lambda: Dataset("d", "f", "t", (DataFile("a", "0" * 64, 1),) * 2), "'a' is listed twice"),
    ],
)
def test_malformed_descriptions_are_refused(make, message) -> None:
    with pytest.raises(DataError, match=message):
        make()


def test_check_dataset_present_and_checksums(tmp_path: Path) -> None:
    content = b"ACGT\t1.0\n"
    pinned = Dataset(
        "tiny", "toy/tiny", "one file", (DataFile("a.tsv", hashlib.sha256(content).hexdigest(), len(content)),)
    )
    failed = lambda report: [r.check for r in report.results if not r.passed]  # noqa: E731
    missing = check_dataset(pinned, root=tmp_path)
    assert failed(missing) == ["present"] and "DataMissingError" in missing.results[1].detail
    (tmp_path / "toy/tiny").mkdir(parents=True)
    (tmp_path / "toy/tiny/a.tsv").write_bytes(content)
    assert check_dataset(pinned, root=tmp_path).ok
    (tmp_path / "toy/tiny/a.tsv").write_bytes(content + b"x")
    assert failed(check_dataset(pinned, root=tmp_path)) == ["checksums"]


def test_data_list_json_without_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RSBENCH_DATA_DIR", raising=False)
    result = CliRunner().invoke(app, ["data", "list", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    # The default home (conftest points it at an empty temporary folder).
    assert out["data_dir"] == str(paths.default_data_dir()) and out["data_dir_source"] == "default"
    assert not any(r["present"] for r in out["files"])
    assert {"lentimpra", "sharpr_pilot", "dream_yeast"} <= {r["dataset"] for r in out["files"]}
    assert set(out["files"][0]) == {"dataset", "file", "present", "size", "sha256", "checksum_ok", "fetchable", "tasks"}


# -- real data ----------------------------------------------------------------------------


def test_real_checksums_and_fetch_from_file_url(data_dir: Path, tmp_path: Path) -> None:
    rows = datasets.status(data_dir, plugins.registered_datasets())
    for r in rows:
        if r["dataset"] in ("lentimpra", "sharpr_pilot", "dream_yeast"):
            assert r["present"] and r["checksum_ok"], r["file"]
    sharpr = plugins.get_dataset("sharpr_pilot")
    mirror = (data_dir / sharpr.folder).as_uri()
    done = datasets.fetch(sharpr, tmp_path, url=mirror)  # 6 GEO files + 2 derived tables
    assert [s for _, s in done] == ["downloaded"] * 8
    assert [s for _, s in datasets.fetch(sharpr, tmp_path, url=mirror)] == ["present"] * 8
    assert check_dataset("sharpr_pilot", root=tmp_path).ok


def test_real_sharpr_matches_summary_and_ceilings(data_dir: Path) -> None:
    task = get_plugin("task", "sharpr_pilot")
    hep, k562 = task.load("HepG2"), task.load("K562")
    summary = pd.read_csv(data_dir / "mpra/ernst2016_sharpr_pilot/pilot_sequence_summary.tsv.gz", sep="\t")
    assert len(hep) == 2250 and hep.seq_len == 145
    np.testing.assert_allclose(hep.meta["rep1"], summary["log2_hepg2_rep1"], atol=1e-9)
    np.testing.assert_allclose(k562.y, summary["log2_k562_mean"], atol=1e-5)
    ceil = task.score("test_id", hep, None)
    assert ceil["replicate_ceiling_pearson_single"] == pytest.approx(0.97, abs=0.01)
    k = task.score("test_id", k562, None)
    assert k["replicate_ceiling_pearson_single"] == pytest.approx(0.76, abs=0.01)
    # the bound for a two-replicate mean (Spearman-Brown) is above one replicate's
    assert k["replicate_ceiling_pearson"] == pytest.approx(np.sqrt(2 * 0.755 / 1.755), abs=0.01)
    assert set(ceil) <= {
        f"{ref}_{m}" for ref in task.reference_names for m in ("pearson", "spearman", "pearson_single")
    }


def test_real_lentimpra_groups_orientation_ceiling_and_cell_type(data_dir: Path) -> None:
    task = get_plugin("task", "mpra_hepg2")
    data = task.load()
    assert len(data) == 24590 and data.seq_len == 230
    assert (data.meta.groupby("pair_key").size() == 2).all()
    assert 0.6 < task.score("test_id", data, None)["orientation_ceiling_pearson"] < 0.9
    assert get_plugin("task", "mpra_hepg2", trim_adapters=True).load().seq_len == 200
    splits = get_plugin("shift", "cell_type").split(task, np.random.default_rng(0), SplitSizes())
    ood = splits.test_ood["WTC11"]
    assert len(ood) == 482 and np.isfinite(ood.y).all()
    # per element class: promoters are reported on their own (enhancers are too few)
    promoters = splits.test_ood["WTC11/promoter"]
    assert (promoters.meta["element_class"] == "promoter").all() and len(promoters) > 400
    assert not set(splits.train.meta["pair_key"]) & set(splits.test_id.meta["pair_key"])
    ref = task.reference_predictions("test_ood/WTC11", ood, splits)["source_label"]
    np.testing.assert_allclose(ref.mean, splits.test_id.y)  # HepG2 activity as prediction
    assert 0.6 < np.corrcoef(ref.mean, ood.y)[0, 1] < 0.95


def test_real_dream_public_scores(data_dir: Path) -> None:
    task = get_plugin("task", "dream_yeast")
    assert len(task.load()) == 6370 and len(task.public_test()) == 1921
    splits = get_plugin("shift", "random_to_native").split(task, np.random.default_rng(0), SplitSizes(300, 100, 200))
    public = splits.test_ood["public"]
    assert len(public) == 200 and public.seq_len == splits.train.seq_len
    # drops are measured inside the test experiment: test_id is its random promoters
    assert set(splits.test_id.meta["part"]) == {"public_test"} and len(splits.test_id) == 200
    assert splits.test_id.meta["dream_subsets"].str.contains("random").all()
    assert set(splits.train.meta["part"]) == {"train"} and set(splits.test_ood) == {"native", "designed", "public"}
    scores = task.score("test_ood/public", public, Prediction(public.y, np.ones(len(public))))
    assert scores["dream_pearson_score"] == pytest.approx(1.0)
    assert (
        task.score("test_ood/native", splits.test_ood["native"], Prediction(splits.test_ood["native"].y, np.ones(200)))
        == {}
    )
