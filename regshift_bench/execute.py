"""Running a plan: resume, executors (local, process pool, Ray), manifest, summary."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from regshift_bench import paths, plugins, provenance, results
from regshift_bench.cell import Cell
from regshift_bench.errors import RegshiftError
from regshift_bench.plan import Plan
from regshift_bench.rundir import check_run_dir, drop_stale, extension_note, reconcile, stale_cells
from regshift_bench.runner import CellOutcome, cell_done, run_group

__all__ = [
    "RunInterrupted",
    "RunSummary",
    "check_run_dir",
    "extension_note",
    "iter_failures",
    "run_plan",
    "stale_cells",
]

OnOutcome = Callable[[Cell, CellOutcome], None]
MANIFEST_INTERVAL_S = 5.0


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_plan`; the manifest and files were brought up to date.

    Attributes
    ----------
    run_dir : Path
    kept, total : int
        Finished cells on disk, and cells in the plan.
    """

    def __init__(self, run_dir: Path, kept: int, total: int) -> None:
        self.run_dir, self.kept, self.total = run_dir, kept, total
        super().__init__(f"interrupted: {kept} of {total} cells kept in {run_dir}; run the same command to resume")


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


def _manifest(plan: Plan, run_dir: Path, device: str, executor: str, previous: dict[str, Any] | None) -> dict[str, Any]:
    cells = dict(previous.get("cells", {})) if previous else {}
    earlier = ((previous or {}).get("provenance") or {}).get("git_commit")
    for key, entry in cells.items():  # cells of a run from before cells recorded it
        if entry.get("status") == "ok" and not entry.get("commit") and earlier:
            cells[key] = {**entry, "commit": earlier}
    for c in plan.cells:
        cells.setdefault(c.cell, {"status": "pending", "error": "", "seconds": None})
    # The plan of a directory only grows: a resumed subset or a --merge keeps the rest.
    entries = [{"cell": c.cell, **{k: v for k, v in asdict(c).items() if k != "cell"}} for c in plan.cells]
    ids = {c.cell for c in plan.cells}
    kept = [e for e in (previous or {}).get("plan", []) if e.get("cell") not in ids]
    return {
        "schema_version": results.SCHEMA_VERSION,
        "run": run_dir.name,
        "created": previous.get("created", _now()) if previous else _now(),
        "finished": None,
        "preset": plan.preset,
        "suites": {**(previous or {}).get("suites", {}), **plan.suites},
        "executor": executor,
        "provenance": {**provenance.collect(device), "seeds": sorted({c.seed for c in plan.cells})},
        "plan": kept + entries,
        "cells": cells,
    }


