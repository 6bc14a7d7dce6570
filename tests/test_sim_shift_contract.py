"""Every simulator shift, from the registry: severity 0 is `none`, its quantity is
monotone in severity, and its kind matches what the source oracle sees."""

from __future__ import annotations

import numpy as np
import pytest

from regshift_bench import get_plugin, plugins
from regshift_bench.api import SplitSizes
from rsbench_sim.diagnostics import oracle_row
from rsbench_sim.shifts import SHIFTS
from rsbench_sim.task import SimTask

SIZES = SplitSizes(32, 16, 300)
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def task() -> SimTask:
    return SimTask(seq_len=100, n_motifs=8)


def _sim_shifts() -> list[str]:
    """Every registered shift owned by the simulator plugin."""
    plugins.configure(())
    return sorted(e.name for e in plugins.current().registry.entries("shift") if e.owner == "sim")


def test_registry_and_table_agree():
    assert _sim_shifts() == sorted(SHIFTS)


@pytest.mark.parametrize("name", _sim_shifts())
def test_severity_zero_draws_exactly_what_none_draws(task, name):
    none = get_plugin("shift", "none").split(task, np.random.default_rng(11), SIZES)
    zero = get_plugin("shift", name, severity=0.0).split(task, np.random.default_rng(11), SIZES)
    for part in ("train", "val", "test_id", "test_ood"):
        a, b = getattr(none, part), getattr(zero, part)
        for field in ("seqs", "y", "y_true", "noise_var"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=f"{part}.{field}")
        for col in ("activity", "batch", "dna_count", "rna_count", "n_sites"):
            np.testing.assert_array_equal(
                a.meta[col].to_numpy(), b.meta[col].to_numpy(), err_msg=f"{part}.meta[{col!r}]"
            )


@pytest.mark.parametrize("name", _sim_shifts())
def test_own_quantity_rises_with_severity(task, name):
    values = []
    for s in (0.0, 0.5, 1.0):
        shift = get_plugin("shift", name, severity=s)
        splits = shift.split(task, np.random.default_rng(5), SplitSizes(16, 16, 400))
        values.append(shift.quantity(task, splits.test_ood))
    assert values[0] < values[1] < values[2], (name, values)


@pytest.mark.parametrize("name", _sim_shifts())
def test_docstring_says_what_severity_one_means(name):
    doc = get_plugin("shift", name).__class__.__doc__ or ""
    assert "Severity 1" in doc and any(ch.isdigit() for ch in doc.split("Severity 1", 1)[1][:300])


def test_source_oracle_relative_to_ceiling_matches_the_kind():
    """Severity 1 on the default task: mechanism shifts <= 0.95, gc_shift >= 0.97."""
    task = get_plugin("task", "sim")
    mechanism = [
        e.name
        for e in plugins.current().registry.entries("shift")
        if e.factory.kind == "mechanism" and get_plugin("shift", e.name).applies_to(task)
    ]
    assert {"pwm_perturbation", "cooperativity_loss", "motif_rewiring"} <= set(mechanism)
    for name in mechanism:
        for row in oracle_row(task, name, 1.0, n=1500, seed=1):
            assert row["ratio"] <= 0.95, row
    (gc,) = oracle_row(task, "gc_shift", 1.0, n=1500, seed=1)
    assert gc["ratio"] >= 0.97, gc


def test_smoke_run_writes_reference_rows(tmp_path):
    from typer.testing import CliRunner

    from regshift_bench import results
    from regshift_bench.cli.main import app

    out = CliRunner().invoke(
        app,
        [
            "run",
            "--task",
            "sim",
            "--preset",
            "smoke",
            "--model",
            "mean",
            "--shift",
            "cooperativity_loss",
            "--out",
            str(tmp_path / "r"),
            "--device",
            "cpu",
        ],
    )
    assert out.exit_code == 0, out.output
    df = results.read_results(tmp_path / "r")
    assert set(df["reference"]) == {"", "noise_ceiling", "source_oracle"}
    assert dict(zip(df["shift"], df["shift_kind"])) == {"none": "selection", "cooperativity_loss": "mechanism"}
    ood = df[(df["split"] == "test_ood") & (df["severity"] == 1.0)].set_index("metric")["value"]
    for ref in ("noise_ceiling", "source_oracle"):
        for metric in ("pearson", "mse", "nll", "coverage_90"):
            assert np.isfinite(ood[f"{ref}_{metric}"]), (ref, metric)
    assert ood["noise_ceiling_pearson"] > ood["source_oracle_pearson"]
    assert ood["noise_ceiling_mse"] < ood["source_oracle_mse"] < ood["mse"]
    # The ceiling's predictive distribution is the truth: calibrated by construction.
    assert abs(ood["noise_ceiling_coverage_90"] - 0.9) < 0.08
