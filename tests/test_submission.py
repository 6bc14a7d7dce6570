"""The extensible leaderboard: publish with a bundle, run one new model against it,
merge the boards, and check a submission by re-scoring its predictions."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regshift_bench import plugins
from regshift_bench.errors import DataError

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "rsbench-example-model"
GRID = {"tasks": ["sim"], "shifts": ["gc_shift@1.0"], "seeds": 3, "preset": "smoke", "device": "cpu"}
META = """name = "example_cnn"
version = "0.2.0"
code_url = "https://example.org/rsbench-example-model"
licence = "MIT"
parameters = 1000
training_data = "task"
[plugin]
distribution = "rsbench-example-model"
version = "0.2.0"
"""


def _with_example() -> None:
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    plugins.configure(("rsbench_example_model",))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A small published grid (two built-ins, 3 seeds) and the example plugin's
    submission run against its bundle."""
    import torch

    from regshift_bench.leaderboard import build_leaderboard, publish
    from regshift_bench.run_api import run

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("board")
    plugins.configure(())
    run(models=["mean", "kmer_ridge"], out=root / "runs" / "builtin", **GRID)
    publish(build_leaderboard([root / "runs" / "builtin"], n_boot=50), root / "leaderboard", plots=False)
    _with_example()
    sub = root / "submissions" / "example_cnn" / "0.2.0"
    summary = run(models=["example_cnn"], out=sub, against=root / "leaderboard", **GRID)
    (sub / "model_meta.toml").write_text(META)
    plugins.configure(())
    return root, sub, summary