def pool_threads(workers: int) -> int:
    """Torch threads of each pool worker: the cores shared out among the workers."""
    return max(1, (os.cpu_count() or 1) // workers)


def pinned_threads() -> int | None:
    """The thread count pinned by ``OMP_NUM_THREADS`` (None when unset or not a count)."""
    raw = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def session_threads(executor: str, workers: int) -> int:
    """Torch (and BLAS) threads each cell of a run session computes with, by default.

    ``OMP_NUM_THREADS`` when set; otherwise torch's default in this process for one
    local worker, the cores shared out for a pool, and 1 on Ray (one CPU per group).
    Every executor sets it for every group, and the manifest records it per session:
    CPU float reductions depend on the thread count, so a run is bit-identical to
    another only at the same count.
    """
    pinned = pinned_threads()
    if pinned:
        return pinned
    if executor == "ray":
        return 1
    if workers > 1:
        return pool_threads(workers)
    import torch

    return torch.get_num_threads()


def _local(
    groups: list[list[Cell]],
    run_dir: Path,
    device: str,
    timeout: float | None,
    workers: int,
    threads: int,
    on_outcome: OnOutcome,
) -> None:
    args = (
        str(run_dir),
        run_dir.name,
        device,
        timeout,
        plugins.configured_modules(),
        str(paths.data_dir(required=False) or "") or None,
    )
    if workers <= 1:
        by_id = {c.cell: c for cells in groups for c in cells}

        def announce(outcome: CellOutcome) -> None:
            on_outcome(by_id[outcome.cell], outcome)

        for cells in groups:
            # In this process: the data directory is already set; each group gets a
            # fresh context (task, trained models) and the run's thread count.
            run_group(cells, *args[:5], threads=threads, on_outcome=announce)
        return
    _pool(groups, args, workers, threads, on_outcome)


_WORKER_QUEUE: Any = None  # in a pool worker: where each finished cell is announced


def _worker_init(queue: Any, counter: Any = None, device: str = "cpu") -> None:
    """Pool worker set-up: Ctrl-C is the parent's to handle; outcomes go to ``queue``.

    On ``device="cuda"`` each worker (a spawned process with its own CUDA context)
    takes the next visible GPU in turn, so ``--workers N`` spreads over every local
    GPU and shares them when N exceeds their number.
    """
    global _WORKER_QUEUE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_QUEUE = queue
    if counter is not None and device == "cuda":
        import torch

        with counter.get_lock():
            index, counter.value = counter.value, counter.value + 1
        gpu = worker_gpu(index, torch.cuda.device_count())
        if gpu is not None:
            torch.cuda.set_device(gpu)


def worker_gpu(index: int, count: int) -> int | None:
    """The GPU of pool worker ``index`` among ``count`` visible ones (None: none visible)."""
    return index % count if count > 0 else None


def _announce(outcome: CellOutcome) -> None:
    _WORKER_QUEUE.put(outcome)


def _pool(groups: list[list[Cell]], args: tuple[Any, ...], workers: int, threads: int, on_outcome: OnOutcome) -> None:
    """Groups on a spawned process pool; each cell is reported as it finishes.

    Workers ignore SIGINT: on Ctrl-C the parent terminates them at once (every file
    is written through a temporary name, so a killed cell leaves nothing half-written)
    instead of waiting for their groups to end.
    """
    import multiprocessing as mp
    import queue as queue_mod
    from concurrent.futures import ProcessPoolExecutor

    # A spawned pool: forking a process that already holds torch threads can hang.
    ctx = mp.get_context("spawn")
    announced = ctx.Queue()
    by_id = {c.cell: c for cells in groups for c in cells}
    seen: set[str] = set()

    def record(outcome: CellOutcome) -> None:
        if outcome.cell not in seen:
            seen.add(outcome.cell)
            on_outcome(by_id[outcome.cell], outcome)

    device = str(args[2])
    pool = ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_worker_init, initargs=(announced, ctx.Value("i", 0), device)
    )
    try:
        job = functools.partial(run_group, threads=threads, on_outcome=_announce)
        futures = {pool.submit(job, cells, *args): cells for cells in groups}
        pending = set(futures)
        while pending:
            try:
                record(announced.get(timeout=0.2))
            except queue_mod.Empty:
                pass
            for fut in [f for f in pending if f.done()]:
                pending.discard(fut)
                for outcome in fut.result():  # any not announced yet; raises if a worker died
                    record(outcome)
    except BaseException:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        announced.cancel_join_thread()
        announced.close()
    pool.shutdown(wait=True)


def _ray(
    groups: list[list[Cell]],
    run_dir: Path,
    device: str,
    timeout: float | None,
    address: str | None,
    threads: int,
    on_outcome: OnOutcome,
    gpus_per_group: float = 1.0,
) -> None:
    try:
        import ray
    except ImportError:
        raise RegshiftError("--executor ray needs Ray: pip install 'regshift-bench[ray]'") from None
    started = False
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
        started = True
    try:
        share = ray_resources(device, gpus_per_group)
        remote = ray.remote(num_cpus=share["num_cpus"], num_gpus=share["num_gpus"])(run_group)
        args = (
            str(run_dir.resolve()),
            run_dir.name,
            device,
            timeout,
            plugins.configured_modules(),
            str(paths.data_dir(required=False) or "") or None,
        )
        refs = {
            remote.remote(cells, *args, threads=threads): cells  # type: ignore[call-arg]
            for cells in groups
        }
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                for cell, outcome in zip(refs[ref], ray.get(ref)):
                    on_outcome(cell, outcome)
    finally:
        if started:
            ray.shutdown()


def ray_resources(device: str, gpus_per_group: float = 1.0) -> dict[str, float]:
    """What one cell group asks Ray for: a CPU, and on CUDA ``gpus_per_group`` of a GPU.

    Ray spreads the groups over the cluster's GPUs and packs ``1 / gpus_per_group``
    onto each (it sets ``CUDA_VISIBLE_DEVICES`` per task, so ``cuda`` is the share's GPU).
    """
    return {"num_cpus": 1, "num_gpus": float(gpus_per_group) if device.startswith("cuda") else 0}


