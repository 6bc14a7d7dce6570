"""Bundle format 2: examples and references once per data setting, test splits only,
read back into the very arrays (and boards) the run itself gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regshift_bench.errors import DataError
from regshift_bench.leaderboard import build_leaderboard, load_runs, publish
from regshift_bench.leaderboard.render_text import render_json
from regshift_bench.submission.bundle import bundle_notes
from regshift_bench.submission.layout import BUNDLE_FORMAT, read_digests
from regshift_bench.testing.synthetic_run import write_synthetic_run

SHIFTS = {"none": (0.0,), "gc_shift": (1.0,), "motif_loss": (1.0,)}
MODELS = ("mean", "cnn", "bilstm")
TEST_SPLITS = ("test_id", "test_ood")


def _float32_values(run: Path) -> None:
    """Round every stored prediction to float32, the bundle's precision, so the run and
    its bundle must give the same numbers (the files stay float64)."""
    for path in (run / "predictions").glob("*.parquet"):
        table = pq.read_table(path)
        cols = [
            col.cast(pa.float32()).cast(col.type) if pa.types.is_floating(col.type) else col for col in table.columns
        ]
        pq.write_table(pa.Table.from_arrays(cols, schema=table.schema), path)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A simulator task with its oracle and a real-data task, 3 models, 2 seeds, and the
    leaderboard folder published from it."""
    tmp = tmp_path_factory.mktemp("bundle2")
    run = write_synthetic_run(
        tmp / "run",
        tasks=("sim", "real"),
        seeds=2,
        n_test=60,
        n_val=24,
        models=MODELS,
        references=("source_oracle",),
        shifts=SHIFTS,
        metrics=("mse", "pearson", "coverage_90", "z2"),
    )
    _float32_values(run)
    lb = build_leaderboard([run], n_boot=20)
    publish(lb, tmp / "site", plots=False, formats=("json",))
    return run, tmp / "site", lb


def _without_provenance(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "provenance"}


def test_board_from_the_bundle_equals_the_board_from_the_run(published):
    run, site, lb = published
    again = build_leaderboard([site], n_boot=20)
    ours, theirs = render_json(lb), render_json(again)
    assert ours["findings"] and ours["tasks"][0]["ranks"]
    assert _without_provenance(theirs) == _without_provenance(ours)


def test_reader_gives_the_runs_arrays(published):
    run, site, _ = published
    a, b = load_runs([run]), load_runs([site])
    cells = a.plan.loc[a.plan["status"] == "ok", "cell"]
    assert len(cells) == 2 * 3 * 3 * 2 and set(cells) == set(b.plan["cell"])
    for cell in cells:
        splits = set(pq.read_table(run / "predictions" / f"{cell}.parquet")["split"].to_pylist())
        assert "val" in splits and "test_id" in splits
        for split in sorted(splits - {"val"}):
            ours, theirs = a.predictions(0, cell, split), b.predictions(0, cell, split)
            assert ours is not None and theirs is not None and len(ours["row"])
            for col, values in ours.items():
                np.testing.assert_array_equal(theirs[col], values, err_msg=f"{cell} {col}")
            ref_a = a.reference_predictions(0, cell, split, "source_oracle")
            ref_b = b.reference_predictions(0, cell, split, "source_oracle")
            assert (ref_a is None) == (ref_b is None)
            for col in ref_a or {}:
                np.testing.assert_array_equal(ref_b[col], ref_a[col])


def test_layout_keeps_shared_files_once_per_setting(published):
    run, site, _ = published
    bundle = site / "bundle"
    section = json.loads((bundle / "manifest.json").read_text())["bundle"]
    assert section["format"] == BUNDLE_FORMAT == 2
    assert section["dropped"] == {"splits": ["val"], "columns": ["aleatoric"]}
    settings = section["settings"]
    assert len(settings) == 2 * 3 * 2  # task x shift x seed
    assert all(len(e["examples"]) == 3 and "whole" not in e for e in settings.values())
    shared = bundle / "predictions" / "settings"
    assert len(list(shared.glob("*.examples.parquet"))) == 12
    assert len(list(shared.glob("*.references.parquet"))) == 6  # the simulator's settings
    assert not list((bundle / "predictions").glob("*.references.parquet"))
    cell = pq.read_table(next((bundle / "predictions").glob("*.parquet")))
    assert cell.column_names == ["split", "row", "mean", "var", "epistemic"]
    assert set(cell["split"].to_pylist()) <= set(TEST_SPLITS)
    assert cell.schema.field("mean").type == pa.float32()
    assert bundle_notes(bundle) == []


