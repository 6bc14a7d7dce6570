"""The runner stores the task's references (oracle, noise ceiling) per example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from regshift_bench import plugins, tasks
from regshift_bench.execute import run_plan
from regshift_bench.plan import expand


def test_reference_predictions_pair_with_the_model_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("RSBENCH_DISABLE_PLUGIN_AUTOLOAD", "1")
    plugins.configure(())
    plan = expand([tasks.find_suite("sim")], "smoke", models=["mean"], shifts=["gc_shift"], seeds=1)
    run = tmp_path / "run"
    assert not run_plan(plan, run, device="cpu").failed
    frame = pd.read_parquet(run / "results.parquet")
    for cell in sorted(set(frame["cell"])):
        refs = pq.read_table(run / "predictions" / f"{cell}.references.parquet").to_pandas()
        preds = pd.read_parquet(run / "predictions" / f"{cell}.parquet")
        assert {"source_oracle", "noise_ceiling"} <= set(refs["reference"])
        for split, got in refs[refs["reference"] == "source_oracle"].groupby("split"):
            mine = preds[preds["split"] == split].sort_values("row")
            got = got.sort_values("row")
            assert np.array_equal(got["row"].to_numpy(), mine["row"].to_numpy())
            # The stored oracle reproduces the oracle's recorded mse on the same labels.
            mse = float(np.mean((mine["y"].to_numpy() - got["mean"].to_numpy()) ** 2))
            rec = frame[(frame["cell"] == cell) & (frame["split"] == split) & (frame["metric"] == "source_oracle_mse")][
                "value"
            ]
            assert len(rec) == 1 and np.isclose(mse, float(rec.iloc[0]), rtol=1e-9)