def run_plan(
    plan: Plan,
    run_dir: str | Path,
    *,
    device: str = "auto",
    executor: str = "local",
    overwrite: bool = False,
    workers: int = 1,
    ray_address: str | None = None,
    timeout: float | None = None,
    merge: bool = False,
    gpus_per_group: float = 1.0,
    threads: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_outcome: OnOutcome | None = None,
    previous: dict[str, Any] | None | str = "check",
) -> RunSummary:
    """Run every cell of ``plan`` not already finished in ``run_dir``.

    Parameters
    ----------
    plan : Plan
    run_dir : path
        Output directory; finished cells found there are skipped (resume).
    device : {"auto", "cpu", "cuda"}
    executor : {"local", "ray"}
    overwrite : bool
        Delete ``run_dir`` (a run directory) first instead of resuming.
    workers : int
        Local executor: process-pool size (1 = in this process, in order). With
        ``device="cuda"`` the workers take the visible GPUs in turn (several per GPU
        when ``workers`` exceeds them), each with its own CUDA context.
    timeout : float, optional
        Seconds per cell before it is failed with a timeout.
    merge : bool
        Allow adding cells to a run directory that holds another plan.
    gpus_per_group : float
        Ray executor on CUDA: the GPU share each cell group asks for (0.25 packs four
        groups on one GPU); must be in (0, 1] or a whole number.
    threads : int, optional
        Torch and BLAS threads of every cell group, on every executor; default
        :func:`session_threads`. Recorded as the session's ``torch_threads``.
    on_start : callable(total, already_done), optional
    on_outcome : callable(Cell, CellOutcome), optional
        Progress callbacks (the CLI draws its bars with them), called once per cell.
    previous : dict or None, optional
        What :func:`check_run_dir` returned for this plan and directory, when the
        caller already checked it (:func:`regshift_bench.run_api.prepare`); by
        default the directory is checked here.

    Raises
    ------
    RegshiftError
        ``run_dir`` is a file, a folder that is not a run directory, or holds another
        plan (without ``merge``).
    RunInterrupted
        On Ctrl-C, after the manifest and ``results.parquet`` match the files.
    """
    run_dir = Path(run_dir)
    device = provenance.resolve_device(device)
    threads = _check_shares(gpus_per_group, threads) or session_threads(executor, workers)
    previous = _prepare_dir(plan, run_dir, overwrite, merge, previous)
    manifest, todo, summary = _begin(plan, run_dir, device, executor, previous, workers, threads)
    if on_start:
        on_start(len(plan.cells), summary.skipped_done)

    def execute(groups: list[list[Cell]], recorder: OnOutcome) -> None:
        _execute(executor, groups, run_dir, device, timeout, workers, threads, recorder, ray_address, gpus_per_group)

    _run_session(plan, run_dir, manifest, summary, todo, on_outcome, execute)
    return summary


def _begin(
    plan: Plan, run_dir: Path, device: str, executor: str, previous: dict[str, Any] | None, workers: int, threads: int
) -> tuple[dict[str, Any], list[Cell], RunSummary]:
    """Open this invocation's session in a prepared ``run_dir`` and write the manifest.

    Parameters
    ----------
    plan : Plan
    run_dir : Path
        Checked and cleared by :func:`_prepare_dir`.
    device, executor : str
        The resolved device, and the executor's name (recorded in the manifest).
    previous : dict or None
        The directory's previous manifest (None for a new directory).
    workers, threads : int
        Recorded in the session's entry.

    Returns
    -------
    manifest : dict
    todo : list of Cell
        The plan's cells not finished on disk, in plan order.
    summary : RunSummary
        Empty but for the counts of planned and already finished cells.
    """
    manifest = _manifest(plan, run_dir, device, executor, previous)
    todo = [c for c in plan.cells if not cell_done(run_dir, c.cell)]
    summary = RunSummary(run_dir, len(plan.cells), len(plan.cells) - len(todo))
    _open_session(manifest, plan, todo, previous, workers, threads)
    results.write_json_atomic(manifest, run_dir / "manifest.json")
    return manifest, todo, summary