def test_a_cell_that_differs_from_its_setting_is_kept_whole(published, tmp_path):
    run, _, _ = published
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    runs = load_runs([copy])
    ok = runs.plan.loc[
        (runs.plan["status"] == "ok") & (runs.plan["shift"] == "gc_shift") & (runs.plan["task"] == "sim")
    ]
    odd = ok.iloc[0]["cell"]
    path = copy / "predictions" / f"{odd}.parquet"
    frame = pq.read_table(path).to_pandas()
    last = frame.index[frame["split"] == "test_ood"][-1]
    frame.loc[last, "y"] += 1.0  # a label the other models of the setting did not see
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    refs = copy / "predictions" / f"{odd}.references.parquet"
    ref_frame = pq.read_table(refs).to_pandas()
    ref_frame.loc[ref_frame.index[ref_frame["split"] == "test_ood"][-1], "mean"] += 0.5
    pq.write_table(pa.Table.from_pandas(ref_frame, preserve_index=False), refs)
    from typer.testing import CliRunner

    from regshift_bench.cli.main import app

    done = CliRunner().invoke(
        app,
        [
            "leaderboard",
            "publish",
            str(copy),
            "--out",
            str(tmp_path / "site"),
            "-f",
            "json",
            "--no-plots",
            "--n-boot",
            "10",
        ],
    )
    assert done.exit_code == 0, done.output
    bundle = tmp_path / "site" / "bundle"
    assert (bundle / "predictions" / f"{odd}.references.parquet").is_file()
    assert "y" in pq.read_schema(bundle / "predictions" / f"{odd}.parquet").names
    notes = bundle_notes(bundle)
    assert len(notes) == 1 and "1 cell(s) keep their own examples" in notes[0]
    assert "1 cell(s) keep their own references" in notes[0]
    assert notes[0].startswith(f"sim/gc_shift@1/seed{ok.iloc[0]['seed']}: ")
    assert f"bundle: {notes[0]}" in " ".join(done.output.split())
    back, runs = load_runs([tmp_path / "site"]), load_runs([copy])
    for name in ("predictions", "reference_predictions"):
        args = (0, odd, "test_ood") + (("source_oracle",) if name != "predictions" else ())
        ours, theirs = getattr(runs, name)(*args), getattr(back, name)(*args)
        for col, values in ours.items():
            np.testing.assert_array_equal(theirs[col], values.astype(theirs[col].dtype))


def test_republishing_from_the_bundle_gives_the_same_bundle(published, tmp_path):
    _, site, _ = published
    publish(build_leaderboard([site], n_boot=10), tmp_path / "again", plots=False, formats=("json",))
    old, new = site / "bundle" / "predictions", tmp_path / "again" / "bundle" / "predictions"
    names = sorted(p.relative_to(old) for p in old.rglob("*.parquet"))
    assert names == sorted(p.relative_to(new) for p in new.rglob("*.parquet"))
    for name in names:
        assert pq.read_table(new / name).equals(pq.read_table(old / name)), name
    digests = [json.loads((p / "digests.json").read_text()) for p in (site / "bundle", tmp_path / "again" / "bundle")]
    assert digests[1] == digests[0]


def test_another_format_is_one_clear_error(published, tmp_path):
    _, site, _ = published
    shutil.copytree(site / "bundle", tmp_path / "lb" / "bundle")
    bundle = tmp_path / "lb" / "bundle"
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["bundle"]["format"] = 1
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(
        DataError,
        match=r"manifest.json: reference bundle format 1 is not the "
        r"format 2 .*re-publish",
    ):
        load_runs([tmp_path / "lb"])
    digests = json.loads((bundle / "digests.json").read_text())
    digests["format"] = 3
    (bundle / "digests.json").write_text(json.dumps(digests))
    with pytest.raises(DataError, match=r"digests.json: reference bundle format 3 .*re-publish"):
        read_digests(tmp_path / "lb")
