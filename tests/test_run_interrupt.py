"""Ctrl-C during `rsbench run` (issue 14, item 7): prompt, truthful, resumable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from regshift_bench import plan as planning
from regshift_bench import plugins, tasks
from regshift_bench.execute import RunInterrupted, run_plan

ROOT = Path(__file__).parent.parent
TOY_SUITE = str(ROOT / "tests" / "plugins" / "toy_suite.toml")


def _statuses(run_dir: Path) -> tuple[dict[str, str], set[str]]:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    files = {p.stem for p in (run_dir / "cells").glob("*.parquet")}
    return {k: v["status"] for k, v in manifest["cells"].items()}, files


def _start_slow_run(out: Path) -> subprocess.Popen:
    """`rsbench run` of the slow toy model on two workers, returned once a cell is on disk."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "COLUMNS": "200", "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "regshift_bench.cli",
            "--plugin",
            "plugins.toy_plugin",
            "run",
            "--task",
            TOY_SUITE,
            "--preset",
            "smoke",
            "--model",
            "toy_slow",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        # A shell's background job (`pytest ... &`) ignores SIGINT and its children
        # inherit that; a terminal's foreground run, which this test plays, does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 240  # a hang guard, not a measurement
    while time.monotonic() < deadline and proc.poll() is None:
        if list((out / "cells").glob("*.parquet")):
            break
        time.sleep(0.1)
    assert proc.poll() is None, proc.communicate()
    return proc


def test_interrupt_keeps_finished_cells_and_says_so(tmp_path, capsys):
    from plugins import ux_plugin
    from regshift_bench.cli.main import main

    ux_plugin.Interrupting.fits = 0
    argv = [
        "rsbench",
        "--plugin",
        "plugins.ux_plugin",
        "--plugin",
        "plugins.toy_plugin",
        "run",
        "--task",
        TOY_SUITE,
        "--preset",
        "smoke",
        "--model",
        "ux_interrupting",
        "--out",
        str(tmp_path / "r"),
    ]
    old, sys.argv = sys.argv, argv
    try:
        with pytest.raises(SystemExit) as exit_:
            main()
    finally:
        sys.argv = old
    err = capsys.readouterr().err
    assert exit_.value.code == 130
    # Seed 0's group (3 cells) finished; seed 1's first fit was interrupted.
    assert f"interrupted: 3 of 6 cells kept in {tmp_path / 'r'}; run the same command to resume" in " ".join(
        err.split()
    )
    status, files = _statuses(tmp_path / "r")
    assert {k for k, v in status.items() if v == "ok"} == files and len(files) == 3
    assert sorted(status.values()).count("pending") == 3


def test_interrupt_from_run_plan_is_a_keyboard_interrupt(tmp_path):
    from plugins import ux_plugin

    plugins.configure(("plugins.ux_plugin", "plugins.toy_plugin"))
    ux_plugin.Interrupting.fits = 1  # the first fit of this run is the second of the process
    the_plan = planning.expand([tasks.load_suite(TOY_SUITE)], "smoke", models=["ux_interrupting"])
    with pytest.raises(KeyboardInterrupt) as info:
        run_plan(the_plan, tmp_path / "r")
    assert isinstance(info.value, RunInterrupted) and (info.value.kept, info.value.total) == (0, 6)
    assert (tmp_path / "r" / "results.parquet").exists()
    again = run_plan(the_plan, tmp_path / "r")  # "run the same command": resumes
    assert len(again.outcomes) == 6 and not again.failed