def _run_session(
    plan: Plan,
    run_dir: Path,
    manifest: dict[str, Any],
    summary: RunSummary,
    todo: list[Cell],
    on_outcome: OnOutcome | None,
    execute: Callable[[list[list[Cell]], OnOutcome], None],
) -> None:
    """Run the ``todo`` cells through ``execute`` and close the session, interrupted or not.

    Parameters
    ----------
    plan : Plan
    run_dir : Path
    manifest : dict
        The open manifest (:func:`_begin`); each finished cell is recorded in it.
    summary : RunSummary
        Receives the outcomes and the session's seconds.
    todo : list of Cell
    on_outcome : callable(Cell, CellOutcome), optional
        The caller's progress callback.
    execute : callable(groups, recorder)
        Runs the cell groups on the chosen executor, telling ``recorder`` of each cell.

    Raises
    ------
    RunInterrupted
        On Ctrl-C or SIGTERM, after the manifest and ``results.parquet`` match the files.
    """
    start = time.perf_counter()
    groups = _largest_first(plan, todo)
    recorder = _Recorder(manifest, run_dir, summary, on_outcome)
    interrupted = False
    try:
        with _sigterm_as_interrupt():
            execute(groups, recorder)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # Also on any other error: the manifest and results.parquet match the files.
        summary.seconds = time.perf_counter() - start
        kept = _close_session(manifest, plan, run_dir, recorder.seen, summary, len(todo))
    if interrupted:
        raise RunInterrupted(run_dir, kept, len(plan.cells))


def _execute(
    executor: str,
    groups: list[list[Cell]],
    run_dir: Path,
    device: str,
    timeout: float | None,
    workers: int,
    threads: int,
    recorder: OnOutcome,
    ray_address: str | None,
    gpus_per_group: float,
) -> None:
    """Run ``groups`` on the chosen executor, each finished cell told to ``recorder``."""
    if executor == "local":
        _local(groups, run_dir, device, timeout, workers, threads, recorder)
    elif executor == "ray":
        _ray(groups, run_dir, device, timeout, ray_address, threads, recorder, gpus_per_group)
    else:
        raise RegshiftError(f"unknown executor {executor!r}; use local or ray")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """A SIGTERM (``kill``, a scheduler's stop) ends the run as Ctrl-C does: pool workers
    are terminated, not left to finish their groups, and the manifest is written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _largest_first(plan: Plan, todo: list[Cell]) -> list[list[Cell]]:
    """The groups' unfinished cells, larger groups first.

    Stable, so plan order among equals: a pool then ends on small groups instead of
    one worker finishing a long group alone. On the quick grid's measured cell times
    this shortens the 2-worker schedule from 827 s to 782 s.
    """
    todo_ids = {c.cell for c in todo}
    groups = [[c for c in g if c.cell in todo_ids] for g in plan.groups()]
    return sorted((g for g in groups if g), key=len, reverse=True)


def _check_shares(gpus_per_group: float, threads: int | None) -> int | None:
    """Refuse a GPU share or thread count that cannot work; the thread count as int."""
    if not (0 < gpus_per_group <= 1 or float(gpus_per_group).is_integer() and gpus_per_group > 0):
        raise RegshiftError(
            f"gpus_per_group must be in (0, 1] or a whole number, got "
            f"{gpus_per_group!r}; e.g. 0.25 runs four groups per GPU"
        )
    if threads is not None and int(threads) < 1:
        raise RegshiftError(f"threads must be at least 1, got {threads!r}; e.g. threads=1")
    return int(threads) if threads else None


def _prepare_dir(
    plan: Plan, run_dir: Path, overwrite: bool, merge: bool, previous: dict[str, Any] | None | str
) -> dict[str, Any] | None:
    """Check ``run_dir`` for ``plan`` (unless the caller did), drop cells of other plans
    (``merge``), clear it (``overwrite``) and the half-written files of a killed run;
    return the previous manifest (None for a new directory)."""
    if isinstance(previous, str):  # not checked by the caller
        previous = check_run_dir(plan, run_dir, overwrite, merge)
    if previous:
        drop_stale(previous, stale_cells(previous, plan), run_dir)
    if overwrite and run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.glob("**/.*.tmp"):  # half-written files of a killed run
        stale.unlink(missing_ok=True)
    return previous


def _open_session(
    manifest: dict[str, Any], plan: Plan, todo: list[Cell], previous: dict[str, Any] | None, workers: int, threads: int
) -> None:
    """Mark finished and pending cells and add this invocation's session entry."""
    pending = {c.cell for c in todo}
    for c in plan.cells:
        if c.cell not in pending:
            manifest["cells"][c.cell]["status"] = "ok"
        elif manifest["cells"][c.cell]["status"] == "ok":  # its file is gone or failed
            manifest["cells"][c.cell]["status"] = "pending"
    # One entry per invocation, so a resumed run keeps the timing of each part.
    manifest["sessions"] = [
        *(previous or {}).get("sessions", []),
        {
            "started": _now(),
            "finished": None,
            "seconds": None,
            "cells_run": 0,
            "workers": workers,
            "torch_threads": threads,
        },
    ]


