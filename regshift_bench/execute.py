"""Running a plan: resume, executors (local, process pool, Ray), manifest, summary."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from regshift_bench import paths, plugins, provenance, results
from regshift_bench.errors import RegshiftError
from regshift_bench.plan import Cell, Plan
from regshift_bench.runner import CellOutcome, GroupContext, cell_done, run_cell, run_group

OnOutcome = Callable[[Cell, CellOutcome], None]
MANIFEST_INTERVAL_S = 5.0


@dataclass
class RunSummary:
    """What a finished (or interrupted) run did."""

    run_dir: Path
    planned: int
    skipped_done: int
    outcomes: list[CellOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[CellOutcome]:
        return [o for o in self.outcomes if o.status == "failed" or o.failed_rows]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _manifest(plan: Plan, run_dir: Path, device: str, executor: str,
              previous: dict[str, Any] | None) -> dict[str, Any]:
    cells = dict(previous.get("cells", {})) if previous else {}
    for c in plan.cells:
        cells.setdefault(c.cell, {"status": "pending", "error": "", "seconds": None})
    return {
        "schema_version": results.SCHEMA_VERSION,
        "run": run_dir.name,
        "created": previous.get("created", _now()) if previous else _now(),
        "finished": None,
        "preset": plan.preset,
        "suites": plan.suites,
        "executor": executor,
        "provenance": {**provenance.collect(device),
                       "seeds": sorted({c.seed for c in plan.cells})},
        "plan": [{"cell": c.cell, **{k: v for k, v in asdict(c).items() if k != "cell"}}
                 for c in plan.cells],
        "cells": cells,
    }


def _local(groups: list[list[Cell]], run_dir: Path, device: str, timeout: float | None,
           workers: int, on_outcome: OnOutcome) -> None:
    args = (str(run_dir), run_dir.name, device, timeout, plugins.configured_modules(),
            str(paths.data_dir(required=False) or "") or None)
    if workers <= 1:
        for cells in groups:
            context = GroupContext(run_dir, device)  # reuses the task and trained models
            for cell in cells:
                on_outcome(cell, run_cell(cell, context, run_dir.name, timeout))
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # A spawned pool: forking a process that already holds torch threads can hang.
    import multiprocessing as mp

    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(run_group, cells, *args, threads): cells for cells in groups}
        for fut in as_completed(futures):
            for cell, outcome in zip(futures[fut], fut.result()):
                on_outcome(cell, outcome)


def _ray(groups: list[list[Cell]], run_dir: Path, device: str, timeout: float | None,
         address: str | None, on_outcome: OnOutcome) -> None:
    try:
        import ray
    except ImportError:
        raise RegshiftError("--executor ray needs Ray: pip install 'regshift-bench[ray]'") from None
    started = False
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 ignore_reinit_error=True)
        started = True
    try:
        # One GPU per group when the cells run on CUDA, so Ray spreads them over GPUs.
        remote = ray.remote(num_gpus=1 if device.startswith("cuda") else 0, num_cpus=1)(run_group)
        args = (str(run_dir.resolve()), run_dir.name, device, timeout,
                plugins.configured_modules(), str(paths.data_dir(required=False) or "") or None)
        refs = {remote.remote(cells, *args): cells for cells in groups}  # type: ignore[call-arg]
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                for cell, outcome in zip(refs[ref], ray.get(ref)):
                    on_outcome(cell, outcome)
    finally:
        if started:
            ray.shutdown()


def run_plan(plan: Plan, run_dir: str | Path, *, device: str = "auto", executor: str = "local",
             overwrite: bool = False, workers: int = 1, ray_address: str | None = None,
             timeout: float | None = None,
             on_start: Callable[[int, int], None] | None = None,
             on_outcome: OnOutcome | None = None) -> RunSummary:
    """Run every cell of ``plan`` not already finished in ``run_dir``.

    Parameters
    ----------
    plan : Plan
    run_dir : path
        Output directory; finished cells found there are skipped (resume).
    device : {"auto", "cpu", "cuda"}
    executor : {"local", "ray"}
    overwrite : bool
        Delete ``run_dir`` first instead of resuming.
    workers : int
        Local executor: process-pool size (1 = in this process, in order).
    timeout : float, optional
        Seconds per cell before it is failed with a timeout.
    on_start : callable(total, already_done), optional
    on_outcome : callable(Cell, CellOutcome), optional
        Progress callbacks (the CLI draws its bars with them).
    """
    run_dir = Path(run_dir)
    device = provenance.resolve_device(device)
    if overwrite and run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.glob("**/.*.tmp"):  # half-written files of a killed run
        stale.unlink(missing_ok=True)
    previous = None
    if (run_dir / "manifest.json").exists():
        previous = results.read_manifest(run_dir)
        if previous.get("suites") != plan.suites:
            raise RegshiftError(
                f"{run_dir} holds a run of suites {previous.get('suites')}, not {plan.suites}; "
                "use another --out or --overwrite")
    manifest = _manifest(plan, run_dir, device, executor, previous)
    todo = [c for c in plan.cells if not cell_done(run_dir, c.cell)]
    summary = RunSummary(run_dir, len(plan.cells), len(plan.cells) - len(todo))
    for c in plan.cells:
        if c not in todo:
            manifest["cells"][c.cell]["status"] = "ok"
        elif manifest["cells"][c.cell]["status"] == "ok":  # its file is gone or failed
            manifest["cells"][c.cell]["status"] = "pending"
    # One entry per invocation, so a resumed run keeps the timing of each part.
    manifest["sessions"] = [*(previous or {}).get("sessions", []),
                            {"started": _now(), "finished": None, "seconds": None, "cells_run": 0}]
    results.write_json_atomic(manifest, run_dir / "manifest.json")
    if on_start:
        on_start(len(plan.cells), summary.skipped_done)
    start = time.perf_counter()
    todo_ids = {c.cell for c in todo}
    groups = [[c for c in g if c.cell in todo_ids] for g in plan.groups()]
    groups = [g for g in groups if g]

    last_write = [time.perf_counter()]

    def record(cell: Cell, outcome: CellOutcome) -> None:
        summary.outcomes.append(outcome)
        manifest["cells"][cell.cell] = {"status": outcome.status, "error": outcome.error,
                                        "seconds": round(outcome.seconds, 3),
                                        "failed_rows": outcome.failed_rows,
                                        "session": len(manifest["sessions"]) - 1}
        if outcome.warning:  # recorded, never silent (e.g. a cached model retrained)
            manifest["cells"][cell.cell]["warning"] = outcome.warning
        # The manifest holds the whole plan, so it is rewritten at most every few
        # seconds; the per-cell files stay the ground truth if a kill beats it.
        if time.perf_counter() - last_write[0] > MANIFEST_INTERVAL_S:
            results.write_json_atomic(manifest, run_dir / "manifest.json")
            last_write[0] = time.perf_counter()
        if on_outcome:
            on_outcome(cell, outcome)

    try:
        if executor == "local":
            _local(groups, run_dir, device, timeout, workers, record)
        elif executor == "ray":
            _ray(groups, run_dir, device, timeout, ray_address, record)
        else:
            raise RegshiftError(f"unknown executor {executor!r}; use local or ray")
    finally:
        summary.seconds = time.perf_counter() - start
        manifest["finished"] = _now() if len(summary.outcomes) == len(todo) else None
        manifest["seconds"] = round(summary.seconds, 3)
        manifest["sessions"][-1].update(finished=_now(), seconds=round(summary.seconds, 3),
                                        cells_run=len(summary.outcomes))
        results.write_json_atomic(manifest, run_dir / "manifest.json")
        results.consolidate(run_dir, {"manifest": {k: manifest[k] for k in (
            "schema_version", "run", "created", "finished", "preset", "suites", "provenance")}})
    return summary


def iter_failures(summary: RunSummary, plan: Plan) -> Iterable[tuple[Cell, CellOutcome]]:
    by_id = {c.cell: c for c in plan.cells}
    for o in summary.failed:
        yield by_id[o.cell], o