def test_pool_reports_each_cell_as_it_finishes(tmp_path):
    plugins.configure(("plugins.toy_plugin",))
    the_plan = planning.expand([tasks.load_suite(TOY_SUITE)], "smoke", models=["toy_slow"])
    group_of = {c.cell: i for i, g in enumerate(the_plan.groups()) for c in g}
    on_disk_when_reported: dict[int, list[int]] = {}

    def on_outcome(cell, outcome):
        group = group_of[cell.cell]
        files = sum(group_of.get(p.stem) == group for p in (tmp_path / "r" / "cells").glob("*.parquet"))
        on_disk_when_reported.setdefault(group, []).append(files)

    run_plan(the_plan, tmp_path / "r", workers=2, on_outcome=on_outcome)
    assert sorted(len(v) for v in on_disk_when_reported.values()) == [3, 3]
    # Reported per cell, a group's first cell arrives while the group is still running
    # (toy_slow sleeps in every prediction); reported per group, all 3 files would exist.
    assert all(min(v) < 3 for v in on_disk_when_reported.values()), on_disk_when_reported
    status, files = _statuses(tmp_path / "r")
    assert set(status.values()) == {"ok"} and len(files) == 6


def test_ctrl_c_with_two_workers_exits_promptly_with_a_true_manifest(tmp_path):
    out = tmp_path / "r"
    proc = _start_slow_run(out)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)  # a hang guard, not a measurement
    assert proc.returncode == 130, stderr
    message = " ".join(stderr.split())
    assert "Traceback" not in stderr
    assert "run the same command to resume" in message
    status, files = _statuses(out)
    kept = {k for k, v in status.items() if v == "ok"}
    assert kept == files
    # Prompt: the workers were stopped, not waited for (each group has 3 slow cells,
    # and a worker allowed to finish its group would leave all 6 cells on disk).
    assert 1 <= len(files) < 6
    assert f"interrupted: {len(files)} of 6 cells kept in {out}" in message


def test_wall_seconds_sums_sessions_and_counts_a_killed_one_to_its_last_cell():
    from regshift_bench.results import wall_seconds

    sessions = [
        # killed: no seconds, progress kept up to its last cell (10 min)
        {"started": "2026-01-01T10:00:00+00:00", "seconds": None, "last_cell": "2026-01-01T10:10:00+00:00"},
        # killed before any cell: counts nothing
        {"started": "2026-01-01T11:00:00+00:00", "seconds": None},
        {"started": "2026-01-01T12:00:00+00:00", "seconds": 90.5, "last_cell": "2026-01-01T12:01:00+00:00"},
    ]
    assert wall_seconds(sessions) == 600 + 90.5


def test_a_resumed_run_records_each_sessions_progress_and_the_total(tmp_path):
    from plugins import ux_plugin

    plugins.configure(("plugins.ux_plugin", "plugins.toy_plugin"))
    ux_plugin.Interrupting.fits = 0  # the second fit of the run interrupts it
    the_plan = planning.expand([tasks.load_suite(TOY_SUITE)], "smoke", models=["ux_interrupting"])
    with pytest.raises(KeyboardInterrupt):
        run_plan(the_plan, tmp_path / "r")
    run_plan(the_plan, tmp_path / "r")
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    first, second = manifest["sessions"]
    assert (first["cells_run"], second["cells_run"]) == (3, 3)
    assert first["last_cell"] and second["last_cell"]
    # CPU float reductions depend on the thread count: each session says what it used.
    import torch

    assert first["workers"] == 1 and first["torch_threads"] == torch.get_num_threads()
    assert manifest["wall_seconds"] == pytest.approx(first["seconds"] + second["seconds"], abs=1e-3)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_to_the_run_stops_its_workers_and_keeps_a_true_manifest(tmp_path):
    # `kill PID` (a scheduler's stop) reaches the parent alone: without handling it, the
    # pool's workers were orphaned and went on to finish their groups.
    out = tmp_path / "r"
    proc = _start_slow_run(out)
    proc.terminate()  # SIGTERM to the parent only
    stdout, stderr = proc.communicate(timeout=120)  # a hang guard, not a measurement
    assert proc.returncode == 130, stderr
    assert "run the same command to resume" in " ".join(stderr.split())
    deadline = time.monotonic() + 60  # hang guard: the workers are gone, not waited for
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(proc.pid), "a pool worker outlived the stopped run"
    status, files = _statuses(out)
    assert {k for k, v in status.items() if v == "ok"} == files
    assert 1 <= len(files) < 6