class _Recorder:
    """Records each finished cell in the manifest (rewritten every few seconds) and the
    summary, and passes it on to the caller's progress callback."""

    def __init__(
        self, manifest: dict[str, Any], run_dir: Path, summary: RunSummary, on_outcome: OnOutcome | None
    ) -> None:
        self.manifest, self.run_dir, self.summary = manifest, run_dir, summary
        self.on_outcome = on_outcome
        self.seen: set[str] = set()
        self.last_write = time.perf_counter()

    def __call__(self, cell: Cell, outcome: CellOutcome) -> None:
        manifest = self.manifest
        self.summary.outcomes.append(outcome)
        self.seen.add(cell.cell)
        manifest["cells"][cell.cell] = {
            "status": outcome.status,
            "error": outcome.error,
            "seconds": round(outcome.seconds, 3),
            "failed_rows": outcome.failed_rows,
            "session": len(manifest["sessions"]) - 1,
            "commit": outcome.commit or None,
        }
        # A killed session never reaches `finally`: its progress is kept here, so its
        # wall time still counts (started -> last_cell) in `wall_seconds`.
        manifest["sessions"][-1].update(cells_run=manifest["sessions"][-1]["cells_run"] + 1, last_cell=_now())
        if outcome.warning:  # recorded, never silent (e.g. a cached model retrained)
            manifest["cells"][cell.cell]["warning"] = outcome.warning
        if outcome.traceback:  # where a failed cell failed, for `runs show` and bug reports
            manifest["cells"][cell.cell]["traceback"] = outcome.traceback
        # The manifest holds the whole plan, so it is rewritten at most every few
        # seconds; the per-cell files stay the ground truth if a kill beats it.
        if time.perf_counter() - self.last_write > MANIFEST_INTERVAL_S:
            results.write_json_atomic(manifest, self.run_dir / "manifest.json")
            self.last_write = time.perf_counter()
        if self.on_outcome:
            self.on_outcome(cell, outcome)


def _close_session(
    manifest: dict[str, Any], plan: Plan, run_dir: Path, seen: set[str], summary: RunSummary, n_todo: int
) -> int:
    """Reconcile the manifest with the files, close the session, write the manifest and
    ``results.parquet``; return how many cells are kept (see :func:`reconcile`)."""
    kept = reconcile(manifest, plan, run_dir, seen)
    # The commits the finished cells were computed at (several after a resume).
    manifest["provenance"]["commits"] = provenance.cell_commits(manifest)
    manifest["finished"] = _now() if len(summary.outcomes) == n_todo else None
    manifest["seconds"] = round(summary.seconds, 3)
    manifest["sessions"][-1].update(finished=_now(), seconds=round(summary.seconds, 3), cells_run=len(summary.outcomes))
    manifest["wall_seconds"] = results.wall_seconds(manifest["sessions"])
    results.write_json_atomic(manifest, run_dir / "manifest.json")
    results.consolidate(
        run_dir,
        {
            "manifest": {
                k: manifest[k]
                for k in ("schema_version", "run", "created", "finished", "preset", "suites", "provenance")
            }
        },
    )
    return kept


def iter_failures(summary: RunSummary, plan: Plan) -> Iterable[tuple[Cell, CellOutcome]]:
    by_id = {c.cell: c for c in plan.cells}
    for o in summary.failed:
        yield by_id[o.cell], o
