"""`rsbench simulate`: Parquet export whose noise_var matches repeated measurements."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset
from regshift_bench.cli.main import app


def _run(*args: str):
    result = CliRunner().invoke(app, ["simulate", *args])
    return result


def test_export_parquet_noise_var_matches_remeasurement(tmp_path):
    out = tmp_path / "sim.parquet"
    res = _run(
        "--task",
        "sim",
        "--shift",
        "depth_drop",
        "--severity",
        "0.5",
        "--n",
        "120",
        "--seed",
        "3",
        "--param",
        "seq_len=80",
        "--param",
        "n_motifs=6",
        "--out",
        str(out),
    )
    assert res.exit_code == 0, res.output
    table = pq.read_table(out)
    prov = json.loads(table.schema.metadata[b"rsbench"])
    assert prov["shift"] == "depth_drop" and prov["seed"] == 3 and prov["split"] == "test_ood"
    assert json.loads(prov["task_params"])["seq_len"] == 80 and prov["rsbench_version"]
    df = table.to_pandas()
    assert len(df) == 120 and {"seq", "y", "y_true", "noise_var", "sites", "cell_type", "batch", "depth"} <= set(df)
    site = df.sites[df.sites.map(len) > 0].iloc[0][0]
    assert set(site) == {"tf", "start", "strand"}
    # Re-measure the exported elements many times from the file alone.
    task = get_plugin("task", "sim", seq_len=80, n_motifs=6)
    cfg = get_plugin("shift", "depth_drop", severity=0.5).shifted(task.config())
    data = SeqDataset.from_strings(df.seq.tolist(), df.y.to_numpy(), meta=df.drop(columns=["seq", "y"]))
    ys = np.stack([task.remeasure(data, cfg, np.random.default_rng(r)).y for r in range(200)])
    ratio = ys.var(axis=0, ddof=1) / df.noise_var.to_numpy()
    assert abs(np.median(ratio) - 1) < 0.08
    # Same seed, same file content.
    out2 = tmp_path / "again.parquet"
    _run(
        "--shift",
        "depth_drop",
        "--severity",
        "0.5",
        "--n",
        "120",
        "--seed",
        "3",
        "--param",
        "seq_len=80",
        "--param",
        "n_motifs=6",
        "--out",
        str(out2),
    )
    np.testing.assert_array_equal(pq.read_table(out2).column("y").to_numpy(), df.y.to_numpy())


@pytest.mark.parametrize(
    "args, msg",
    [
        (["--split", "bogus"], "expected one of"),
        (["--task", "nope"], "unknown task"),
        (["--shift", "gc_shfit"], "did you mean"),
    ],
)
def test_export_errors_are_one_line(tmp_path, args, msg):
    res = _run("--n", "8", "--out", str(tmp_path / "x.parquet"), *args)
    assert res.exit_code != 0
    assert msg in str(res.exception)