def _copy(sub: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "sub"
    shutil.copytree(sub, dest, ignore=shutil.ignore_patterns("models"))
    return dest


def test_bundle_holds_float32_predictions_and_digests(published):
    root, _, _ = published
    bundle = root / "leaderboard" / "bundle"
    digests = json.loads((bundle / "digests.json").read_text())
    assert digests["preset"] == "smoke" and digests["missing"] == []
    assert sorted(digests["settings"]) == [f"sim/{s}/seed{k}" for s in ("gc_shift@1", "none@0") for k in range(3)]
    one = digests["settings"]["sim/none@0/seed0"]
    assert set(one) == {"train", "val", "test_id", "test_ood"} and one["test_id"]["n"] == 128
    files = sorted((bundle / "predictions").glob("*.parquet"))
    assert len(files) == 12  # 2 models x 2 settings x 3 seeds
    # The examples, oracle and noise ceiling of every data setting are kept once for
    # its cells, paired by row.
    shared = bundle / "predictions" / "settings"
    assert len(list(shared.glob("*.examples.parquet"))) == 6
    assert len(list(shared.glob("*.references.parquet"))) == 6
    schema = pq.read_schema(files[0])
    assert schema.field("mean").type == pa.float32()
    assert pq.ParquetFile(files[0]).metadata.row_group(0).column(3).compression == "ZSTD"


def test_only_the_new_models_cells_run(published):
    _, sub, summary = published
    manifest = json.loads((sub / "manifest.json").read_text())
    assert {e["model"] for e in manifest["plan"]} == {"example_cnn"}
    assert len(summary.outcomes) == 6 and not summary.failed


def test_merged_board_ranks_the_plugin_with_the_builtins(published):
    from regshift_bench.leaderboard import build_leaderboard

    root, sub, _ = published
    lb = build_leaderboard([root / "leaderboard", sub], n_boot=50)
    ranks = lb.boards[0].ranks
    assert {"example_cnn", "mean", "kmer_ridge"} <= set(ranks["model"])
    assert ranks.loc[ranks["model"] == "example_cnn", "complete"].all()


def test_submission_passes_check(published):
    from regshift_bench.submission.check import check_submission

    root, sub, _ = published
    verdict = check_submission(sub, against=root / "leaderboard")
    assert verdict.ok, verdict.reasons
    assert verdict.seeds == 3 and verdict.cells == 6 and verdict.verified > 100


def test_changed_prediction_fails_with_one_reason(published, tmp_path):
    from regshift_bench.submission.check import check_submission

    root, sub, _ = published
    copy = _copy(sub, tmp_path)
    path = sorted((copy / "predictions").glob("*.parquet"))[0]
    table = pq.read_table(path)
    mean = table["mean"].to_numpy().copy()
    split = table["split"].to_numpy()
    mean[0] += 1.0
    pq.write_table(table.set_column(table.schema.get_field_index("mean"), "mean", pa.array(mean)), path)
    verdict = check_submission(copy, against=root / "leaderboard")
    assert len(verdict.reasons) == 1, verdict.reasons
    assert f" {split[0]}: " in verdict.reasons[0] and "differ from the predictions'" in verdict.reasons[0]


def test_changed_metric_value_fails_with_one_reason(published, tmp_path):
    from regshift_bench.submission.check import check_submission

    root, sub, _ = published
    copy = _copy(sub, tmp_path)
    (copy / "results.parquet").unlink()
    path = sorted((copy / "cells").glob("*.parquet"))[0]
    frame = pd.read_parquet(path)
    row = frame.index[(frame["metric"] == "mse") & (frame["split"] == "test_id")][0]
    frame.loc[row, "value"] = frame.loc[row, "value"] * 0.9
    frame.to_parquet(path, index=False)
    verdict = check_submission(copy, against=root / "leaderboard")
    assert len(verdict.reasons) == 1, verdict.reasons
    assert "test_id: 1 of" in verdict.reasons[0] and "mse submitted" in verdict.reasons[0]
    # A board never shows a number it did not recompute: the failing submission is refused.
    from regshift_bench.leaderboard import build_leaderboard

    with pytest.raises(DataError, match="fails its check"):
        build_leaderboard([root / "leaderboard", copy], n_boot=10)


def test_other_examples_fail_check_and_run_before_training(published, tmp_path):
    from regshift_bench import results as rs
    from regshift_bench.run_api import run
    from regshift_bench.submission.check import check_submission

    root, sub, _ = published
    copy = _copy(sub, tmp_path)
    path = sorted((copy / "predictions").glob("*.parquet"))[0]
    meta = rs.read_metadata(path)
    meta["split_digests"]["test_id"]["sequences"] = "0" * 32
    rs.write_parquet_atomic(pq.read_table(path), path, meta)
    verdict = check_submission(copy, against=root / "leaderboard")
    assert len(verdict.reasons) == 1, verdict.reasons
    assert "test_id: the sequences differ from the bundle's" in verdict.reasons[0]
    # The same difference in the bundle stops a run before any cell is trained.
    board = tmp_path / "leaderboard"
    shutil.copytree(root / "leaderboard" / "bundle", board / "bundle")
    digests = json.loads((board / "bundle" / "digests.json").read_text())
    digests["settings"]["sim/gc_shift@1/seed1"]["test_ood"]["labels"] = "0" * 32
    (board / "bundle" / "digests.json").write_text(json.dumps(digests))
    with pytest.raises(DataError, match=r"split sim/gc_shift@1/seed1 test_ood: the labels"):
        run(models=["mean"], out=tmp_path / "mine", against=board, **GRID)
    assert not (tmp_path / "mine" / "cells").exists()


def test_model_meta_problems_are_named(published, tmp_path):
    from regshift_bench.submission.check import check_submission

    _, sub, _ = published
    copy = _copy(sub, tmp_path)
    (copy / "model_meta.toml").write_text(META.replace("licence", "license").replace('"task"', '"external"'))
    reasons = check_submission(copy).reasons
    assert any("unknown key 'license' (did you mean 'licence'?)" in r for r in reasons)
    assert any("'external_data' does not say what" in r for r in reasons)


def test_pretrained_model_is_labelled_external(published, tmp_path):
    from regshift_bench.leaderboard import build_leaderboard

    root, sub, _ = published
    copy = _copy(sub, tmp_path)
    text = META.replace('"task"', '"external"') + ""
    (copy / "model_meta.toml").write_text(text.replace("[plugin]", 'external_data = "a larger MPRA library"\n[plugin]'))
    lb = build_leaderboard([root / "leaderboard", copy], n_boot=10)
    assert "example_cnn (external data)" in set(lb.boards[0].ranks["model"])
    from regshift_bench.api import Model

    assert Model.pretrained is False


def test_model_declaring_pretrained_is_labelled_external(published, tmp_path, monkeypatch):
    from regshift_bench.leaderboard import build_leaderboard

    root, sub, _ = published
    run_dir = _copy(sub, tmp_path)
    (run_dir / "model_meta.toml").unlink()  # a plain run: the model class declares it
    _with_example()
    from rsbench_example_model import TinyCNN

    monkeypatch.setattr(TinyCNN, "pretrained", True)
    lb = build_leaderboard([root / "leaderboard", run_dir], n_boot=10)
    ranks = lb.boards[0].ranks
    assert "example_cnn" not in set(ranks["model"])
    # A track of its own: ranked after the task-data models, first among its own.
    last = ranks.iloc[-1]
    assert last["model"] == "example_cnn (external data)" and last["rank"] == 1.0
    assert last["rank_high"] == 1.0 and last["tie_group"] == 1
    # kmer_ridge is alone in the task-data track (mean's constant predictions are not
    # ranked); in one track the two learned models would hold ranks 1 and 2.
    assert ranks.iloc[:-1]["rank"].max() == 1.0


def test_cli_prints_one_verdict(published, tmp_path):
    from typer.testing import CliRunner

    from regshift_bench.cli.main import app

    root, sub, _ = published
    passed = CliRunner().invoke(app, ["submission", "check", str(sub), "--against", str(root / "leaderboard")])
    assert passed.exit_code == 0, passed.output
    assert passed.output.startswith("PASS ") and "3 seeds" in passed.output
    copy = _copy(sub, tmp_path)
    (copy / "model_meta.toml").unlink()
    failed = CliRunner().invoke(app, ["submission", "check", str(copy)])
    assert failed.exit_code == 1
    assert failed.output.startswith("FAIL ") and "model_meta.toml is missing" in failed.output


def test_republishing_adds_only_rescored_submission_rows(published, tmp_path):
    from regshift_bench.leaderboard import build_leaderboard, publish
    from regshift_bench.submission.bundle import bundle_notes
    from regshift_bench.submission.check import check_submission

    root, sub, _ = published
    publish(build_leaderboard([root / "leaderboard", sub], n_boot=10), tmp_path / "lb", plots=False, formats=("json",))
    bundle = tmp_path / "lb" / "bundle"
    assert len(list((bundle / "predictions").glob("*.parquet"))) == 18
    # The submission's cells share their settings' examples and references.
    assert len(list((bundle / "predictions" / "settings").glob("*.parquet"))) == 12
    assert bundle_notes(bundle) == []
    # The built-ins' cells keep their split digests through the first bundle.
    digests = json.loads((bundle / "digests.json").read_text())
    first = json.loads((root / "leaderboard" / "bundle" / "digests.json").read_text())
    assert digests["missing"] == [] and digests["settings"] == first["settings"]
    rows = pd.read_parquet(bundle / "results.parquet")
    mine = rows.loc[rows["model"] == "example_cnn"]
    verified = check_submission(sub).rescored.verified
    assert len(mine) == len(verified) and (mine["reference"] == "").all()
    merged = mine.merge(verified, on=["cell", "split", "metric"], suffixes=("", "_again"))
    np.testing.assert_array_equal(merged["value"], merged["value_again"])
    # The built-ins' rows are carried over whole, references included.
    assert (rows.loc[rows["model"] == "kmer_ridge", "reference"] != "").any()


def test_changed_curve_point_fails_with_one_reason(published, tmp_path):
    from regshift_bench.submission.check import check_submission

    _, sub, _ = published
    copy = _copy(sub, tmp_path)
    path = sorted((copy / "curves").glob("*.parquet"))[0]
    frame = pd.read_parquet(path)
    frame.loc[3, "y"] += 0.5
    frame.to_parquet(path, index=False)
    reasons = check_submission(copy).reasons
    assert len(reasons) == 1, reasons
    assert f" {frame.loc[3, 'split']}: its {frame.loc[3, 'curve']} curve points differ" in reasons[0]


def test_a_broken_bundle_is_one_clear_error(published, tmp_path):
    from regshift_bench.submission.layout import read_digests

    with pytest.raises(DataError, match="holds no reference bundle"):
        read_digests(tmp_path)
    root, _, _ = published
    shutil.copytree(root / "leaderboard" / "bundle", tmp_path / "lb" / "bundle")
    (tmp_path / "lb" / "bundle" / "digests.json").write_text("{not json")
    with pytest.raises(DataError, match="digests.json is not valid JSON"):
        read_digests(tmp_path / "lb")
