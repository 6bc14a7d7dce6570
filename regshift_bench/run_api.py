"""The run use case as one library call: options -> checked plan -> run directory.

``rsbench run`` parses its options into :class:`RunOptions`, prints what
:func:`prepare` found (the plan line, skipped suites, notes) and draws progress
from :meth:`PreparedRun.execute`'s callbacks. A script does the same in one call::

    import regshift_bench
    summary = regshift_bench.run(tasks=["sim_gc"], preset="smoke", out="runs/smoke")

Every check that can fail without training anything (option values, names,
model parameters, the device, the run directory) happens in :func:`prepare`,
once, before the first cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regshift_bench.errors import RegshiftError

__all__ = ["PreparedRun", "RunOptions", "prepare", "run"]

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class RunOptions:
    """What to run and how: the options of ``rsbench run``.

    Parameters
    ----------
    all_suites : bool
        Every shipped suite whose data is at hand (``--all``).
    tasks, suites : sequence of str
        Task labels or task-file paths; suite names or suite-file paths.
    models, shifts, explainers : sequence of str
        Restrict the grid (``NAME(key=value, ...)``, ``NAME@SEVERITY``) or add explainers.
    interventions : sequence of str
        Robustness interventions to run beside each model as trained (``NAME`` or
        ``NAME(key=value, ...)``; default: the preset's ``interventions``).
    seeds : int, optional
        Number of seeds (default: the preset's).
    preset : str
        ``smoke``, ``quick``, ``standard`` or ``full``.
    max_steps : int, optional
        Cap on every model's optimizer steps.
    device : str
        ``auto``, ``cpu`` or ``cuda``.
    out : path, optional
        Run directory (default ``runs/<preset>``).
    executor : str
        ``local`` or ``ray``.
    workers : int
        Local process-pool size (1 = in this process).
    ray_address : str, optional
    cell_timeout : float, optional
        Seconds before a cell is failed.
    resume : bool
        Keep finished cells (True) or start the directory over (False).
    merge : bool
        Allow adding this plan's cells to a directory holding another plan.
    against : path, optional
        A published leaderboard folder: run only the named ``models``, after every
        split they will score matched its bundle's digests
        (:func:`regshift_bench.submission.against.check_against`).
    """

    all_suites: bool = False
    tasks: Sequence[str] = ()
    suites: Sequence[str] = ()
    models: Sequence[str] = ()
    shifts: Sequence[str] = ()
    explainers: Sequence[str] = ()
    interventions: Sequence[str] = ()
    seeds: int | None = None
    preset: str = "quick"
    max_steps: int | None = None
    device: str = "auto"
    out: str | Path | None = None
    executor: str = "local"
    workers: int = 1
    ray_address: str | None = None
    cell_timeout: float | None = None
    resume: bool = True
    merge: bool = False
    against: str | Path | None = None

    @property
    def run_dir(self) -> Path:
        return Path(self.out) if self.out is not None else Path("runs") / self.preset

    def check(self) -> None:
        """Refuse option values no run can use, each in one line naming the fix.

        Raises
        ------
        RegshiftError
            ``workers``, ``seeds`` or ``max_steps`` below 1 (or not integers), a
            ``cell_timeout`` that is not a positive finite number, an unknown executor.
        """
        _positive_int("--workers", self.workers, "the process pool needs at least 1 worker")
        if self.seeds is not None:
            _positive_int("--seeds", self.seeds, "seeds run as 0..N-1")
        if self.max_steps is not None:
            _positive_int("--max-steps", self.max_steps, "a model needs at least 1 step")
        timeout = self.cell_timeout
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise RegshiftError(
                f"--cell-timeout {timeout}: a cell's time limit must be a "
                "positive number of seconds; omit it for no limit"
            )
        if self.executor not in EXECUTORS:
            raise RegshiftError(f"--executor {self.executor}: unknown executor; use {' or '.join(EXECUTORS)}")


def _positive_int(flag: str, value: Any, why: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RegshiftError(f"{flag} {value}: must be an integer of at least 1 ({why})")


OnStart = Callable[[int, int], None]
OnOutcome = Callable[[Any, Any], None]


@dataclass
class PreparedRun:
    """A checked plan bound to its run directory, ready to :meth:`execute`.

    Attributes
    ----------
    options : RunOptions
    plan : regshift_bench.plan.Plan
    run_dir : Path
    device : str
        The resolved device (``cpu`` or ``cuda``).
    skipped : list of str
        One line per shipped suite that ``--all`` left out (its data is missing).
    extension : str
        A note when the plan adds cells to, or replaces stale cells of, an earlier
        run in ``run_dir`` (else ``""``).
    uncached : list of (str, int)
        Models without ``get_state`` (retrained per group), with their group counts.
    """

    options: RunOptions
    plan: Any
    run_dir: Path
    device: str
    skipped: list[str] = field(default_factory=list)
    extension: str = ""
    uncached: list[tuple[str, int]] = field(default_factory=list)
    previous: dict[str, Any] | None = None
    against_settings: int = 0  # data settings matched with the --against bundle

    def execute(self, on_start: OnStart | None = None, on_outcome: OnOutcome | None = None) -> Any:
        """Run every cell not already finished in :attr:`run_dir`.

        Parameters
        ----------
        on_start : callable(total, already_done), optional
        on_outcome : callable(Cell, CellOutcome), optional
            Called once per finished cell (for progress display).

        Returns
        -------
        regshift_bench.execute.RunSummary

        Raises
        ------
        regshift_bench.execute.RunInterrupted
            On Ctrl-C, after the run directory was brought up to date.
        """
        from regshift_bench.execute import run_plan

        o = self.options
        return run_plan(
            self.plan,
            self.run_dir,
            device=self.device,
            executor=o.executor,
            overwrite=not o.resume,
            workers=o.workers,
            ray_address=o.ray_address,
            timeout=o.cell_timeout,
            merge=o.merge,
            on_start=on_start,
            on_outcome=on_outcome,
            previous=self.previous,
        )


def prepare(options: RunOptions) -> PreparedRun:
    """Check ``options``, expand the plan and check the run directory; run nothing.

    The order is the one a user benefits from: option values, then names (a
    misspelt ``--model`` gets did-you-mean whatever else is missing), then the
    device, then suites and the plan, then the run directory. Nothing is written.

    Raises
    ------
    RegshiftError
        The first problem found, in one line.
    """
    from regshift_bench import plan as planning
    from regshift_bench import plugins, provenance
    from regshift_bench.rundir import check_run_dir, extension_note

    options.check()
    planning.check_selection(options.models, options.shifts)
    registry = plugins.current().registry
    for name in options.explainers:  # unknown names fail before any planning
        registry.get("explainer", name)
    planning.check_interventions(options.interventions)
    device = provenance.resolve_device(options.device)  # no CUDA: refused before planning
    suites = planning.select_suites(options.all_suites, options.tasks, options.suites)
    skipped: list[str] = []
    if options.all_suites:  # --all runs what the data at hand allows
        from regshift_bench.availability import runnable_suites

        suites, gone = runnable_suites(suites)
        skipped = [g.line() for g in gone]
    the_plan = planning.expand(
        suites,
        options.preset,
        models=options.models,
        shifts=options.shifts,
        seeds=options.seeds,
        max_steps=options.max_steps,
        explainers=options.explainers,
        interventions=options.interventions,
    )
    run_dir = options.run_dir
    previous = check_run_dir(the_plan, run_dir, overwrite=not options.resume, merge=options.merge)
    verified = 0
    if options.against is not None:  # the bundle's data, checked before any training
        from regshift_bench.submission.against import check_against

        if not options.models:
            raise RegshiftError("--against runs only a new model: name it with --model NAME")
        verified = check_against(the_plan, options.against)
    return PreparedRun(
        options,
        the_plan,
        run_dir,
        device,
        skipped,
        extension_note(previous, the_plan),
        planning.models_without_cache(the_plan),
        previous,
        verified,
    )


def run(*, on_start: OnStart | None = None, on_outcome: OnOutcome | None = None, **options: Any) -> Any:
    """Plan and run a benchmark grid into a run directory: ``rsbench run`` as a call.

    Parameters
    ----------
    on_start, on_outcome : callable, optional
        Progress callbacks (see :meth:`PreparedRun.execute`).
    **options
        The fields of :class:`RunOptions`, e.g. ``tasks=["sim_gc"]``,
        ``preset="smoke"``, ``out="runs/smoke"``, ``workers=2``.

    Returns
    -------
    regshift_bench.execute.RunSummary
        Outcomes per cell run (``summary.failed`` lists failures), cells already
        finished, seconds.

    Raises
    ------
    RegshiftError
        Before any cell runs, for anything :func:`prepare` refuses.
    """
    try:
        opts = RunOptions(**options)
    except TypeError:
        from regshift_bench.names import did_you_mean

        known = list(RunOptions.__dataclass_fields__)
        bad = [k for k in options if k not in known]
        raise RegshiftError(
            f"run(): unknown option {bad[0]!r}{did_you_mean(bad[0], known)}; options: {', '.join(known)}"
        ) from None
    return prepare(opts).execute(on_start, on_outcome)
